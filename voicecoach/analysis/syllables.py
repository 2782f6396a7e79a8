"""Acoustic syllable nuclei and the rates built on them.

Method after de Jong & Wempe (2009), "Praat script to detect syllable nuclei and measure speech
rate automatically" (Behavior Research Methods 41(2)), implemented here from its description: a
syllable nucleus is a peak of the intensity contour that

* lies inside speech (above the silence threshold),
* stands out by at least ``nucleus_min_dip_db`` (2 dB) from the dips around it, and
* is voiced (vowels carry pitch; fricative bursts do not).

Articulation rate is nuclei per second of phonation time (speech with the pauses taken out), so it
measures how fast someone talks, not how much they pause. No text is needed.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from voicecoach.analysis.pauses import BoolArray, IntArray, Segmentation, intensity_db
from voicecoach.analysis.quality import FloatArray

#: Each half of a reply needs this many nuclei before comparing the halves' rates means anything.
_MIN_NUCLEI_PER_HALF = 4
#: The vowel band and window of the nucleus envelope (see ``vowel_envelope_db``).
_BAND_LOW_HZ = 300.0
_BAND_HIGH_HZ = 3000.0
_ENVELOPE_WIN_S = 0.064


def vowel_envelope_db(x: FloatArray, fs: int, hop: int, n_frames: int) -> FloatArray:
    """Level contour for finding nuclei: 300-3000 Hz band, 64 ms Hann window, every ``hop``.

    The band holds the vowel formants and leaves out nasal murmur and voicing bars below 300 Hz
    and frication above 3 kHz, so the dips between syllables are deeper. 64 ms is the window of
    Praat's intensity for a 50 Hz minimum pitch, which de Jong & Wempe (2009) use. On the
    synthetic truth set (docs/benchmarks/tone.md) this pair roughly halved the rate error of a
    full-band 50 ms contour.
    """
    if n_frames <= 0 or x.size == 0:
        return np.zeros(max(n_frames, 0))
    sos = signal.butter(
        2, (_BAND_LOW_HZ, min(_BAND_HIGH_HZ, 0.45 * fs)), btype="bandpass", fs=fs, output="sos"
    )
    return intensity_db(signal.sosfilt(sos, x), hop, round(_ENVELOPE_WIN_S * fs), n_frames)


def nuclei(level_db: FloatArray, voiced: BoolArray, seg: Segmentation, min_dip_db: float) -> IntArray:
    """Frame indices of syllable nuclei in a level contour.

    A peak counts if it stands ``min_dip_db`` above the deepest point towards *both* neighbouring
    peaks (its prominence). de Jong & Wempe check only the dip towards the next peak; on slow
    speech that let consonant bursts before a vowel count as syllables (+17% on the truth set).
    Weak peaks are removed in rounds, each round dropping every failing peak that is weaker than
    its failing neighbours, so removing one peak can make its neighbour's valley count.
    """
    n = level_db.size
    if n < 3 or not seg.has_speech:
        return np.zeros(0, dtype=np.intp)
    mid = level_db[1:-1]
    is_peak = (mid > level_db[:-2]) & (mid >= level_db[2:])
    peaks = np.flatnonzero(is_peak) + 1
    peaks = peaks[seg.speech[peaks] & (level_db[peaks] > seg.threshold_db)]
    while peaks.size:
        prom = _prominence(level_db, peaks)
        bad = prom < min_dip_db
        if not bad.any():
            break
        weak = np.where(bad, prom, np.inf)
        left = np.concatenate([[np.inf], weak[:-1]])
        right = np.concatenate([weak[1:], [np.inf]])
        peaks = peaks[~(bad & (weak <= left) & (weak < right))]
    # A vowel is voiced: the nucleus (or a frame beside it) must have a pitch.
    near_voiced = voiced.copy()
    near_voiced[1:] |= voiced[:-1]
    near_voiced[:-1] |= voiced[1:]
    return np.asarray(peaks[near_voiced[peaks]], dtype=np.intp)


def _prominence(level_db: FloatArray, peaks: IntArray) -> FloatArray:
    """Height of each peak above the higher of its two valleys (towards the neighbouring peaks)."""
    # reduceat gives the minimum from each peak up to the next (or to the end of the contour).
    right = np.minimum.reduceat(level_db, peaks)
    left = np.concatenate([[level_db[: peaks[0] + 1].min()], right[:-1]])
    return np.asarray(level_db[peaks] - np.maximum(left, right), dtype=np.float64)


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
