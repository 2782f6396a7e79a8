"""Everything tone analysis measures from the audio alone, before any judgement.

``measure_delivery`` runs each detector once over a prepared recording and collects the numbers in
a :class:`Delivery`; ``tone.analyze_tone`` compares them with a baseline and scores them, and
``baseline.baseline_from_clip`` stores them as a trainee's calm reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicecoach.analysis import intonation, pauses, pitch, syllables
from voicecoach.analysis.quality import FloatArray, Prepared, db, prepare
from voicecoach.config import ToneOptions

#: Analysis frames every 10 ms (Praat's default step for a 75 Hz floor: 0.75 / 75 Hz).
HOP_S = 0.01
#: Level window for pauses and loudness: 50 ms Hann, long enough to smooth over pitch periods down
#: to ~60 Hz, short enough that a 250 ms pause is four windows of silence. (Syllable nuclei use
#: their own 64 ms vowel-band contour, ``syllables.vowel_envelope_db``.)
INTENSITY_WIN_S = 0.05
#: Loud bursts are judged on a level smoothed over 200 ms: one stressed syllable is not a burst.
_BURST_SMOOTH_S = 0.2
#: SNR above this is reported as this: the noise is below what any recording room produces.
SNR_CAP_DB = 60.0
#: Fewer non-speech frames than this (0.2 s) leave the noise floor unmeasured.
_MIN_NOISE_FRAMES = 20


@dataclass(frozen=True)
class Delivery:
    """Acoustic measurements of one recording. ``None`` where the audio did not allow one.

    ``speech_s`` runs from the first speech onset to the last offset, pauses included (speaking
    time, the base of words per minute); ``phonation_s`` is that minus the silent pauses (the base
    of articulation rate). ``voiced_s`` counts frames with a pitch; ``pitch_hz_median`` is the
    median over all of them, even when too few to trust (:meth:`has_voice`), which the report
    then withholds.
    """

    duration_s: float
    speech_s: float
    phonation_s: float
    syllables: int
    articulation_rate_sps: float | None
    rate_trend_pct: float | None
    pause_count: int
    mean_pause_s: float | None
    level_dbfs: float | None
    level_range_db: float | None
    loud_bursts: int
    pitch_hz_median: float | None
    pitch_spread_st: float | None
    phrases_judged: int
    rising_ends: int
    noise_floor_dbfs: float | None
    snr_db: float | None
    clipped_ratio: float
    invalid_ratio: float
    rate_ok: bool
    voiced_s: float

    @property
    def rising_end_ratio(self) -> float | None:
        """Share of judged phrases that ended rising."""
        return self.rising_ends / self.phrases_judged if self.phrases_judged else None

    def has_voice(self, min_voiced_share: float) -> bool:
        """Whether enough of the phonation time was voiced for pitch to mean something.

        Whispered speech has no vocal-fold vibration, yet an autocorrelation tracker (Praat's too)
        finds "voiced" frames in its noise; on the recordings in ../shared/realspeech those made up a
        quarter of a whisper's phonation time, against 38% or more in ordinary speech.
        """
        return self.voiced_s > 0 and self.voiced_s >= min_voiced_share * self.phonation_s


def measure_delivery(samples: npt.ArrayLike, sample_rate: int, options: ToneOptions) -> Delivery:
    """Measure pace, pauses, loudness, pitch, phrase ends and signal quality of one recording."""
    prep = prepare(samples, sample_rate)
    duration = _duration(samples, sample_rate)
    fs = prep.sample_rate
    hop = round(HOP_S * fs)
    n_frames = prep.samples.size // hop
    level = pauses.intensity_db(prep.samples, hop, round(INTENSITY_WIN_S * fs), n_frames)
    seg = pauses.segment(level, HOP_S, options)
    if not seg.has_speech:
        return _no_speech(prep, duration, level, seg)
    track = pitch.two_pass_pitch(prep.samples, fs, hop, n_frames, options)
    # Pitch and level use every voiced frame: the tracker's own silence rule (Boersma 1993) keeps
    # quiet speech that the pause threshold leaves out. Nuclei must also lie inside speech.
    voiced = track.voiced

    speech_s = float(seg.ends[-1] - seg.starts[0]) * HOP_S
    phonation_s = float(np.sum(seg.ends - seg.starts)) * HOP_S
    gaps = (seg.starts[1:] - seg.ends[:-1]) * HOP_S
    vowel_level = syllables.vowel_envelope_db(prep.samples, fs, hop, n_frames)
    peaks = syllables.nuclei(vowel_level, voiced, seg, options.nucleus_min_dip_db)
    ends = intonation.phrase_ends(track.f0_hz, seg.starts, seg.ends, HOP_S, options.rising_end_st)
    level_dbfs, level_range, bursts = _loudness(level, voiced, options.loud_burst_db)
    f0 = track.f0_hz[voiced]
    noise_floor, snr = _snr(level, seg.speech)
    return Delivery(
        duration_s=duration,
        speech_s=speech_s,
        phonation_s=phonation_s,
        syllables=int(peaks.size),
        articulation_rate_sps=syllables.articulation_rate(int(peaks.size), phonation_s),
        rate_trend_pct=syllables.rate_trend_pct(peaks, seg.speech),
        pause_count=int(gaps.size),
        mean_pause_s=float(gaps.mean()) if gaps.size else None,
        level_dbfs=level_dbfs,
        level_range_db=level_range,
        loud_bursts=bursts,
        pitch_hz_median=float(np.median(f0)) if f0.size else None,
        pitch_spread_st=_spread_st(f0),
        phrases_judged=ends.judged,
        rising_ends=ends.rising,
        noise_floor_dbfs=noise_floor,
        snr_db=snr,
        clipped_ratio=prep.clipped_ratio,
        invalid_ratio=prep.invalid_ratio,
        rate_ok=prep.rate_ok,
        voiced_s=float(np.count_nonzero(voiced)) * HOP_S,
    )


def _duration(samples: npt.ArrayLike, sample_rate: int) -> float:
    shape = np.shape(samples)
    n = max(shape) if len(shape) == 2 else (shape[0] if shape else 0)
    return n / sample_rate if isinstance(sample_rate, (int, np.integer)) and sample_rate > 0 else 0.0


def _loudness(
    level: FloatArray, voiced: npt.NDArray[np.bool_], burst_db: float
) -> tuple[float | None, float | None, int]:
    """Power-mean level of voiced frames, its p90-p10 range, and the number of loud bursts."""
    lv = level[voiced]
    if lv.size == 0:
        return None, None, 0
    mean_db = float(db(float(np.mean(10.0 ** (lv / 10.0)))))
    p10, p50, p90 = np.percentile(lv, [10, 50, 90])
    k = max(1, round(_BURST_SMOOTH_S / HOP_S))
    # Mean level over 200 ms windows, counting voiced frames only.
    power = np.where(voiced, 10.0 ** (level / 10.0), 0.0)
    num = np.convolve(power, np.ones(k), mode="same")
    den = np.convolve(voiced.astype(np.float64), np.ones(k), mode="same")
    smooth = db(np.divide(num, den, out=np.zeros_like(num), where=den >= k / 2))
    loud = (smooth >= p50 + burst_db) & (den >= k / 2)
    edges = np.diff(np.concatenate([[0], loud.astype(np.int8)]))
    return mean_db, float(p90 - p10), int(np.count_nonzero(edges == 1))


def _spread_st(f0: FloatArray) -> float | None:
    """F0 range as the 10th-90th percentile distance in semitones."""
    if f0.size < 5:
        return None
    p10, p90 = np.percentile(f0, [10, 90])
    return float(12.0 * np.log2(p90 / p10))


def _snr(level: FloatArray, speech: npt.NDArray[np.bool_]) -> tuple[float | None, float | None]:
    """Noise floor (median level of non-speech frames) and speech-to-noise ratio, in dB.

    The median, not the mean: frames just outside speech still hold the tails of weak consonants,
    which would otherwise read as noise.
    """
    noise = level[~speech]
    talk = level[speech]
    if noise.size < _MIN_NOISE_FRAMES or talk.size == 0:
        return None, None
    noise_db = float(np.median(noise))
    speech_db = float(db(float(np.mean(10.0 ** (talk / 10.0)))))
    # Speech frames hold noise too: subtract its power before taking the ratio.
    clean = 10.0 ** (speech_db / 10.0) - 10.0 ** (noise_db / 10.0)
    snr = float(db(max(clean, 1e-30))) - noise_db
    return noise_db, float(min(max(snr, -20.0), SNR_CAP_DB))


def _no_speech(prep: Prepared, duration: float, level: FloatArray, seg: pauses.Segmentation) -> Delivery:
    floor = float(db(float(np.mean(10.0 ** (level / 10.0))))) if level.size else None
    return Delivery(
        duration_s=duration,
        speech_s=0.0,
        phonation_s=0.0,
        syllables=0,
        articulation_rate_sps=None,
        rate_trend_pct=None,
        pause_count=0,
        mean_pause_s=None,
        level_dbfs=None,
        level_range_db=None,
        loud_bursts=0,
        pitch_hz_median=None,
        pitch_spread_st=None,
        phrases_judged=0,
        rising_ends=0,
        noise_floor_dbfs=floor,
        snr_db=None,
        clipped_ratio=prep.clipped_ratio,
        invalid_ratio=prep.invalid_ratio,
        rate_ok=prep.rate_ok,
        voiced_s=0.0,
    )
