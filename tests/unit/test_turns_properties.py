"""Property tests (issue #8): the end-of-turn state machine over generated frame streams.

A stream is a run of frames, each a speech probability (any float, NaN and infinities included)
and a size in samples, at any sample rate, under any sensible ``TurnOptions``. It is driven the
way ``live.listener`` drives it: ``step`` per frame, and when a pause asks for a hint
(``PauseStarted``) a hint arrives -- at once, a few frames later, or never -- through
``with_hint`` followed by ``check_end``. Invariants checked on every stream:

* a ``TurnEnded`` has ``start < end``, lies within the samples fed so far, and counts exactly the
  samples of its speech frames (so at least ``min_turn_speech_s`` of them: noise alone never
  makes a turn);
* a turn is never longer than ``max_turn_s`` plus one frame;
* a turn ends on silence only after the silence its hint requires, and nothing in that silence
  was speech;
* enough silence always brings the machine back to quiet;
* the same stream gives the same events (the machine is pure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from voicecoach.config import TurnOptions
from voicecoach.turns import (
    EndpointState,
    Event,
    Hint,
    PauseStarted,
    TurnEnded,
    check_end,
    required_silence,
    step,
    thought_hint,
    with_hint,
)

pytestmark = pytest.mark.unit

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HINTS: tuple[Hint, ...] = ("unknown", "complete", "incomplete")

seconds = st.one_of(st.just(0.0), st.floats(0.0, 3.0))
options = st.builds(
    TurnOptions,
    end_silence_s=seconds,
    complete_silence_s=seconds,
    incomplete_silence_s=st.floats(0.0, 5.0),
    speculate_after_s=seconds,
    start_speech_s=st.floats(0.0, 1.0),
    min_turn_speech_s=st.floats(0.0, 2.0),
    max_turn_s=st.floats(0.01, 10.0),
    speech_threshold=st.floats(0.0, 1.0),
)
probability = st.one_of(
    st.sampled_from([0.0, 0.49, 0.5, 0.51, 1.0]),
    st.floats(0.0, 1.0),
    st.floats(allow_nan=True, allow_infinity=True),
)


@dataclass(frozen=True)
class Frame:
    probability: float
    samples: int
    #: If this frame brings a PauseStarted: the hint to give, and after how many more frames.
    hint: Hint | None
    hint_delay: int


@st.composite
def streams(draw: st.DrawFn) -> tuple[int, TurnOptions, list[Frame]]:
    rate = draw(st.one_of(st.sampled_from([8_000, 16_000, 48_000]), st.integers(1, 192_000)))
    opts = draw(options)
    size = st.one_of(st.sampled_from([160, 320, 512]), st.integers(1, 4_096))
    hint = st.one_of(st.none(), st.sampled_from(HINTS))
    # Runs of frames alike, like speech and pauses: (probability, frames, size, hint, hint delay).
    runs = st.tuples(probability, st.integers(1, 60), size, hint, st.integers(0, 3))
    frames = [
        Frame(p, n, h, d) for p, count, n, h, d in draw(st.lists(runs, max_size=12)) for _ in range(count)
    ]
    return rate, opts, frames


@dataclass(frozen=True)
class Seen:
    """One event, with where the stream stood when it came and the hint in force just before."""

    event: Event
    position: int
    hint_before: Hint


def run(rate: int, opts: TurnOptions, frames: list[Frame]) -> tuple[list[Seen], EndpointState, int]:
    """Drive the machine like ``live.listener``; return the events, the last state and position."""
    state, position, seen = EndpointState(), 0, []
    pending: list[tuple[int, int, Hint]] = []  # (frames left, silence_start, hint)
    for frame in frames:
        before = state.hint
        state, ev = step(state, frame.probability, position, frame.samples, sample_rate=rate, options=opts)
        position += frame.samples
        if ev is not None:
            seen.append(Seen(ev, position, before))
        if isinstance(ev, PauseStarted) and frame.hint is not None:
            pending.append((frame.hint_delay, ev.silence_start, frame.hint))
        due = [p for p in pending if p[0] == 0]
        pending = [(n - 1, s, h) for n, s, h in pending if n > 0]
        for _, silence_start, hint in due:
            # A late hint may be stale (the pause it was for is over): with_hint must ignore it.
            state = with_hint(state, silence_start, hint)
            before = state.hint
            state, ev = check_end(state, position, sample_rate=rate, options=opts)
            if ev is not None:
                seen.append(Seen(ev, position, before))
    return seen, state, position


def _speech_in(frames: list[Frame], start: int, end: int, threshold: float) -> int:
    """Samples of speech frames within ``[start, end)`` (frames are whole: none straddles a turn edge)."""
    total, position = 0, 0
    for f in frames:
        if start <= position < end and f.probability >= threshold:
            total += f.samples
        position += f.samples
    return total


def _silent_between(frames: list[Frame], start: int, end: int, threshold: float) -> bool:
    position = 0
    for f in frames:
        if start <= position < end and f.probability >= threshold:
            return False
        position += f.samples
    return True


@FUZZ
@given(stream=streams())
def test_turns_are_well_formed_and_made_of_speech(stream: tuple[int, TurnOptions, list[Frame]]) -> None:
    rate, opts, frames = stream
    seen, _, fed = run(rate, opts, frames)
    ends = [s for s in seen if isinstance(s.event, TurnEnded)]
    event(f"turns: {min(len(ends), 3)}{'+' if len(ends) > 3 else ''}")
    previous_end = 0
    for s in ends:
        turn = s.event
        assert isinstance(turn, TurnEnded)
        assert 0 <= turn.start < turn.end <= s.position <= fed
        assert turn.start >= previous_end, "turns overlap"
        previous_end = turn.end
        # Exactly the speech frames inside the turn count, and there are enough of them.
        assert turn.speech_samples == _speech_in(frames, turn.start, turn.end, opts.speech_threshold)
        assert turn.speech_samples > 0
        assert turn.speech_samples >= opts.min_turn_speech_s * rate
        # Never longer than the cap plus the frame that crossed it.
        longest = max(f.samples for f in frames)
        assert turn.end - turn.start <= opts.max_turn_s * rate + longest
        if turn.reason == "max_length":
            assert (turn.end - turn.start) / rate >= opts.max_turn_s
        else:
            # Ended by silence: long enough for the hint in force, and none of it was speech.
            assert (turn.reason == "finished_thought") == (s.hint_before == "complete")
            silence_s = (s.position - turn.end) / rate
            assert silence_s >= required_silence(s.hint_before, opts) - 1e-9
            assert _silent_between(frames, turn.end, s.position, opts.speech_threshold)


@FUZZ
@given(stream=streams())
def test_pause_started_comes_once_per_pause_and_before_its_end(
    stream: tuple[int, TurnOptions, list[Frame]],
) -> None:
    rate, opts, frames = stream
    seen, _, _ = run(rate, opts, frames)
    pauses = [s.event.silence_start for s in seen if isinstance(s.event, PauseStarted)]
    assert len(pauses) == len(set(pauses))
    for s in seen:
        if isinstance(s.event, PauseStarted):
            assert s.event.turn_start < s.event.silence_start <= s.position
            assert (s.position - s.event.silence_start) / rate >= opts.speculate_after_s - 1e-9


@FUZZ
@given(stream=streams())
def test_enough_silence_always_returns_to_quiet(stream: tuple[int, TurnOptions, list[Frame]]) -> None:
    rate, opts, frames = stream
    _, state, position = run(rate, opts, frames)
    wait = max(opts.end_silence_s, opts.incomplete_silence_s, opts.complete_silence_s)
    frame = 256
    for _ in range(math.ceil(wait * rate / frame) + 2):
        state, _ = step(state, 0.0 if opts.speech_threshold > 0 else math.nan, position, frame,
                        sample_rate=rate, options=opts)  # fmt: skip
        position += frame
    assert state.phase == "quiet"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=streams())
def test_the_same_stream_gives_the_same_events(stream: tuple[int, TurnOptions, list[Frame]]) -> None:
    rate, opts, frames = stream
    assert run(rate, opts, frames) == run(rate, opts, frames)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), pad=st.text(alphabet=" \t\n\r", max_size=3))
def test_thought_hint_reads_any_text(text: str, pad: str) -> None:
    hint = thought_hint(text)
    assert hint in HINTS
    assert thought_hint(pad + text + pad) == hint
    if text.isascii():
        assert thought_hint(text.upper()) == hint
