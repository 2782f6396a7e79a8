"""How a reply sounded: pace, pauses, loudness, pitch and phrase ends, judged for calm.

``analyze_tone`` measures the audio (``analysis.measure``), compares it with the trainee's calm
baseline when there is one -- DOMAIN.md: measure each trainee against their own calm reading, use
population numbers only as a fallback -- and turns what stands out into plain-words flags and a
0-100 calm-delivery score. Only the word count comes from speech recognition; pauses, speaking
time, syllables and pitch come from the audio.

It never raises on odd audio: silence, noise, clipping, NaN samples, any rate or length give a
report with ``None`` where nothing could be measured and flags that say why.
"""

from __future__ import annotations

import logging
import math

from voicecoach.analysis.measure import Delivery, measure_delivery
from voicecoach.config import ToneOptions
from voicecoach.types import AudioClip, Baseline, BaselineSource, ToneFlag, ToneReport, Transcript

logger = logging.getLogger(__name__)

#: Score when nothing could be measured: neither praise nor blame (the flags say why).
UNSCORED = 50
#: Points lost per finding at its threshold, and the most each can cost. The weights put the
#: cues DOMAIN.md ties to anger and effort (loudness, rate, pitch: Banse & Scherer 1996) first.
_WEIGHTS = {
    "louder": 30,
    "faster": 25,
    "higher_pitch": 20,
    "sped_up": 15,
    "rising_ends": 15,
    "loud_burst": 10,
    "rushed": 10,
    "fast_population": 20,
}


def analyze_tone(
    clip: AudioClip,
    transcript: Transcript | None = None,
    baseline: Baseline | None = None,
    options: ToneOptions = ToneOptions(),  # frozen, so sharing the default is safe
) -> ToneReport:
    """Measure one reply and judge it against ``baseline`` (or population ranges without one)."""
    words = transcript.word_count if transcript is not None else 0
    try:
        d = measure_delivery(clip.samples, clip.sample_rate, options)
    except (ValueError, MemoryError, FloatingPointError) as e:
        # Measurement is written not to fail; if some input still breaks it, the session must go
        # on: report "not measurable" and leave the traceback in the log for a bug report.
        logger.warning("tone analysis failed (%s); reporting the reply as unmeasured", e, exc_info=True)
        return _unmeasured(clip, words, baseline)
    return judge(d, words, baseline, options)


def judge(d: Delivery, words: int, baseline: Baseline | None, options: ToneOptions) -> ToneReport:
    """Compare a reply's measurements with a baseline, flag what stands out and score it."""
    source: BaselineSource = "trainee" if baseline is not None else "population"
    flags = list(_quality_flags(d, options))
    # Pitch, its spread and sentence ends are reported only where enough of the reply was voiced:
    # a whisper's "pitch" is the tracker reading its noise (Delivery.has_voice).
    voice = d.has_voice(options.min_voiced_share)
    wpm = words / d.speech_s * 60.0 if words and d.speech_s > 0 else None
    level_vs = pitch_vs = rate_vs = None
    if baseline is not None:
        if d.level_dbfs is not None:
            level_vs = d.level_dbfs - baseline.level_dbfs
        if d.pitch_hz_median is not None and baseline.pitch_hz_median > 0 and voice:
            pitch_vs = 12.0 * math.log2(d.pitch_hz_median / baseline.pitch_hz_median)
        if d.articulation_rate_sps is not None and baseline.articulation_rate_sps > 0:
            rate_vs = 100.0 * (d.articulation_rate_sps / baseline.articulation_rate_sps - 1.0)
    else:
        flags.append(
            ToneFlag(
                "population_baseline",
                "No calm baseline recorded yet, so this reply was compared with typical conversational "
                "ranges; record one with `voicecoach calibrate` for advice about your own voice.",
            )
        )
    measurable = d.syllables > 0 or d.voiced_s > 0
    trusted_pace = measurable and not any(f.code in ("low_snr", "no_speech") for f in flags)
    findings = _findings(
        d,
        wpm=wpm,
        level_vs=level_vs,
        pitch_vs=pitch_vs,
        rate_vs=rate_vs,
        trusted_pace=trusted_pace,
        o=options,
    )
    flags.extend(f for f, _ in findings)
    score = UNSCORED if not measurable else max(0, 100 - sum(p for _, p in findings))
    return ToneReport(
        duration_s=d.duration_s,
        speech_s=d.speech_s,
        words=words,
        wpm=wpm,
        articulation_rate_sps=d.articulation_rate_sps,
        pause_count=d.pause_count,
        mean_pause_s=d.mean_pause_s,
        level_dbfs=d.level_dbfs,
        level_range_db=d.level_range_db,
        pitch_hz_median=d.pitch_hz_median if voice else None,
        pitch_spread_st=d.pitch_spread_st if voice else None,
        rising_end_ratio=d.rising_end_ratio if voice else None,
        snr_db=d.snr_db,
        level_db_vs_baseline=level_vs,
        pitch_st_vs_baseline=pitch_vs,
        rate_pct_vs_baseline=rate_vs,
        rate_trend_pct=d.rate_trend_pct,
        clipped_ratio=d.clipped_ratio,
        baseline=source,
        calm_score=round(score),
        flags=tuple(flags),
    )


