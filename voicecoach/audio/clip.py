"""Reading, writing and converting audio clips. Pure except for file I/O; no devices.

Every recording enters VoiceCoach through :func:`read_audio`, which decodes any container PyAV
(FFmpeg) understands (WAV, FLAC, MP3, M4A, OGG...), mixes to mono and resamples to
``ANALYSIS_RATE``, so every later stage sees one format.
"""

from __future__ import annotations

import io
import os
import wave
from fractions import Fraction
from math import gcd
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicecoach.errors import AudioFileError
from voicecoach.types import ANALYSIS_RATE, AudioClip

#: Longest recording accepted, in seconds. A practice reply is seconds long; an hour-long file is
#: almost surely the wrong file, and decoding it would hold ~230 MB of float32 samples. A file whose
#: header declares more is refused before decoding; one that hides its length is stopped at the limit.
MAX_DURATION_S = 30 * 60
#: A WAV whose data chunk is more than this many seconds (at its own byte rate) shorter than its
#: header says was cut off by a copy or download that stopped; the slack forgives a sloppy header.
_TRUNCATION_SLACK_S = 0.5
#: The slack in bytes when the header has no usable byte rate (0.5 s of 48 kHz 16-bit stereo).
_TRUNCATION_SLACK_BYTES = 96_000
#: Chunks read looking for a WAV's ``data`` chunk; real files have two to five before it.
_MAX_WAV_CHUNKS = 64
#: Sample rates a recording can plausibly have (telephone 8 kHz is the lowest in practice; 768 kHz
#: is the highest any converter offers). A header claiming 553 MHz is damage, not audio.
MIN_RATE, MAX_RATE = 1_000, 768_000
#: Largest up/down factor resampled exactly: an odd rate (44101 Hz) would need a polyphase filter
#: of millions of taps, so the ratio is approximated instead (off by parts per million).
_MAX_POLY_FACTOR = 2_000


def read_audio(path: str | os.PathLike[str], rate: int = ANALYSIS_RATE) -> AudioClip:
    """Decode ``path`` to a mono float32 clip at ``rate`` Hz.

    Raises:
        AudioFileError: the file is missing, not audio, corrupt, empty, or too long.
    """
    name = str(path)
    if Path(name).is_dir():
        raise AudioFileError(f"{name}: is a folder, not an audio file")
    if not Path(name).is_file():
        raise AudioFileError(f"{name}: no such audio file")
    if Path(name).stat().st_size == 0:
        raise AudioFileError(f"{name}: the file is empty (0 bytes)")
    _check_wav_length(name)
    samples, native_rate = _decode(name)
    if samples.size == 0:
        raise AudioFileError(f"{name}: the recording is empty (no audio samples)")
    if not np.all(np.isfinite(samples)):
        raise AudioFileError(f"{name}: holds NaN or infinite samples; re-export the recording")
    clip = AudioClip(samples, native_rate)
    return resample(clip, rate)


