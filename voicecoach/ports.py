"""The four small ports between VoiceCoach's pure core and the outside world.

Real adapters live in ``asr`` (faster-whisper), ``tts`` (pyttsx3) and ``audio.devices``
(sounddevice); public fakes for tests live in ``voicecoach.testing``. Core code depends only on
these Protocols, so it imports on machines without PortAudio, espeak-ng or a model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np
import numpy.typing as npt

from voicecoach.types import AudioClip, Reply, Transcript


class Transcriber(Protocol):
    """Speech to text."""

    def transcribe(self, clip: AudioClip) -> Transcript:
        """Return what was said in ``clip``, with word timings when the engine gives them."""
        ...


class Synthesizer(Protocol):
    """Text to speech."""

    def synthesize(
        self, text: str, *, rate: float = 1.0, volume: float = 1.0, pitch: float = 1.0
    ) -> AudioClip:
        """Speak ``text``; ``rate``, ``volume`` and ``pitch`` are multipliers of the voice's defaults."""
        ...


class AudioSource(Protocol):
    """Where trainee replies come from: a microphone, or recorded files."""

    def replies(self) -> Iterator[Reply]:
        """Yield each reply in turn: spoken (a clip) or typed (text, which skips tone analysis)."""
        ...


class AudioSink(Protocol):
    """Where persona speech goes: speakers, or nowhere."""

    def play(self, clip: AudioClip) -> None:
        """Play ``clip`` to the end (or until interrupted)."""
        ...


class SpeechDetector(Protocol):
    """How likely each frame of 16 kHz audio is speech (``voicecoach.vad``)."""

    frame_samples: int

    def speech_probability_of(self, frame: npt.NDArray[np.float32]) -> float:
        """Probability in [0, 1] that ``frame`` (``frame_samples`` long) holds speech."""
        ...
