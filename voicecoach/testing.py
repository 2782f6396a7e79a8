"""Public fakes of the ports, for unit tests of pure logic (never for the model tier).

ScriptedTranscriber   returns prepared transcripts in order
ToneSynthesizer       a sine "voice" whose length follows the text (no espeak-ng needed)
RecordingSink         keeps what was played
MemoryStore           keeps turns in memory instead of a session folder
tone_report           a plausible ToneReport, for pure tests of what consumes one

and ``speak_with_espeak``, which makes synthetic trainee recordings for fixtures, the model and
device tiers, and benchmarks.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.types import AudioClip, Reply, SessionReport, ToneReport, Transcript, TurnResult


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

    def save_opening(self, line: str, clip: AudioClip, report: SessionReport) -> str:
        """Remember the opening line and the empty report."""
        self.opening = line
        self.reports.append(report)
        return "memory:opening"

    def save_turn(
        self, turn: TurnResult, reply: Reply, persona_clip: AudioClip, report: SessionReport
    ) -> TurnResult:
        """Remember the turn (replacing one saved again) and the report so far."""
        self.turns = [t for t in self.turns if t.index != turn.index] + [turn]
        self.reports.append(report)
        return turn


@dataclass(frozen=True)
class Delivery:
    """How an espeak-ng "trainee" says a line, for fixtures, tests and benchmarks.

    ``speed`` is espeak-ng's nominal words per minute (the realised rate runs 12-16% faster,
    DOMAIN.md), ``pitch`` its 0-99 scale, ``gain_db`` a level change applied by sox, ``pad_s``
    silence added before and after.
    """

    speed: int = 140
    pitch: int = 40
    gain_db: float = -6.0
    pad_s: float = 0.0
    voice: str = "en-us+f2"  # another voice than the persona's, and one tiny.en hears well


#: Calm: unhurried, low, moderate level. Tense: fast, high and 8 dB louder, above every starting
#: threshold in DOMAIN.md (+15% rate, +6 dB, +3 semitones).
CALM = Delivery()
TENSE = Delivery(speed=215, pitch=75, gain_db=2.0)


def speak_with_espeak(text: str, target: Path, delivery: Delivery = CALM) -> list[list[str]]:
    """Say ``text`` into ``target`` (16 kHz mono 16-bit WAV) with espeak-ng and sox.

    Returns the commands run, for a fixture manifest. Needs the espeak-ng and sox programs.
    """
    raw = target.with_name(f".{target.stem}.raw.wav")
    target.parent.mkdir(parents=True, exist_ok=True)
    pad = ["pad", f"{delivery.pad_s:g}", f"{delivery.pad_s:g}"] if delivery.pad_s else []
    commands = [
        ["espeak-ng", "-v", delivery.voice, "-s", str(delivery.speed), "-p", str(delivery.pitch),
         "-w", str(raw), text],
        # -R: sox dithers with a fresh random seed by default, which made the same line a
        # different recording on every run, and tiny.en's transcript of it flip between runs.
        ["sox", "-R", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(target), "gain",
         f"{delivery.gain_db:g}", *pad],
    ]  # fmt: skip
    try:
        for command in commands:
            subprocess.run(command, check=True, capture_output=True)
    finally:
        raw.unlink(missing_ok=True)
    return commands


def tone_report(
    *,
    level: float | None = 0.0,
    rate: float | None = 0.0,
    pitch: float | None = 0.0,
    calm: int = 80,
    **overrides: Any,
) -> ToneReport:
    """A plausible 3 s calm reply's ToneReport; ``level``/``rate``/``pitch`` are the changes
    against the trainee's baseline (dB, %, semitones), any other field can be overridden."""
    fields: dict[str, Any] = {
        "duration_s": 3.0, "speech_s": 2.5, "words": 8, "wpm": 150.0, "articulation_rate_sps": 4.0,
        "pause_count": 1, "mean_pause_s": 0.3, "level_dbfs": -20.0, "level_range_db": 10.0,
        "pitch_hz_median": 120.0, "pitch_spread_st": 3.0, "rising_end_ratio": 0.0, "snr_db": 30.0,
        "level_db_vs_baseline": level, "pitch_st_vs_baseline": pitch, "rate_pct_vs_baseline": rate,
        "rate_trend_pct": 0.0, "clipped_ratio": 0.0, "baseline": "trainee", "calm_score": calm,
    }  # fmt: skip
    fields.update(overrides)
    return ToneReport(**fields)
