"""Acoustic syllable nuclei and the rates built on them.

Method after de Jong & Wempe (2009), "Praat script to detect syllable nuclei and measure speech
rate automatically" (Behavior Research Methods 41(2)), implemented here from its description: a
syllable nucleus is a peak of the intensity contour that

* lies inside speech (above the silence threshold),
* is separated from the next peak by a dip of at least ``nucleus_min_dip_db`` (2 dB), and
* is voiced (vowels carry pitch; fricative bursts do not).

Articulation rate is nuclei per second of phonation time (speech with the pauses taken out), so it
measures how fast someone talks, not how much they pause. No text is needed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from voicecoach.analysis.pauses import BoolArray, IntArray, Segmentation
from voicecoach.analysis.quality import FloatArray

#: Each half of a reply needs this many nuclei before comparing the halves' rates means anything.
_MIN_NUCLEI_PER_HALF = 4


def nuclei(level_db: FloatArray, voiced: BoolArray, seg: Segmentation, min_dip_db: float) -> IntArray:
    """Frame indices of syllable nuclei in a level contour."""
    n = level_db.size
    if n < 3 or not seg.has_speech:
        return np.zeros(0, dtype=np.intp)
    mid = level_db[1:-1]
    is_peak = (mid > level_db[:-2]) & (mid >= level_db[2:])
    peaks = np.flatnonzero(is_peak) + 1
    peaks = peaks[seg.speech[peaks] & (level_db[peaks] > seg.threshold_db)]
    if peaks.size == 0:
        return peaks
    # The deepest point between each peak and the next (or the end of the contour).
    dips = np.minimum.reduceat(level_db, peaks)
    keep = level_db[peaks] - dips >= min_dip_db
    # A vowel is voiced: the nucleus (or a frame beside it) must have a pitch.
    near_voiced = voiced.copy()
    near_voiced[1:] |= voiced[:-1]
    near_voiced[:-1] |= voiced[1:]
    keep &= near_voiced[peaks]
    return np.asarray(peaks[keep], dtype=np.intp)


def articulation_rate(n_nuclei: int, phonation_s: float) -> float | None:
    """Syllables per second of phonation, or None without speech."""
    return n_nuclei / phonation_s if phonation_s > 0 and n_nuclei > 0 else None


def rate_trend_pct(peaks: IntArray, speech: BoolArray) -> float | None:
    """How much faster (+) or slower (-) the second half of the phonation time was, in percent.

    The halves split *speaking* time, not clock time, so a long pause does not count as slow speech.
    """
    if peaks.size < 2 * _MIN_NUCLEI_PER_HALF:
        return None
    phon = np.cumsum(speech.astype(np.int64))
    total = int(phon[-1])
    if total < 2:
        return None
    half = total / 2.0
    first = int(np.count_nonzero(phon[peaks] <= half))
    second = peaks.size - first
    if first < _MIN_NUCLEI_PER_HALF or second < _MIN_NUCLEI_PER_HALF:
        return None
    return 100.0 * (second / first - 1.0)

