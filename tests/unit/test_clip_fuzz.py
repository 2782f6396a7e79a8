"""Property tests (issue #8): decoding arbitrary bytes as a recording.

``audio.clip.read_audio`` is where every file enters VoiceCoach. Whatever the bytes -- noise, a
WAV header with any format, rate and channel count in front of any payload, a valid file cut short
or with bytes flipped -- it returns a finite mono clip at the analysis rate or raises
``AudioFileError``; nothing else escapes.
"""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from voicecoach.audio.clip import read_audio
from voicecoach.errors import AudioFileError
from voicecoach.types import ANALYSIS_RATE

pytestmark = pytest.mark.unit

#: Rates a header can claim: usual ones, tiny ones, and primes that make exact resampling costly.
RATES = st.one_of(
    st.sampled_from([8_000, 16_000, 22_050, 44_100, 48_000, 96_000, 192_000]),
    st.sampled_from([1, 2, 7, 999, 44_101, 48_017, 192_007]),
    st.integers(1, 200_000),
)


def _pcm_wav(channels: int, width: int, rate: int, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(payload)
    return buffer.getvalue()


def _float_wav(channels: int, rate: int, samples: list[float]) -> bytes:
    """A WAVE_FORMAT_IEEE_FLOAT file (the ``wave`` module writes PCM only)."""
    data = struct.pack(f"<{len(samples)}f", *samples)
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * channels * 4, channels * 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data))
    return b"RIFF" + struct.pack("<I", len(body) + len(data)) + body + data


@st.composite
def files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "pcm", "float", "pcm"]))
    event(kind)
    if kind == "bytes":
        return draw(st.binary(max_size=2_000))
    rate = draw(RATES)
    channels = draw(st.integers(1, 3))
    if kind == "pcm":
        width = draw(st.integers(1, 4))
        frames = draw(st.integers(0, 4_000))
        payload = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).bytes(frames * width * channels)
        data = _pcm_wav(channels, width, rate, payload)
    else:
        values = st.floats(width=32, allow_nan=True, allow_infinity=True)
        data = _float_wav(channels, rate, draw(st.lists(values, max_size=60 * channels)) * channels)
    mutation = draw(st.sampled_from(["none", "truncate", "flip", "none"]))
    if mutation == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "flip" and data:
        raw = bytearray(data)
        for i in draw(st.lists(st.integers(0, len(raw) - 1), max_size=6)):
            raw[i] = draw(st.integers(0, 255))
        data = bytes(raw)
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=files(), suffix=st.sampled_from([".wav", ".flac", ".mp3", ".bin", ""]))
def test_arbitrary_bytes_decode_or_raise_audio_file_error(data: bytes, suffix: str) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / f"reply{suffix}"
        path.write_bytes(data)
        try:
            clip = read_audio(path)
        except AudioFileError as e:
            event("refused")
            assert str(path) in str(e)
            return
    event("decoded")
    assert clip.sample_rate == ANALYSIS_RATE
    assert clip.samples.ndim == 1 and clip.samples.size > 0
    assert clip.samples.dtype == np.float32
    assert np.all(np.isfinite(clip.samples))