def _decode(name: str) -> tuple[npt.NDArray[np.float32], int]:
    # PyAV arrives with faster-whisper, so decoding adds no dependency; imported here to keep
    # `import voicecoach` light.
    import av

    chunks: list[npt.NDArray[np.float32]] = []
    try:
        with av.open(name, metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioFileError(f"{name}: not a readable audio file (it holds no audio stream)")
            stream = container.streams.audio[0]
            if stream.codec_context is None:
                # FFmpeg found an audio stream but has no decoder for it (e.g. a WAV header naming
                # an unknown format); PyAV then raises AttributeError on every stream property.
                raise AudioFileError(f"{name}: its audio format has no decoder (unsupported codec)")
            native_rate = int(stream.rate or stream.codec_context.sample_rate or 0)
            if native_rate <= 0:
                raise AudioFileError(f"{name}: the audio stream has no sample rate")
            if not MIN_RATE <= native_rate <= MAX_RATE:
                raise AudioFileError(
                    f"{name}: a sample rate of {native_rate} Hz is not a recording "
                    f"(expected {MIN_RATE}-{MAX_RATE} Hz); the header is damaged"
                )
            declared_s = (container.duration or 0) / av.time_base
            if declared_s > MAX_DURATION_S:
                raise AudioFileError(_too_long(name, declared_s))
            # Decoding to planar float keeps float WAVs (and their NaN/inf, which tone analysis
            # reports) intact, and gives one row per channel to average.
            resampler = av.AudioResampler(format="fltp", layout=None, rate=native_rate)
            total = 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    block = out.to_ndarray().astype(np.float32, copy=False)
                    mono = block.mean(axis=0) if block.ndim == 2 else block
                    chunks.append(mono)
                    total += mono.size
                    if total > MAX_DURATION_S * native_rate:
                        raise AudioFileError(_too_long(name, None))
    except AudioFileError:
        raise
    except (av.error.FFmpegError, ValueError, OSError, UnicodeDecodeError) as e:
        raise AudioFileError(f"{name}: not a readable audio file ({_short(e)})") from e
    if not chunks:
        return np.zeros(0, dtype=np.float32), native_rate
    return np.concatenate(chunks).astype(np.float32, copy=False), native_rate


def _too_long(name: str, seconds: float | None) -> str:
    length = f"{seconds / 60:.0f} minutes long" if seconds is not None else "too long"
    return (
        f"{name}: {length}; recordings are limited to {MAX_DURATION_S // 60} minutes "
        "(refused, not decoded into memory); split it into replies first"
    )


def _check_wav_length(name: str) -> None:
    """Refuse a RIFF/WAVE file whose data chunk stops well short of what its header declares.

    FFmpeg quietly decodes whatever is there, so a half-copied reply would otherwise be scored as
    if the trainee had stopped mid-sentence. Streaming writers that never patch the header leave
    a size of 0 or 0xFFFFFFFF: those promise nothing and pass.
    """
    size = present = byte_rate = 0
    try:
        with open(name, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return
            for _ in range(_MAX_WAV_CHUNKS):
                chunk = f.read(8)
                if len(chunk) < 8:
                    return
                size = int.from_bytes(chunk[4:], "little")
                if chunk[:4] == b"data":
                    present = os.fstat(f.fileno()).st_size - f.tell()
                    break
                body = f.read(min(size, 16))
                if chunk[:4] == b"fmt " and len(body) == 16:
                    byte_rate = int.from_bytes(body[8:12], "little")
                f.seek(size - len(body) + (size & 1), os.SEEK_CUR)  # chunks are word-aligned
            else:
                return
    except OSError as e:
        raise AudioFileError(f"{name}: cannot read ({e.strerror or e})") from e
    slack = byte_rate * _TRUNCATION_SLACK_S if byte_rate > 0 else _TRUNCATION_SLACK_BYTES
    if size in (0, 0xFFFFFFFF) or size - present <= slack:
        return
    if byte_rate > 0:
        promised = f"{size / byte_rate:.1f} s of audio but holds {present / byte_rate:.1f} s"
    else:
        promised = f"{size} bytes of audio but holds {present}"
    raise AudioFileError(
        f"{name}: the file is cut short (its header promises {promised}); copy or export it again"
    )


def _short(error: Exception) -> str:
    # FFmpeg errors read "[Errno 1094995529] Invalid data found when processing input: 'path'";
    # the number and the repeated path only add noise to a line that already names the file.
    text = getattr(error, "strerror", None) or str(error).strip() or type(error).__name__
    return str(text).splitlines()[0][:120]


def resample(clip: AudioClip, rate: int) -> AudioClip:
    """Return ``clip`` at ``rate`` Hz (polyphase filtering; a no-op when the rate already matches)."""
    if clip.sample_rate == rate:
        return clip
    from scipy.signal import resample_poly

    g = gcd(clip.sample_rate, rate)
    up, down = rate // g, clip.sample_rate // g
    if max(up, down) > _MAX_POLY_FACTOR:
        ratio = Fraction(rate, clip.sample_rate).limit_denominator(_MAX_POLY_FACTOR)
        up, down = ratio.numerator, ratio.denominator
    out = resample_poly(clip.samples, up, down).astype(np.float32)
    return AudioClip(out, rate)


def to_pcm16(clip: AudioClip) -> bytes:
    """The clip as little-endian 16-bit PCM bytes (non-finite samples become silence)."""
    finite = np.nan_to_num(clip.samples, nan=0.0, posinf=1.0, neginf=-1.0)
    return (np.clip(finite, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def wav_bytes(clip: AudioClip) -> bytes:
    """The clip as a complete 16-bit mono WAV file in memory."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(clip.sample_rate)
        out.writeframes(to_pcm16(clip))
    return buffer.getvalue()


def clip_from_pcm16(data: bytes, sample_rate: int) -> AudioClip:
    """A clip from little-endian 16-bit mono PCM bytes."""
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    return AudioClip(samples, sample_rate)