def _penalty(code: str, excess: float, threshold: float) -> int:
    """Half the weight at the threshold, rising to the full weight at twice the threshold."""
    share = 0.5 + 0.5 * min(1.0, max(0.0, excess / threshold if threshold else 1.0))
    return round(_WEIGHTS[code] * share)


def _findings(
    d: Delivery,
    *,
    wpm: float | None,
    level_vs: float | None,
    pitch_vs: float | None,
    rate_vs: float | None,
    trusted_pace: bool,
    o: ToneOptions,
) -> list[tuple[ToneFlag, int]]:
    out: list[tuple[ToneFlag, int]] = []
    if level_vs is not None and level_vs >= o.level_up_db:
        msg = f"You got {level_vs:.0f} dB louder than your calm baseline."
        out.append((ToneFlag("louder", msg), _penalty("louder", level_vs - o.level_up_db, o.level_up_db)))
    if trusted_pace and rate_vs is not None and rate_vs > o.rate_up_pct:
        msg = f"You spoke {rate_vs:.0f}% faster than your calm baseline."
        out.append((ToneFlag("faster", msg), _penalty("faster", rate_vs - o.rate_up_pct, o.rate_up_pct)))
    if pitch_vs is not None and pitch_vs >= o.pitch_up_st:
        msg = f"Your voice was {pitch_vs:.1f} semitones higher than your calm baseline."
        out.append(
            (ToneFlag("higher_pitch", msg), _penalty("higher_pitch", pitch_vs - o.pitch_up_st, o.pitch_up_st))
        )
    # Each half's rate is a count of a few dozen syllables at most; a count of n wobbles by about
    # 1/sqrt(n) from content alone (espeak replies read at one fixed rate showed +-25% trends at
    # ~15 syllables a half), so a short reply must change by more than that to count as a speed-up.
    trend_gate = max(o.rate_trend_pct, 100.0 / math.sqrt(max(d.syllables / 2.0, 1.0)))
    if trusted_pace and d.rate_trend_pct is not None and d.rate_trend_pct >= trend_gate:
        msg = f"You sped up {d.rate_trend_pct:.0f}% in the second half."
        excess = d.rate_trend_pct - trend_gate
        out.append((ToneFlag("sped_up", msg), _penalty("sped_up", excess, trend_gate)))
    ratio = d.rising_end_ratio if d.has_voice(o.min_voiced_share) else None
    if ratio is not None and ratio > o.rising_end_ratio_max:
        msg = (
            "Your sentence ended going up, which can sound unsure."
            if d.phrases_judged == 1
            else f"Your sentences ended going up ({d.rising_ends} of {d.phrases_judged}), "
            "which can sound unsure."
        )
        excess = ratio - o.rising_end_ratio_max
        out.append((ToneFlag("rising_ends", msg), _penalty("rising_ends", excess, o.rising_end_ratio_max)))
    if d.loud_bursts:
        msg = f"Your voice jumped to a shout {d.loud_bursts} time{'s' if d.loud_bursts > 1 else ''}."
        out.append((ToneFlag("loud_burst", msg), _penalty("loud_burst", d.loud_bursts - 1, 1.0)))
    if trusted_pace and d.pause_count == 0 and d.phonation_s >= o.rushed_after_s:
        msg = f"You talked for {d.phonation_s:.0f} seconds without a pause; short pauses give room to answer."
        out.append((ToneFlag("rushed", msg), _penalty("rushed", d.phonation_s / o.rushed_after_s - 1, 1.0)))
    if trusted_pace and rate_vs is None:
        out.extend(_population_pace(d, wpm, o))
    return out


