"""Make any recording analysable, and say how trustworthy it is.

Tone analysis must never crash on what a microphone or a file hands it: stereo or mono, any sample
rate, NaN/inf samples, clipping, digital silence. ``prepare`` turns whatever arrives into clean
mono float64 at :data:`~voicecoach.types.ANALYSIS_RATE` and records what it had to repair, so the
report can flag a poor recording instead of scoring it as if it were clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np
import numpy.typing as npt
from scipy import signal

from voicecoach.types import ANALYSIS_RATE

FloatArray = npt.NDArray[np.float64]

#: Rates outside this range are not audio we can trust (and resampling them would be absurd).
_MIN_RATE = 1_000
_MAX_RATE = 768_000
#: A sample within this fraction of the clip's peak, next to another such sample, is "flat-topped".
_FLAT_TOLERANCE = 1e-4
#: Only signals this loud can have been clipped by an ADC or a float-to-int conversion.
_CLIP_MIN_PEAK = 0.25
#: Float audio is full scale at +-1 (``AudioClip``). Samples beyond +6 dBFS are cut to it: float
#: files and resampled clipped audio overshoot full scale a little and keep that, but nothing a
#: recorder delivers lies far beyond it, and values near float64's maximum (a misread file)
#: overflowed the resampler and filters into inf/NaN that then read as silence, unflagged
#: (found by tests/unit/test_tone_properties.py). Cut samples count as clipped.
_MAX_ABS = 2.0
#: Largest up/down factor resampled exactly (polyphase filter length grows with the factor).
_MAX_POLY_FACTOR = 2_000
_HIGHPASS = signal.butter(2, 50.0, btype="highpass", fs=ANALYSIS_RATE, output="sos")


@dataclass(frozen=True)
class Prepared:
    """A recording ready for analysis, with what was wrong with the original."""

    samples: FloatArray
    sample_rate: int
    original_rate: int
    invalid_ratio: float
    clipped_ratio: float
    rate_ok: bool


def prepare(samples: npt.ArrayLike, sample_rate: int) -> Prepared:
    """Mono float64 at ``ANALYSIS_RATE``, non-finite samples zeroed, DC and rumble below 50 Hz removed.

    Samples beyond ``_MAX_ABS`` (+6 dBFS) are cut to it and counted in ``clipped_ratio``, so the
    result is always finite and its levels stay on the dBFS scale.

    Stereo (either ``(n, channels)`` or ``(channels, n)``) is averaged to mono. An impossible rate
    gives an empty result with ``rate_ok`` False rather than an exception.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 2:
        # Channels are the short axis whichever way round the array comes. +inf and -inf in one
        # sample average to NaN, which the finite check below counts as invalid; no warning.
        with np.errstate(invalid="ignore"):
            x = x.mean(axis=1) if x.shape[0] >= x.shape[1] else x.mean(axis=0)
    x = x.reshape(-1) if x.ndim != 1 else x
    rate_ok = isinstance(sample_rate, (int, np.integer)) and _MIN_RATE <= int(sample_rate) <= _MAX_RATE
    if x.size == 0 or not rate_ok:
        return Prepared(np.zeros(0), ANALYSIS_RATE, int(sample_rate or 0), 0.0, 0.0, bool(rate_ok))
    finite = np.isfinite(x)
    invalid_ratio = 1.0 - float(np.count_nonzero(finite)) / x.size
    if invalid_ratio:
        x = np.where(finite, x, 0.0)
    over = np.abs(x) > _MAX_ABS
    over_ratio = float(np.count_nonzero(over)) / x.size
    if over_ratio:
        x = np.clip(x, -_MAX_ABS, _MAX_ABS)
    clipped = max(clipped_ratio(x), over_ratio)
    x = _resample(x, int(sample_rate))
    if x.size:
        x = x - float(np.mean(x))
        # Speech has nothing below ~50 Hz (the lowest F0s), but handling noise, wind and DC drift
        # do, and they would otherwise set the level and hide pauses (mfa/cold_corpus is
        # dominated by 2-6 Hz rumble). 2nd-order Butterworth: gentle enough to keep a 60 Hz F0.
        x = np.asarray(signal.sosfilt(_HIGHPASS, x), dtype=np.float64)
    return Prepared(x, ANALYSIS_RATE, int(sample_rate), invalid_ratio, clipped, True)


def clipped_ratio(x: FloatArray) -> float:
    """Share of samples sitting flat at the clip's peak in runs of two or more.

    A clipped waveform is cut off flat at the converter's limit; consecutive samples at the peak
    are the signature (a clean sine at 16 kHz never has two samples within 0.01% of its crest).
    """
    if x.size < 2:
        return 0.0
    mag = np.abs(x)
    peak = float(mag.max())
    if peak < _CLIP_MIN_PEAK:
        return 0.0
    at_peak = mag >= peak * (1.0 - _FLAT_TOLERANCE)
    runs = at_peak[1:] & at_peak[:-1]
    flat = np.zeros_like(at_peak)
    flat[1:] |= runs
    flat[:-1] |= runs
    return float(np.count_nonzero(flat)) / x.size


def _resample(x: FloatArray, rate: int) -> FloatArray:
    if rate == ANALYSIS_RATE:
        return x
    g = gcd(rate, ANALYSIS_RATE)
    up, down = ANALYSIS_RATE // g, rate // g
    if max(up, down) <= _MAX_POLY_FACTOR:
        # resample_poly applies its own anti-alias filter; short clips come back short, not empty.
        return np.asarray(signal.resample_poly(x, up, down), dtype=np.float64)
    # An odd rate (44099 Hz) would need a filter with hundreds of thousands of taps: low-pass
    # once, then interpolate linearly onto the analysis grid.
    if rate > ANALYSIS_RATE:
        sos = signal.butter(8, 0.45 * ANALYSIS_RATE, fs=rate, output="sos")
        x = signal.sosfiltfilt(sos, x) if x.size > 60 else x
    n_out = max(1, round(x.size * ANALYSIS_RATE / rate))
    t_out = np.arange(n_out) * (rate / ANALYSIS_RATE)
    return np.asarray(np.interp(t_out, np.arange(x.size), x), dtype=np.float64)


def db(power: FloatArray | float, floor_db: float = -120.0) -> FloatArray:
    """Power to decibels, clamped at ``floor_db`` so digital silence is finite."""
    p = np.asarray(power, dtype=np.float64)
    return np.maximum(10.0 * np.log10(np.maximum(p, 1e-30)), floor_db)
