"""Public fakes of the ports, for unit tests of pure logic (never for the model tier).

ScriptedTranscriber   returns prepared transcripts in order
ToneSynthesizer       a sine "voice" whose length follows the text (no espeak-ng needed)
RecordingSink         keeps what was played
MemoryStore           keeps turns in memory instead of a session folder
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from voicecoach.types import AudioClip, Reply, SessionReport, Transcript, TurnResult


class ScriptedTranscriber:
    """A Transcriber that returns the given texts in order, one per call."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = list(texts)
        self.calls = 0

    def transcribe(self, clip: AudioClip) -> Transcript:
        """The next scripted text (IndexError when the script runs out)."""
        text = self._texts[self.calls]
        self.calls += 1
        return Transcript(text=text, model="scripted")


class ToneSynthesizer:
    """A Synthesizer that renders 60 ms of a 220 Hz tone per character."""

    sample_rate = 16_000

    def __init__(self) -> None:
        self.spoken: list[tuple[str, float, float, float]] = []

    def synthesize(
        self, text: str, *, rate: float = 1.0, volume: float = 1.0, pitch: float = 1.0
    ) -> AudioClip:
        """A tone as long as the text would take to say."""
        self.spoken.append((text, rate, volume, pitch))
        n = max(1, int(len(text) * 0.06 / rate * self.sample_rate))
        t = np.arange(n) / self.sample_rate
        samples = (0.3 * volume * np.sin(2 * np.pi * 220 * pitch * t)).astype(np.float32)
        return AudioClip(samples, self.sample_rate)


@dataclass
class RecordingSink:
    """An AudioSink that keeps every clip it is asked to play."""

    played: list[AudioClip] = field(default_factory=list)

    def play(self, clip: AudioClip) -> None:
        """Keep ``clip``."""
        self.played.append(clip)


@dataclass
class MemoryStore:
    """A TurnStore that keeps everything in memory."""

    opening: str | None = None
    turns: list[TurnResult] = field(default_factory=list)
    reports: list[SessionReport] = field(default_factory=list)

    def save_opening(self, line: str, clip: AudioClip) -> str:
        """Remember the opening line."""
        self.opening = line
        return "memory:opening"

    def save_turn(
        self, turn: TurnResult, reply: Reply, persona_clip: AudioClip, report: SessionReport
    ) -> TurnResult:
        """Remember the turn and the report so far."""
        self.turns.append(turn)
        self.reports.append(report)
        return turn