def _population_pace(d: Delivery, wpm: float | None, o: ToneOptions) -> list[tuple[ToneFlag, int]]:
    if wpm is not None:
        if wpm > o.population_wpm_high:
            msg = f"You spoke at {wpm:.0f} words a minute; calm conversation is about 140-160."
            excess = wpm / o.population_wpm_high - 1
            return [(ToneFlag("fast_population", msg), _penalty("fast_population", excess, 0.15))]
        if wpm < o.population_wpm_low:
            msg = f"You spoke at {wpm:.0f} words a minute, slower than typical conversation (140-160)."
            return [(ToneFlag("slow_population", msg), 0)]
        return []
    rate = d.articulation_rate_sps
    if rate is not None and rate > o.population_sps_high:
        msg = f"You spoke at {rate:.1f} syllables a second, faster than calm conversation."
        excess = rate / o.population_sps_high - 1
        return [(ToneFlag("fast_population", msg), _penalty("fast_population", excess, 0.15))]
    return []


def _quality_flags(d: Delivery, o: ToneOptions) -> list[ToneFlag]:
    flags: list[ToneFlag] = []
    if not d.rate_ok:
        flags.append(ToneFlag("invalid_rate", "The recording's sample rate is not usable audio."))
    if d.invalid_ratio > 0:
        pct = 100.0 * d.invalid_ratio
        flags.append(
            ToneFlag(
                "invalid_samples", f"{pct:.1f}% of the recording was corrupt (NaN/inf) and read as silence."
            )
        )
    if d.clipped_ratio > o.clipped_ratio_warn:
        flags.append(
            ToneFlag(
                "clipped", "The recording is clipped (input too loud); loudness and pitch are less reliable."
            )
        )
    if d.speech_s <= 0:
        flags.append(ToneFlag("no_speech", "No speech was found in the recording, so tone was not measured."))
        return flags
    if d.snr_db is not None and d.snr_db < o.unusable_snr_db:
        flags.append(
            ToneFlag(
                "low_snr",
                f"Background noise is too loud (speech only {d.snr_db:.0f} dB above it): pauses and pace "
                "were not judged.",
            )
        )
    elif d.snr_db is not None and d.snr_db < o.warn_snr_db:
        flags.append(
            ToneFlag(
                "noisy",
                f"Background noise is loud (speech {d.snr_db:.0f} dB above it); pauses may be missed.",
            )
        )
    if d.voiced_s <= 0:
        flags.append(
            ToneFlag(
                "no_voice", "No voiced speech was found (whispered or very noisy), so pitch was not measured."
            )
        )
    elif d.voiced_s < o.min_voiced_share * d.phonation_s:
        flags.append(
            ToneFlag(
                "little_voice",
                "Little of the reply was voiced (whispered or creaky), so pitch and sentence ends "
                "were not measured.",
            )
        )
    return flags


def _unmeasured(clip: AudioClip, words: int, baseline: Baseline | None) -> ToneReport:
    return ToneReport(
        duration_s=clip.duration_s,
        speech_s=0.0,
        words=words,
        wpm=None,
        articulation_rate_sps=None,
        pause_count=0,
        mean_pause_s=None,
        level_dbfs=None,
        level_range_db=None,
        pitch_hz_median=None,
        pitch_spread_st=None,
        rising_end_ratio=None,
        snr_db=None,
        level_db_vs_baseline=None,
        pitch_st_vs_baseline=None,
        rate_pct_vs_baseline=None,
        rate_trend_pct=None,
        clipped_ratio=0.0,
        baseline="trainee" if baseline is not None else "population",
        calm_score=UNSCORED,
        flags=(ToneFlag("analysis_error", "Tone could not be measured for this recording."),),
    )
