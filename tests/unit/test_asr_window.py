"""The fitted-window guards that need no model: loop detection on transcripts."""

from __future__ import annotations

import pytest

from voicecoach.asr_window import looks_looped

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "Montreal. Montreal. Montreal. Montreal.",
        "forced forced forced forced forced",
        "And so my fellow Americans. And so my fellow Americans.",
        "Firefox... Firefox... Firefox...",
        "la " * 40,
    ],
)
def test_whispers_decoding_loops_are_caught(text: str) -> None:
    # All seen on ../shared/realspeech with a window fitted to short recordings.
    assert looks_looped(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I hear you. What happened last night?",
        "No, no. That's not what I meant.",
        "You kept every curfew for three months, every single one.",
        "Okay. Okay, let's call them right now.",
    ],
)
def test_ordinary_replies_are_not_loops(text: str) -> None:
    assert not looks_looped(text)
