"""Tone invariances on real synthetic speech: espeak-ng voices through sox gain, pitch and tempo."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from voicecoach.analysis.tone import analyze_tone
from voicecoach.types import AudioClip, ToneReport

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        shutil.which("espeak-ng") is None or shutil.which("sox") is None, reason="needs espeak-ng and sox"
    ),
]

TEXT = (
    "I hear how frustrating the waiting has been for you and I want to help sort it out "
    "so let me find out what is going on with your appointment and then we can decide together"
)
PAD = ("pad", "0.3", "0.3")  # silence before and after, as a recorded reply has


def run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.fixture(scope="module", params=[("en-us", "35"), ("en-us+f3", "60")], ids=["low", "high"])
def base(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    voice, pitch = request.param
    folder = tmp_path_factory.mktemp("espeak")
    raw, wav = folder / "raw.wav", folder / "base.wav"
    run("espeak-ng", "-v", voice, "-p", pitch, "-s", "160", "-w", str(raw), TEXT)
    # -14 dBFS peak, so +12 dB of gain cannot clip.
    run("sox", "-R", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav), "norm", "-14", *PAD)
    return wav


def variant(base: Path, name: str, *effect: str) -> Path:
    out = base.with_name(f"{base.stem}_{name}.wav")
    run("sox", "-R", str(base), str(out), *effect)
    return out


def analyze(path: Path) -> ToneReport:
    rate, x = wavfile.read(path)
    return analyze_tone(AudioClip((x / 32768.0).astype(np.float32), int(rate)))


def st(a: float | None, b: float | None) -> float:
    assert a is not None and b is not None
    return 12 * math.log2(a / b)


def pct(a: float | None, b: float | None) -> float:
    assert a is not None and b is not None
    return 100 * (a / b - 1)


@pytest.mark.parametrize("gain", ["-12", "12"])
def test_gain_moves_level_only(base: Path, gain: str) -> None:
    ref, got = analyze(base), analyze(variant(base, f"gain{gain}", "gain", gain))
    assert got.level_dbfs is not None and ref.level_dbfs is not None
    assert got.level_dbfs - ref.level_dbfs == pytest.approx(float(gain), abs=0.3)
    assert abs(st(got.pitch_hz_median, ref.pitch_hz_median)) <= 0.2
    assert abs(pct(got.articulation_rate_sps, ref.articulation_rate_sps)) <= 3
    assert got.pause_count == ref.pause_count


@pytest.mark.parametrize("cents", ["-300", "300"])
def test_pitch_shift_moves_pitch_not_rate(base: Path, cents: str) -> None:
    ref, got = analyze(base), analyze(variant(base, f"pitch{cents}", "pitch", cents))
    assert st(got.pitch_hz_median, ref.pitch_hz_median) == pytest.approx(int(cents) / 100, abs=0.3)
    # sox pitch moves the formants too, which can add or drop one marginal nucleus in ~45:
    # allow that one syllable (about 2%) on top of the 3% the benchmark allows for gain.
    assert abs(pct(got.articulation_rate_sps, ref.articulation_rate_sps)) <= 5


def test_tempo_moves_rate_not_pitch(base: Path) -> None:
    ref, got = analyze(base), analyze(variant(base, "tempo", "tempo", "-s", "1.25"))
    assert pct(got.articulation_rate_sps, ref.articulation_rate_sps) == pytest.approx(25, abs=8)
    assert abs(st(got.pitch_hz_median, ref.pitch_hz_median)) <= 0.3
