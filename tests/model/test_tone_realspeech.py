"""Tone analysis on real recordings from ../shared/realspeech (skipped when that folder is absent)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from voicecoach.analysis.measure import measure_delivery
from voicecoach.analysis.tone import analyze_tone
from voicecoach.config import ToneOptions
from voicecoach.types import AudioClip, ToneReport, Transcript

pytestmark = pytest.mark.model

parselmouth = pytest.importorskip("parselmouth", reason="praat-parselmouth (dev extra) is the reference")


def load(path: Path) -> AudioClip:
    snd = parselmouth.Sound(str(path))
    return AudioClip(snd.values.mean(axis=0).astype(np.float32), int(snd.sampling_frequency))


def analyze(path: Path, text: str | None = None) -> ToneReport:
    return analyze_tone(load(path), Transcript(text=text) if text else None)


def test_fast_reading_has_the_higher_pace(realspeech: Path) -> None:
    text = "The red fox has read many books, but there's always more to read."
    fast = analyze(realspeech / "mfa_docs" / "english_fast.wav", text)
    slow = analyze(realspeech / "mfa_docs" / "english_slow.wav", text)
    assert fast.wpm is not None and slow.wpm is not None
    assert fast.wpm > slow.wpm


def test_fast_then_slow_recording_slows_down(realspeech: Path) -> None:
    r = analyze(realspeech / "mfa" / "acoustic_corpus.wav")
    assert r.rate_trend_pct is not None and r.rate_trend_pct < -10


@pytest.mark.parametrize(
    "name",
    [
        "faster_whisper/jfk.flac",
        "ljspeech/LJ001-0001.wav",
        "cmu_arctic/cmu_arctic_us_aew_a0001.wav",
        # Half modal, half falsetto: the median falls in the falsetto only if both registers count.
        "mfa/mfa_registershift.flac",
        # 10% voiced: the report withholds it, but the tracker still reads what Praat reads.
        "mfa/mfa_creaky.flac",
    ],
)
def test_median_pitch_agrees_with_praat_two_pass(realspeech: Path, name: str) -> None:
    snd = parselmouth.Sound(str(realspeech / name)).convert_to_mono()
    first = snd.to_pitch(time_step=0.01, pitch_floor=75.0, pitch_ceiling=600.0).selected_array["frequency"]
    q25, q75 = np.percentile(first[first > 0], [25, 75])
    second = snd.to_pitch(time_step=0.01, pitch_floor=0.75 * q25, pitch_ceiling=1.5 * q75)
    f0 = second.selected_array["frequency"]
    praat = float(np.median(f0[f0 > 0]))
    clip = load(realspeech / name)
    ours = measure_delivery(clip.samples, clip.sample_rate, ToneOptions()).pitch_hz_median
    assert ours is not None
    assert abs(12 * math.log2(ours / praat)) <= 0.3


@pytest.mark.parametrize("name", ["mfa/mfa_whisper.flac", "mfa/whisper.flac", "mfa/whisper2.flac"])
def test_whispered_speech_reports_no_pitch(realspeech: Path, name: str) -> None:
    r = analyze(realspeech / name)
    assert r.pitch_hz_median is None and r.rising_end_ratio is None
    assert any(f.code in ("little_voice", "no_voice") for f in r.flags)
    assert r.articulation_rate_sps is not None  # pace is still measured
