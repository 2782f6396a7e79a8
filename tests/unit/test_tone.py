"""Tone analysis on synthesized audio: invariances, known truths, and every odd input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from tests.unit.tone_audio import SR, clip, noise, speech, whisper
from voicecoach.analysis.baseline import BaselineError, baseline_from_clip, load_baseline, save_baseline
from voicecoach.analysis.pitch import track_pitch
from voicecoach.analysis.tone import UNSCORED, analyze_tone
from voicecoach.config import ToneOptions
from voicecoach.errors import AudioFileError, VoiceCoachError
from voicecoach.types import AudioClip, Baseline, ToneReport, Transcript

pytestmark = pytest.mark.unit


def codes(r: ToneReport) -> set[str]:
    return {f.code for f in r.flags}


def semitones(a: float | None, b: float | None) -> float:
    assert a is not None and b is not None
    return 12.0 * math.log2(a / b)


@pytest.fixture(scope="module")
def calm() -> np.ndarray:
    return speech(f0=120.0, phrases=(8, 8), rate=4.0, pauses=(0.6,))


@pytest.fixture(scope="module")
def calm_report(calm: np.ndarray) -> ToneReport:
    return analyze_tone(clip(calm))


# --- invariances -------------------------------------------------------------------------------


@pytest.mark.parametrize("gain_db", [-12.0, 12.0])
def test_gain_moves_level_by_exactly_the_gain_and_nothing_else(
    calm: np.ndarray, calm_report: ToneReport, gain_db: float
) -> None:
    r = analyze_tone(clip(calm * 10 ** (gain_db / 20)))
    assert r.level_dbfs is not None and calm_report.level_dbfs is not None
    assert r.level_dbfs - calm_report.level_dbfs == pytest.approx(gain_db, abs=0.05)
    assert abs(semitones(r.pitch_hz_median, calm_report.pitch_hz_median)) <= 0.2
    assert r.articulation_rate_sps == pytest.approx(calm_report.articulation_rate_sps, rel=0.03)
    assert r.pause_count == calm_report.pause_count


def test_pitch_shift_moves_pitch_but_not_rate(calm_report: ToneReport) -> None:
    higher = analyze_tone(clip(speech(f0=120.0 * 2 ** (4 / 12), phrases=(8, 8), rate=4.0, pauses=(0.6,))))
    assert semitones(higher.pitch_hz_median, calm_report.pitch_hz_median) == pytest.approx(4.0, abs=0.25)
    assert higher.articulation_rate_sps == pytest.approx(calm_report.articulation_rate_sps, rel=0.03)


# --- known truths ----------------------------------------------------------------------------


def test_articulation_rate_follows_the_syllables(calm_report: ToneReport) -> None:
    # 16 syllables at 4/s: the truth is 4.0 syllables per second of phonation.
    assert calm_report.articulation_rate_sps == pytest.approx(4.0, rel=0.1)
    fast = analyze_tone(clip(speech(rate=6.0)))
    assert fast.articulation_rate_sps == pytest.approx(6.0, rel=0.1)


@pytest.mark.parametrize("snr_db", [None, 20.0])
def test_pauses_are_counted_from_the_audio(snr_db: float | None) -> None:
    x = speech(phrases=(6, 6, 6), pauses=(0.35, 0.9))
    if snr_db is not None:
        rms = float(np.sqrt(np.mean(x[np.abs(x) > 1e-4] ** 2)))
        x = x + noise(x.size, rms * 10 ** (-snr_db / 20))
    r = analyze_tone(clip(x))
    assert r.pause_count == 2
    # Each synthetic phrase ends with its last syllable's 30% near-silent consonant slot.
    truth = (0.35 + 0.9) / 2 + 0.3 / 4.0
    # In noise the quiet edges of syllables sink below the threshold, so pauses read a little long.
    assert r.mean_pause_s == pytest.approx(truth, abs=0.03 if snr_db is None else 0.08)
    if snr_db is not None:
        assert r.snr_db == pytest.approx(snr_db, abs=3.0)


def test_a_register_shift_keeps_both_registers() -> None:
    # Modal voice, then falsetto two octaves up (as in mfa_registershift): both are the speaker's
    # voice, so the median sits in the longer stretch and the spread spans both.
    x = np.concatenate(
        [speech(f0=110.0, phrases=(6,), pauses=()), speech(f0=440.0, phrases=(10,), pauses=())]
    )
    r = analyze_tone(clip(x))
    assert abs(semitones(r.pitch_hz_median, 440.0)) < 1.5
    assert r.pitch_spread_st is not None and r.pitch_spread_st > 20


def test_no_reading_at_or_above_the_ceiling() -> None:
    # A 610 Hz tone is just above a 75-600 Hz range (its period rounds to the shortest lag searched):
    # the tracker may report its octave below, as Praat does, never a reading at 600 Hz or more.
    t = np.arange(SR) / SR
    x = 0.3 * np.sum([np.sin(2 * np.pi * 610.0 * k * t) / k for k in range(1, 6)], axis=0)
    o = ToneOptions()
    track = track_pitch(x, SR, 160, x.size // 160, floor_hz=75.0, ceiling_hz=600.0, options=o)
    assert np.all(track.f0_hz[track.voiced] < 600.0)


def test_rising_and_falling_ends() -> None:
    rising = analyze_tone(clip(speech(end="rise")))
    falling = analyze_tone(clip(speech(end="fall")))
    assert rising.rising_end_ratio == 1.0
    assert falling.rising_end_ratio == 0.0
    assert "rising_ends" in codes(rising) and "rising_ends" not in codes(falling)
    assert any("ended going up" in f.message for f in rising.flags)


def test_speeding_up_is_reported() -> None:
    x = np.concatenate(
        [speech(phrases=(12,), pauses=(), rate=3.5), speech(phrases=(18,), pauses=(), rate=5.5)]
    )
    r = analyze_tone(clip(x))
    assert r.rate_trend_pct is not None and r.rate_trend_pct > 30
    assert any(f.code == "sped_up" and "in the second half" in f.message for f in r.flags)
    steady = analyze_tone(clip(speech(phrases=(15, 15), pauses=(0.5,), rate=4.5)))
    assert steady.rate_trend_pct is not None and abs(steady.rate_trend_pct) < 15
    assert "sped_up" not in codes(steady)


def test_a_shouted_phrase_is_a_loud_burst() -> None:
    quiet = speech(phrases=(6,), pauses=())
    loud = speech(phrases=(6,), pauses=(), level_db=0.0)
    r = analyze_tone(clip(np.concatenate([quiet, loud, quiet])))
    assert "loud_burst" in codes(r)
    assert "loud_burst" not in codes(analyze_tone(clip(np.concatenate([quiet, quiet, quiet]))))


def test_long_reply_without_a_pause_reads_as_rushed() -> None:
    r = analyze_tone(clip(speech(phrases=(44,), pauses=(), rate=4.0)))
    assert r.pause_count == 0
    assert "rushed" in codes(r)
    paused = analyze_tone(clip(speech(phrases=(22, 22), pauses=(0.6,), rate=4.0)))
    assert "rushed" not in codes(paused)


def test_wpm_uses_the_transcript_word_count_over_speaking_time(
    calm_report: ToneReport, calm: np.ndarray
) -> None:
    r = analyze_tone(clip(calm), Transcript(text=" ".join(["word"] * 10)))
    assert r.words == 10
    assert r.wpm == pytest.approx(10 / r.speech_s * 60)
    assert calm_report.wpm is None


# --- baseline ---------------------------------------------------------------------------------


def test_report_is_relative_to_the_baseline(calm: np.ndarray) -> None:
    base = baseline_from_clip(clip(calm))
    tense_audio = speech(f0=120.0 * 2 ** (4 / 12), phrases=(10, 10), rate=5.2, pauses=(0.6,), level_db=-4.0)
    tense = analyze_tone(clip(tense_audio), baseline=base)
    same = analyze_tone(clip(calm), baseline=base)
    assert tense.baseline == same.baseline == "trainee"
    # Peaks are 8 dB apart; the voiced-frame mean also shifts a little with the faster envelope.
    assert tense.level_db_vs_baseline == pytest.approx(8.0, abs=1.0)
    assert tense.pitch_st_vs_baseline == pytest.approx(4.0, abs=0.3)
    assert tense.rate_pct_vs_baseline == pytest.approx(30.0, abs=8.0)
    assert {"louder", "higher_pitch", "faster"} <= codes(tense)
    assert any("dB louder than your calm baseline" in f.message for f in tense.flags)
    assert same.level_db_vs_baseline == pytest.approx(0.0, abs=0.01)
    assert same.calm_score == 100
    assert tense.calm_score < 60


def test_without_a_baseline_the_report_says_population(calm_report: ToneReport) -> None:
    assert calm_report.baseline == "population"
    assert "population_baseline" in codes(calm_report)
    assert calm_report.level_db_vs_baseline is None and calm_report.pitch_st_vs_baseline is None


def test_baseline_round_trips(tmp_path: Path, calm: np.ndarray) -> None:
    base = baseline_from_clip(clip(calm), trainee="ana", source_file="passage.wav")
    path = tmp_path / "deep" / "ana.json"
    save_baseline(path, base)
    assert load_baseline(path) == base
    # Measured from the trainee's voice: private like a session (issue 8).
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"format": 1}', '{"format": 1, "level_dbfs": "loud", "pitch_hz_median": 1}', ""],
)
def test_corrupt_baseline_raises_a_one_line_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(BaselineError) as err:
        load_baseline(path)
    assert isinstance(err.value, VoiceCoachError)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_missing_baseline_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="calibrate"):
        load_baseline(tmp_path / "none.json")


@pytest.mark.parametrize("x", [np.zeros(SR * 5), speech(phrases=(3,), pauses=()), whisper(n_syll=24)])
def test_unusable_calibration_raises(x: np.ndarray) -> None:
    with pytest.raises(AudioFileError):
        baseline_from_clip(clip(x))


# --- odd input: always a defined report -----------------------------------------------------


def assert_defined(r: ToneReport) -> None:
    assert 0 <= r.calm_score <= 100
    json.dumps(r.to_dict(), allow_nan=False)
    for name in ("level_dbfs", "pitch_hz_median", "articulation_rate_sps", "snr_db", "wpm"):
        value = getattr(r, name)
        assert value is None or math.isfinite(value), name


@pytest.mark.parametrize(
    ("name", "samples", "rate"),
    [
        ("empty", np.zeros(0), SR),
        ("one sample", np.ones(1), SR),
        ("silence", np.zeros(SR * 3), SR),
        ("white noise", noise(SR * 3, 0.1), SR),
        ("dc", np.full(SR, 0.5), SR),
        ("zero rate", np.zeros(SR), 0),
    ],
)
def test_no_speech_inputs(name: str, samples: np.ndarray, rate: int) -> None:
    r = analyze_tone(AudioClip(samples.astype(np.float32), rate))
    assert_defined(r)
    assert "no_speech" in codes(r), name
    assert r.calm_score == UNSCORED
    assert r.pitch_hz_median is None and r.articulation_rate_sps is None


def test_noisy_reply_is_flagged_not_judged_on_pace(calm: np.ndarray) -> None:
    rms = float(np.sqrt(np.mean(calm[np.abs(calm) > 1e-4] ** 2)))
    r = analyze_tone(clip(calm + noise(calm.size, rms / 2)))
    assert_defined(r)
    assert {"low_snr"} <= codes(r) or "no_speech" in codes(r)


def test_whisper_is_not_judged_on_pitch(calm: np.ndarray) -> None:
    base = baseline_from_clip(clip(calm))
    r = analyze_tone(clip(whisper()), baseline=base)
    assert_defined(r)
    assert codes(r) & {"little_voice", "no_voice"}
    # A whisper has no F0: what a tracker finds in its noise is withheld, not reported.
    assert r.pitch_hz_median is None and r.pitch_spread_st is None and r.rising_end_ratio is None
    assert r.pitch_st_vs_baseline is None
    assert not codes(r) & {"higher_pitch", "rising_ends"}
    assert "little_voice" not in codes(analyze_tone(clip(calm), baseline=base))


def test_blip(calm: np.ndarray) -> None:
    r = analyze_tone(clip(calm[SR : SR + SR // 5]))
    assert_defined(r)
    assert r.duration_s == pytest.approx(0.2)


def test_clipped_recording_is_flagged(calm: np.ndarray) -> None:
    r = analyze_tone(clip(np.clip(calm * 30, -1, 1)))
    assert_defined(r)
    assert "clipped" in codes(r)
    assert "clipped" not in codes(analyze_tone(clip(calm)))


def test_nan_and_inf_samples_are_flagged_and_ignored(calm: np.ndarray, calm_report: ToneReport) -> None:
    x = calm.copy()
    x[::997] = np.nan
    x[5::1499] = np.inf
    r = analyze_tone(clip(x))
    assert_defined(r)
    assert "invalid_samples" in codes(r)
    assert abs(semitones(r.pitch_hz_median, calm_report.pitch_hz_median)) < 0.3
    all_nan = analyze_tone(AudioClip(np.full(SR, np.nan, dtype=np.float32), SR))
    assert {"invalid_samples", "no_speech"} <= codes(all_nan)


@pytest.mark.parametrize(("rate", "channels_first"), [(8_000, False), (48_000, True), (44_100, False)])
def test_other_rates_and_stereo_measure_the_same(
    rate: int, channels_first: bool, calm_report: ToneReport
) -> None:
    x = speech(f0=120.0, phrases=(8, 8), rate=4.0, pauses=(0.6,), sr=rate)
    stereo = np.stack([x, 0.5 * x], axis=0 if channels_first else 1).astype(np.float32)
    r = analyze_tone(AudioClip(stereo, rate))
    assert_defined(r)
    assert r.duration_s == pytest.approx(x.size / rate)
    assert abs(semitones(r.pitch_hz_median, calm_report.pitch_hz_median)) < 0.3
    assert r.articulation_rate_sps == pytest.approx(calm_report.articulation_rate_sps, rel=0.05)
    assert r.pause_count == calm_report.pause_count


def test_ten_minute_file(calm: np.ndarray) -> None:
    x = np.tile(calm, int(600 * SR / calm.size) + 1)[: 600 * SR]
    r = analyze_tone(clip(x))
    assert_defined(r)
    assert r.duration_s == pytest.approx(600.0)
    assert r.pause_count > 100
    assert r.pitch_hz_median == pytest.approx(120.0, rel=0.03)


def test_odd_sample_rate_is_resampled() -> None:
    x = speech(sr=16_000)
    r = analyze_tone(AudioClip(x.astype(np.float32), 16_001))
    assert_defined(r)
    assert r.pitch_hz_median == pytest.approx(120.0, rel=0.03)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), max_size=400),
    st.sampled_from([1, 8_000, 16_000, 22_050, 48_000, -5]),
)
def test_arbitrary_samples_never_raise(values: list[float], rate: int) -> None:
    assert_defined(analyze_tone(AudioClip(np.asarray(values, dtype=np.float32), rate)))


def test_low_pass_speech_keeps_its_pitch(calm: np.ndarray, calm_report: ToneReport) -> None:
    # A telephone-band recording (300-3400 Hz) has no fundamental, only harmonics.
    sos = signal.butter(4, (300, 3400), btype="bandpass", fs=SR, output="sos")
    r = analyze_tone(clip(signal.sosfilt(sos, calm)))
    assert abs(semitones(r.pitch_hz_median, calm_report.pitch_hz_median)) < 0.3


def test_reasons_are_plain_words_for_a_tense_reply_without_baseline() -> None:
    r = analyze_tone(clip(speech(phrases=(14,), pauses=(), rate=7.5)), Transcript(text=" ".join(["w"] * 40)))
    assert r.baseline == "population"
    assert r.calm_score < 100
    assert any("words a minute" in f.message for f in r.flags)


def test_same_baseline_for_population_vs_trainee_report_field() -> None:
    b = Baseline(level_dbfs=-30.0, pitch_hz_median=120.0, articulation_rate_sps=4.0)
    r = analyze_tone(AudioClip(np.zeros(SR, dtype=np.float32), SR), baseline=b)
    assert r.baseline == "trainee"
    assert r.level_db_vs_baseline is None
