"""The pure end-of-turn state machine and the energy detector."""

from __future__ import annotations

import numpy as np
import pytest

from voicecoach.config import TurnOptions
from voicecoach.turns import (
    EndpointState,
    Hint,
    PauseStarted,
    TurnEnded,
    check_end,
    step,
    thought_hint,
    with_hint,
)
from voicecoach.vad import EnergyDetector

pytestmark = pytest.mark.unit

RATE = 16_000
FRAME = 512  # 32 ms


def feed(
    pattern: list[tuple[float, float]], options: TurnOptions = TurnOptions(), hint: Hint | None = None
) -> list[TurnEnded]:
    """Run (probability, seconds) spans through the state machine; return the turns it ends.

    With ``hint``, every pause that asks for one (PauseStarted) is answered with it at once.
    """
    state, position, ended = EndpointState(), 0, []
    for probability, seconds in pattern:
        for _ in range(round(seconds * RATE / FRAME)):
            state, event = step(state, probability, position, FRAME, sample_rate=RATE, options=options)
            position += FRAME
            if isinstance(event, PauseStarted) and hint is not None:
                state = with_hint(state, event.silence_start, hint)
                state, event = check_end(state, position, sample_rate=RATE, options=options)
            if isinstance(event, TurnEnded):
                ended.append(event)
    return ended


def test_speech_then_long_silence_is_one_turn() -> None:
    turns = feed([(0.0, 1.0), (0.9, 2.0), (0.0, 1.0)])
    assert len(turns) == 1
    turn = turns[0]
    assert turn.reason == "silence"
    assert turn.start == pytest.approx(1.0 * RATE, abs=FRAME)
    assert turn.end == pytest.approx(3.0 * RATE, abs=FRAME)


def test_a_thinking_pause_shorter_than_the_end_silence_does_not_end_the_turn() -> None:
    turns = feed([(0.9, 1.5), (0.0, 0.5), (0.9, 1.5), (0.0, 1.0)])
    assert len(turns) == 1
    assert turns[0].end - turns[0].start == pytest.approx(3.5 * RATE, abs=2 * FRAME)


def test_a_longer_end_silence_keeps_pausing_trainees_in_one_turn() -> None:
    patient = TurnOptions(end_silence_s=1.6)
    assert len(feed([(0.9, 1.0), (0.0, 1.2), (0.9, 1.0), (0.0, 2.0)], patient)) == 1
    assert len(feed([(0.9, 1.0), (0.0, 1.2), (0.9, 1.0), (0.0, 2.0)])) == 2


def test_a_click_is_not_a_turn() -> None:
    assert feed([(0.0, 0.5), (0.9, 0.064), (0.0, 2.0)]) == []


def test_noise_bursts_too_short_in_total_are_dropped() -> None:
    options = TurnOptions(min_turn_speech_s=0.5)
    assert feed([(0.9, 0.2), (0.0, 1.0)], options) == []


def test_a_turn_is_cut_at_the_maximum_length() -> None:
    turns = feed([(0.9, 12.0)], TurnOptions(max_turn_s=5.0))
    assert [t.reason for t in turns] == ["max_length", "max_length"]
    assert turns[0].end - turns[0].start == pytest.approx(5.0 * RATE, abs=FRAME)


def test_energy_detector_separates_speechlike_bursts_from_a_noise_floor() -> None:
    rng = np.random.default_rng(1)
    detector = EnergyDetector(frame_samples=FRAME)
    noise = [rng.normal(0, 0.003, FRAME).astype(np.float32) for _ in range(40)]
    for frame in noise:
        quiet = detector.speech_probability_of(frame)
    t = np.arange(FRAME) / RATE
    loud = detector.speech_probability_of((0.2 * np.sin(2 * np.pi * 180 * t)).astype(np.float32))
    assert quiet < 0.2
    assert loud > 0.9


def test_a_finished_thought_ends_the_turn_sooner_than_silence_alone() -> None:
    pattern = [(0.9, 2.0), (0.0, 1.0)]
    plain = feed(pattern)[0]
    finished = feed(pattern, hint="complete")[0]
    assert finished.reason == "finished_thought" and plain.reason == "silence"
    assert finished.end == plain.end  # the turn's audio is the same; only the wait is shorter


def test_a_hanging_thought_survives_a_long_thinking_pause() -> None:
    pattern = [(0.9, 1.5), (0.0, 1.5), (0.9, 1.0), (0.0, 2.5)]
    assert len(feed(pattern, hint="incomplete")) == 1
    assert len(feed(pattern)) == 2  # silence alone cuts the trainee off


def test_each_pause_asks_for_a_hint_once_and_stale_hints_are_ignored() -> None:
    options = TurnOptions()
    state, position, pauses = EndpointState(), 0, []
    for probability, frames in [(0.9, 30), (0.0, 10), (0.9, 30), (0.0, 10)]:
        for _ in range(frames):
            state, event = step(state, probability, position, FRAME, sample_rate=RATE, options=options)
            position += FRAME
            if isinstance(event, PauseStarted):
                pauses.append(event)
    assert len(pauses) == 2
    # A hint for the first pause arrives during the second: it must not apply.
    assert with_hint(state, pauses[0].silence_start, "complete").hint == "unknown"
    assert with_hint(state, pauses[1].silence_start, "complete").hint == "complete"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("What happened last night?", "complete"),
        ("I hear you.", "complete"),
        ("You waited all day and", "incomplete"),
        ("You waited all day, and.", "incomplete"),
        ("I think we could, um", "incomplete"),
        ("It's because of the bus...", "incomplete"),
        ("so what I'd like to do is I think", "incomplete"),
        ("We could call the shelter,", "incomplete"),
        ("okay so", "incomplete"),
        ("So what I'm hearing is", "incomplete"),
        ("The thing is.", "incomplete"),
        ("He might have been more respectable than he was.", "complete"),
        ("That's just how it is.", "complete"),
        ("the 42-line Bible, of about 1455.", "complete"),
        ("If the shelter is full tonight.", "incomplete"),
        ("before we call anyone.", "incomplete"),
        ("I hear you. Now that you told me what happened at the desk.", "incomplete"),
        ("when you got here and the window was closed", "incomplete"),
        ("If you want, we can call them together.", "complete"),
        ("When did the window close?", "complete"),
        ("I called them. If you want.", "incomplete"),
        ("Whatever happens, you still have your bed.", "complete"),
        ("if you keep calling I'll have the number blocked.", "complete"),
        ("that sounds hard", "unknown"),
        ("", "unknown"),
    ],
)
def test_thought_hint(text: str, hint: str) -> None:
    assert thought_hint(text) == hint
