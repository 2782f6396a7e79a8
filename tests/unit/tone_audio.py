"""A tiny numpy "voice" for tone tests: known F0, syllable count, pauses and phrase ends.

Each syllable is a harmonic-rich glottal source through two formant resonators, shaped by an
envelope with a deep dip between syllables, so the truth is set by construction: ``n`` syllables
at ``rate`` per second, F0 ``f0`` Hz with a falling (or rising) end, and silent pauses where asked.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from voicecoach.types import AudioClip

SR = 16_000


def whisper(n_syll: int = 16, rate: float = 4.0, sr: int = SR, seed: int = 1) -> np.ndarray:
    """Syllables of noise through the formants, widened as in whispering: speech-like level, no F0."""
    dur = n_syll / rate
    t = np.arange(int(dur * sr)) / sr
    src = np.random.default_rng(seed).standard_normal(t.size)
    for fc, bw in ((600.0, 200.0), (1500.0, 300.0)):
        r = np.exp(-np.pi * bw / sr)
        src = signal.lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * fc / sr), r * r], src)
    pos = (t * rate) % 1.0
    env = np.where(pos < 0.7, np.sin(np.pi * pos / 0.7) ** 2, 0.0) + 0.01
    x = np.concatenate([np.zeros(sr // 2), src * env, np.zeros(sr // 2)])
    return np.asarray(x / np.max(np.abs(x)) * 10 ** (-12 / 20), dtype=np.float64)


def phrase(f0: float, n_syll: int, rate: float, *, end: str = "fall", sr: int = SR) -> np.ndarray:
    """One phrase of ``n_syll`` syllables at ``rate`` syllables/s; F0 declines, then ends ``end``."""
    dur = n_syll / rate
    t = np.arange(int(dur * sr)) / sr
    # Gentle declination (+-1 st) plus the end: a 5 st rise or a 3 st fall over the last 300 ms.
    st = 1.0 - 2.0 * t / dur
    tail = np.clip((t - (dur - 0.3)) / 0.3, 0.0, 1.0)
    st += 5.0 * tail if end == "rise" else -3.0 * tail
    freq = f0 * 2.0 ** (st / 12.0)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    n_harm = int(4000 // (f0 * 1.5))
    src = sum(np.sin(k * phase) / k for k in range(1, n_harm + 1))
    for fc, bw in ((600.0, 120.0), (1500.0, 200.0)):
        r = np.exp(-np.pi * bw / sr)
        src = signal.lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * fc / sr), r * r], src)
    # Syllable envelope: a raised-cosine vowel over 70% of each syllable, near-silence between.
    pos = (t * rate) % 1.0
    env = np.where(pos < 0.7, np.sin(np.pi * pos / 0.7) ** 2, 0.0) + 0.01
    x = np.asarray(src * env, dtype=np.float64)
    return np.asarray(x / np.max(np.abs(x)), dtype=np.float64)


def speech(
    f0: float = 120.0,
    phrases: tuple[int, ...] = (8, 8),
    rate: float = 4.0,
    pauses: tuple[float, ...] = (0.6,),
    *,
    end: str = "fall",
    level_db: float = -12.0,
    sr: int = SR,
) -> np.ndarray:
    """Phrases separated by silent ``pauses`` (seconds), with 0.5 s of silence at each end."""
    parts = [np.zeros(sr // 2)]
    for i, n in enumerate(phrases):
        parts.append(phrase(f0, n, rate, end=end, sr=sr))
        if i < len(pauses):
            parts.append(np.zeros(int(pauses[i] * sr)))
    parts.append(np.zeros(sr // 2))
    x = np.concatenate(parts)
    return x * 10 ** (level_db / 20.0)


def clip(x: np.ndarray, sr: int = SR) -> AudioClip:
    """Float32 clip of ``x``."""
    return AudioClip(np.asarray(x, dtype=np.float32), sr)


def noise(n: int, rms: float, seed: int = 0) -> np.ndarray:
    """White noise of a given RMS."""
    return np.random.default_rng(seed).standard_normal(n) * rms
