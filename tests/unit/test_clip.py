"""Decoding recordings of every common shape to one 16 kHz mono float format."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from voicecoach.audio.clip import read_audio, wav_bytes
from voicecoach.errors import AudioFileError
from voicecoach.types import AudioClip

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures"


def write_pcm(path: Path, samples: np.ndarray, rate: int, width: int, channels: int = 1) -> None:
    scale = {1: 127, 2: 32767, 3: 8388607, 4: 2147483647}[width]
    ints = np.round(samples * scale).astype(np.int64)
    if width == 1:
        data = (ints + 128).astype(np.uint8).tobytes()
    elif width == 3:
        data = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints.ravel())
    else:
        data = ints.astype({2: "<i2", 4: "<i4"}[width]).tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)


def write_float_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    data = samples.astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    path.write_bytes(
        b"RIFF"
        + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def tone(rate: int, seconds: float = 1.0, hz: float = 200.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * hz * t)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_pcm_of_any_rate_and_width_becomes_16k_mono(tmp_path: Path, rate: int, width: int) -> None:
    path = tmp_path / f"t{rate}_{width}.wav"
    write_pcm(path, tone(rate), rate, width)
    clip = read_audio(path)
    assert clip.sample_rate == 16_000
    assert clip.duration_s == pytest.approx(1.0, abs=0.01)
    rms = float(np.sqrt(np.mean(clip.samples[1000:-1000] ** 2)))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


def test_stereo_is_mixed_to_mono(tmp_path: Path) -> None:
    left = tone(48000)
    stereo = np.stack([left, np.zeros_like(left)], axis=1).ravel()
    path = tmp_path / "stereo.wav"
    write_pcm(path, stereo, 48000, 2, channels=2)
    clip = read_audio(path)
    assert clip.duration_s == pytest.approx(1.0, abs=0.01)
    assert float(np.max(np.abs(clip.samples))) == pytest.approx(0.25, abs=0.02)


def test_float_wav_is_read_and_non_finite_samples_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "float.wav"
    write_float_wav(good, tone(16000).astype(np.float32), 16000)
    assert read_audio(good).duration_s == pytest.approx(1.0, abs=0.01)
    bad = tone(16000).astype(np.float32)
    bad[100] = np.nan
    bad[200] = np.inf
    path = tmp_path / "nan.wav"
    write_float_wav(path, bad, 16000)
    with pytest.raises(AudioFileError, match="NaN or infinite"):
        read_audio(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [("corrupt.wav", "not a readable audio file"), ("empty.wav", "empty")],
)
def test_bad_fixture_files_give_one_clear_message(name: str, message: str) -> None:
    with pytest.raises(AudioFileError, match=message) as caught:
        read_audio(FIXTURES / "bad" / name)
    assert "\n" not in str(caught.value)


def test_missing_and_non_audio_files(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match="no such audio file"):
        read_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioFileError, match="is a folder, not an audio file"):
        read_audio(tmp_path)
    text = tmp_path / "notes.wav"
    text.write_text("hello, this is a text file\n" * 20)
    with pytest.raises(AudioFileError, match="not a readable audio file"):
        read_audio(text)


def test_wav_bytes_round_trip(tmp_path: Path) -> None:
    clip = AudioClip(tone(16000).astype(np.float32), 16000)
    path = tmp_path / "rt.wav"
    path.write_bytes(wav_bytes(clip))
    again = read_audio(path)
    assert np.max(np.abs(again.samples - clip.samples)) < 1e-3
