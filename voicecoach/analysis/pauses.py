"""Speech and silent pauses from the intensity contour, robust to a noise floor.

DOMAIN.md: detect pauses acoustically (intensity or VAD), not from gaps between ASR words; silent
pauses count from ~200-300 ms. The threshold follows de Jong & Wempe (2009) -- speech lies within
25 dB of the loudest frames -- but is raised above a measured noise floor, so that a noisy room's
hiss is not mistaken for speech.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import signal

from voicecoach.analysis.quality import FloatArray, db
from voicecoach.config import ToneOptions

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

#: Percentiles for the noise floor and for "the loudest frames" (de Jong & Wempe use the 99th).
_FLOOR_PERCENTILE = 5.0
_PEAK_PERCENTILE = 99.0
#: Below this distance from floor to peak there is no speech, only steady noise or silence.
_MIN_DYNAMIC_DB = 8.0
#: Below this the recording is digitally silent whatever the gain.
_SILENT_PEAK_DBFS = -75.0


@dataclass(frozen=True)
class Segmentation:
    """Which frames hold speech, the speech stretches and the silent pauses between them."""

    speech: BoolArray
    starts: IntArray  # first frame of each speech stretch
    ends: IntArray  # one past the last frame of each stretch
    threshold_db: float
    noise_floor_db: float
    peak_db: float

    @property
    def has_speech(self) -> bool:
        """Whether any speech stretch was found."""
        return self.starts.size > 0


def intensity_db(x: FloatArray, hop: int, win: int, n_frames: int) -> FloatArray:
    """Level in dB re full-scale power, per frame centred every ``hop`` samples.

    Computed as a Hann-weighted moving average of the squared signal (one FFT convolution), so a
    ten-minute file costs no more memory than its samples.
    """
    if n_frames <= 0:
        return np.zeros(0)
    window = np.hanning(win + 2)[1:-1]
    window /= window.sum()
    power = signal.oaconvolve(x * x, window, mode="same") if x.size else np.zeros(1)
    centres = np.minimum(np.arange(n_frames) * hop + hop // 2, power.size - 1)
    return db(np.maximum(power[centres], 0.0))


def segment(level_db: FloatArray, hop_s: float, options: ToneOptions) -> Segmentation:
    """Find speech stretches and pauses in a level contour sampled every ``hop_s`` seconds."""
    empty = np.zeros(0, dtype=np.intp)
    if level_db.size == 0:
        return Segmentation(np.zeros(0, dtype=bool), empty, empty, 0.0, -120.0, -120.0)
    floor, peak = (float(v) for v in np.percentile(level_db, [_FLOOR_PERCENTILE, _PEAK_PERCENTILE]))
    threshold = max(
        peak - options.silence_db_below_peak,
        floor + options.floor_margin_fraction * (peak - floor),
    )
    if peak - floor < _MIN_DYNAMIC_DB or peak < _SILENT_PEAK_DBFS:
        return Segmentation(np.zeros(level_db.size, dtype=bool), empty, empty, threshold, floor, peak)
    speech = level_db > threshold
    speech = _drop_short_runs(speech, max(1, round(options.min_speech_s / hop_s)), value=True)
    speech = _drop_short_runs(speech, max(1, round(options.min_pause_s / hop_s)), value=False, inner=True)
    starts, ends = _runs(speech)
    return Segmentation(speech, starts, ends, threshold, floor, peak)


def _runs(mask: BoolArray) -> tuple[IntArray, IntArray]:
    """Start and end (exclusive) indices of each run of True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _drop_short_runs(mask: BoolArray, min_len: int, *, value: bool, inner: bool = False) -> BoolArray:
    """Flip runs of ``value`` shorter than ``min_len``; with ``inner`` only runs between others."""
    target = mask if value else ~mask
    starts, ends = _runs(target)
    short = (ends - starts) < min_len
    if inner:
        short &= (starts > 0) & (ends < mask.size)
    out: BoolArray = mask.copy()
    for s, e in zip(starts[short], ends[short], strict=True):
        out[s:e] = not value
    return out
