"""Property tests: any text whatsoever gives a valid report with evidence inside the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicecoach.analysis.wording import analyze_wording
from voicecoach.types import ALL_TAGS

pytestmark = pytest.mark.unit

_VOCAB = "calm down not i'm sorry but you rules are what ? , um like can't let's never going to tell"
_WORDS = st.sampled_from([*_VOCAB.split(), "sounds", "f***", "your", "right", "…", "’", "\u200b"])
_MIXED = st.one_of(st.text(max_size=300), st.lists(_WORDS, max_size=40).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(text=_MIXED, context=st.one_of(st.none(), _MIXED))
def test_never_raises_and_offsets_are_valid(text: str, context: str | None) -> None:
    report = analyze_wording(text, context)
    assert report.effect in {"deescalating", "escalating", "neutral"}
    assert report.text == text
    for t in report.techniques:
        assert t.tag in ALL_TAGS
        assert 0 <= t.evidence.start < t.evidence.end <= len(text)
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text
    if any(t.tag in {"command", "threat", "blame"} for t in report.techniques):
        assert report.effect == "escalating"
