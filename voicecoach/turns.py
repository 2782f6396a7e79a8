"""Deciding when the trainee has finished speaking.

Two separate concerns (GUIDE.md point 5): a *detector* says how likely each frame is speech; a
pure *state machine* turns those probabilities into turns. Time is a sample index passed in, never
a clock read here, so the logic is tested by feeding numbers.

    quiet --speech--> starting --enough speech--> speaking --silence--> stopping
      ^                  |  silence                  ^  speech            |  silence long enough
      +------------------+                           +--------------------+--> turn ended
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from voicecoach.config import TurnOptions

Phase = Literal["quiet", "starting", "speaking", "stopping"]
EndReason = Literal["silence", "max_length"]


@dataclass(frozen=True)
class EndpointState:
    """Where the end-of-turn state machine stands, in samples since listening began."""

    phase: Phase = "quiet"
    turn_start: int = 0
    speech_samples: int = 0
    silence_start: int = 0


@dataclass(frozen=True)
class TurnEnded:
    """A finished turn: audio from ``start`` to ``end`` (samples) holds the reply."""

    start: int
    end: int
    speech_samples: int
    reason: EndReason


def step(
    state: EndpointState,
    probability: float,
    frame_start: int,
    frame_samples: int,
    *,
    sample_rate: int,
    options: TurnOptions,
) -> tuple[EndpointState, TurnEnded | None]:
    """Advance the state machine by one frame whose speech probability is ``probability``."""
    frame_end = frame_start + frame_samples
    is_speech = probability >= options.speech_threshold
    seconds = 1.0 / sample_rate
    min_speech = int(options.min_turn_speech_s * sample_rate)

    if state.phase == "quiet":
        if is_speech:
            return EndpointState("starting", frame_start, frame_samples, 0), None
        return state, None

    if state.phase == "starting":
        if not is_speech:
            # A click or a cough too short to be a reply: back to listening.
            return EndpointState(), None
        speech = state.speech_samples + frame_samples
        phase: Phase = "speaking" if speech * seconds >= options.start_speech_s else "starting"
        return replace(state, phase=phase, speech_samples=speech), None

    if (frame_end - state.turn_start) * seconds >= options.max_turn_s:
        speech = state.speech_samples + (frame_samples if is_speech else 0)
        return EndpointState(), _ended(state.turn_start, frame_end, speech, "max_length", min_speech)

    if is_speech:
        return replace(state, phase="speaking", speech_samples=state.speech_samples + frame_samples), None

    if state.phase == "speaking":
        return replace(state, phase="stopping", silence_start=frame_start), None

    # stopping: silence goes on
    if (frame_end - state.silence_start) * seconds >= options.end_silence_s:
        ended = _ended(state.turn_start, state.silence_start, state.speech_samples, "silence", min_speech)
        return EndpointState(), ended
    return state, None


def _ended(start: int, end: int, speech: int, reason: EndReason, min_speech: int) -> TurnEnded | None:
    # A "turn" with too little voiced audio is noise that crossed the threshold, not a reply.
    if speech < min_speech:
        return None
    return TurnEnded(start, end, speech, reason)


class EnergyDetector:
    """Speech probability from frame level above a running noise floor.

    The fallback detector: needs nothing but numpy. The floor follows the quietest recent frames
    (it falls at once, rises slowly), and a frame ``margin_db`` above it counts as speech; 10 dB is
    where pause detection stays reliable (DOMAIN.md: it fails below ~10 dB SNR).
    """

    def __init__(
        self, frame_samples: int = 512, margin_db: float = 10.0, min_floor_db: float = -70.0
    ) -> None:
        self.frame_samples = frame_samples
        self.margin_db = margin_db
        self.noise_floor_db: float | None = None  # set by the first frame
        self._min_floor_db = min_floor_db

    def speech_probability_of(self, frame: npt.NDArray[np.float32]) -> float:
        """Probability in [0, 1] that ``frame`` holds speech; updates the noise floor."""
        rms = float(np.sqrt(np.mean(np.square(frame, dtype=np.float64)))) if frame.size else 0.0
        level_db = max(self._min_floor_db, 20.0 * float(np.log10(max(rms, 1e-7))))
        if self.noise_floor_db is None or level_db < self.noise_floor_db:
            self.noise_floor_db = level_db
        else:
            # Rise 0.05 dB per 32 ms frame (~1.5 dB/s): a steady hum is absorbed within seconds,
            # but a sentence does not become the floor.
            self.noise_floor_db += 0.05
        above = level_db - (self.noise_floor_db + self.margin_db)
        return float(1.0 / (1.0 + np.exp(-above / 2.0)))
