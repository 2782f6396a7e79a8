"""Property tests (issue #8): tone analysis on arbitrary arrays, rates, transcripts and baselines.

The contract (``voicecoach.analysis.tone``): ``analyze_tone`` never raises on odd audio. NaN and
infinite samples are *sanitised and flagged*, not refused: they are read as silence and the report
carries ``invalid_samples`` (a session must go on when one reply's audio is corrupt); a rate that is
not audio gives ``invalid_rate``. Whatever arrives, every number in the report is finite or
``None`` (its JSON has no NaN), the score lies in 0-100, and the catch-all in ``analyze_tone``
(``analysis_error``) is never needed: reaching it means a detector broke on that input.

``baseline_from_clip`` refuses unusable audio with ``AudioFileError`` and nothing else, and what it
accepts can be saved and loaded back.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.unit.tone_audio import speech
from voicecoach.analysis.baseline import baseline_from_clip, load_baseline, save_baseline
from voicecoach.analysis.quality import prepare
from voicecoach.analysis.tone import analyze_tone
from voicecoach.config import ToneOptions
from voicecoach.errors import AudioFileError
from voicecoach.types import AudioClip, Baseline, ToneReport, Transcript, Word

pytestmark = pytest.mark.unit

#: Values a broken file or a bad conversion can hold: NaN, infinities, float32/float64 extremes,
#: denormals, signed zero.
SPECIALS = [
    math.nan,
    math.inf,
    -math.inf,
    3.4e38,
    -3.4e38,
    1e300,
    -1e308,
    1e-40,
    5e-324,
    -1e-310,
    0.0,
    -0.0,
    1.0,
    -1.0,
]
#: Usual rates, the edges of what ``quality.prepare`` accepts, and rates no recorder produces.
RATES = st.one_of(
    st.sampled_from([8_000, 16_000, 22_050, 44_100, 48_000, 96_000, 192_000, 999, 1_000, 16_001]),
    st.integers(1, 192_000),
    st.integers(-1_000, 0),
)
#: At most this many seconds and samples per example, so a run stays within the test budget.
MAX_S = 3.0
MAX_SAMPLES = 200_000
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _speech_like(n: int, rate: int, f0: float, syll_rate: float) -> np.ndarray:
    """A harmonic "voice" with a syllable envelope: enough to make every detector run."""
    t = np.arange(n) / max(rate, 1)
    phase = 2 * np.pi * f0 * t
    src = sum(np.sin(k * phase) / k for k in range(1, 8))
    env = np.sin(np.pi * ((t * syll_rate) % 1.0)) ** 2
    return np.asarray(src * env, dtype=np.float64)


@st.composite
def signals(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """(samples, rate): raw arbitrary floats, or a structured signal with special values injected."""
    rate = draw(RATES)
    kind = draw(st.sampled_from(["raw", "voice", "voice", "speech", "noise", "constant", "impulses"]))
    event(kind)
    if kind == "voice":
        # The synthetic voice of test_tone.py (pauses, syllables, falling or rising ends), at a
        # usual rate, so that every detector runs on something it measures before corruption.
        rate = draw(st.sampled_from([8_000, 16_000, 22_050, 44_100, 48_000]))
        x = speech(
            f0=draw(st.floats(70.0, 400.0)),
            phrases=tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=2))),
            rate=draw(st.floats(2.5, 7.0)),
            pauses=(draw(st.floats(0.0, 0.8)),),
            end=draw(st.sampled_from(["fall", "rise"])),
            level_db=draw(st.floats(-50.0, 0.0)),
            sr=rate,
        )
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        x = x + rng.standard_normal(x.size) * draw(st.sampled_from([0.0, 1e-4, 1e-2, 0.1]))
        return _corrupt(draw, x, draw(st.sampled_from([np.float32, np.float64]))), rate
    if kind == "raw":
        dtype = draw(st.sampled_from([np.float32, np.float64]))
        x = draw(hnp.arrays(dtype, st.integers(0, 600), elements=hnp.from_dtype(np.dtype(dtype))))
        return np.asarray(x), rate
    seconds = draw(st.one_of(st.sampled_from([0.0, 0.01, 0.3, 1.0, 2.0, MAX_S]), st.floats(0.0, MAX_S)))
    n = min(MAX_SAMPLES, int(seconds * max(rate, 1)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if kind == "speech":
        x = _speech_like(n, rate, draw(st.floats(50.0, 600.0)), draw(st.floats(1.0, 10.0)))
    elif kind == "noise":
        x = rng.standard_normal(n)
    elif kind == "constant":
        x = np.full(n, draw(st.sampled_from(SPECIALS)))
    else:
        x = np.zeros(n)
        if n:
            x[rng.integers(0, n, size=min(n, 20))] = 1.0
    with np.errstate(all="ignore"):
        x = x * draw(st.sampled_from([1.0, 0.3, 1e-6, 1e-40, 30.0, 1e30, 1e300]))
    return _corrupt(draw, x, draw(st.sampled_from([np.float32, np.float64]))), rate


def _corrupt(draw: st.DrawFn, x: np.ndarray, dtype: type[np.floating[Any]]) -> np.ndarray:
    """Maybe overwrite a stretch and some single samples with special values; maybe make stereo."""
    n = x.size
    if n and draw(st.booleans()):
        # Sprinkle special values: a stretch of one value, or single samples anywhere.
        value = draw(st.sampled_from(SPECIALS))
        start = draw(st.integers(0, n - 1))
        length = draw(st.integers(1, max(1, n - start)))
        x[start : start + length] = value
        for i in draw(st.lists(st.integers(0, n - 1), max_size=8)):
            x[i] = draw(st.sampled_from(SPECIALS))
    with np.errstate(all="ignore"):
        x = x.astype(dtype)
    if n and draw(st.booleans()):
        # Stereo, either axis order.
        x = np.stack([x, x[::-1]], axis=draw(st.sampled_from([0, 1])))
    return x


transcripts = st.one_of(
    st.none(),
    st.builds(
        Transcript,
        text=st.text(max_size=60),
        words=st.lists(
            st.builds(
                Word,
                text=st.text(max_size=8),
                start=st.floats(allow_nan=True),
                end=st.floats(allow_nan=True),
                probability=st.floats(allow_nan=True),
            ),
            max_size=5,
        ).map(tuple),
    ),
)
baselines = st.one_of(
    st.none(),
    st.builds(
        Baseline,
        level_dbfs=st.floats(-120.0, 0.0),
        pitch_hz_median=st.floats(40.0, 1000.0),
        articulation_rate_sps=st.floats(0.5, 12.0),
        wpm=st.one_of(st.none(), st.floats(20.0, 400.0)),
    ),
)


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, dict):
        return [v for item in value.values() for v in _numbers(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _numbers(item)]
    return []


def _codes(r: ToneReport) -> set[str]:
    return {f.code for f in r.flags}


def _non_finite_share(x: np.ndarray) -> float:
    return 0.0 if x.size == 0 else 1.0 - float(np.count_nonzero(np.isfinite(x))) / x.size


@FUZZ
@given(signal=signals(), transcript=transcripts, baseline=baselines)
def test_any_input_gives_a_finite_flagged_report(
    signal: tuple[np.ndarray, int], transcript: Transcript | None, baseline: Baseline | None
) -> None:
    x, rate = signal
    note(f"shape={x.shape} dtype={x.dtype} rate={rate}")
    r = analyze_tone(AudioClip(x, rate), transcript, baseline)  # type: ignore[arg-type]
    codes = _codes(r)
    event("measured" if r.speech_s > 0 else "no speech")
    # The catch-all is for bugs; no input may need it.
    assert "analysis_error" not in codes, codes
    assert isinstance(r.calm_score, int) and 0 <= r.calm_score <= 100
    data = r.to_dict()
    json.dumps(data, allow_nan=False)
    for name in r.__dataclass_fields__:
        value = getattr(r, name)
        if isinstance(value, float):
            assert math.isfinite(value), (name, value)
    assert all(math.isfinite(v) for v in _numbers(data))
    assert r.words == (transcript.word_count if transcript is not None else 0)
    assert r.duration_s >= 0.0 and r.speech_s >= 0.0 and r.pause_count >= 0
    assert 0.0 <= r.clipped_ratio <= 1.0
    assert r.baseline == ("trainee" if baseline is not None else "population")
    # Garbage is flagged, never scored as a clean reply.
    if _non_finite_share(x) > 0 and 1_000 <= rate <= 768_000:
        assert "invalid_samples" in codes
    if not 1_000 <= rate <= 768_000:
        assert {"invalid_rate", "no_speech"} <= codes
    if x.size == 0 or not np.any(np.isfinite(x) & (x != 0)):
        assert "no_speech" in codes
    if "no_speech" in codes:
        assert r.speech_s == 0.0 and r.pitch_hz_median is None and r.wpm is None
    if x.ndim == 1 and 1_000 <= rate <= 768_000:
        with np.errstate(all="ignore"):
            beyond = float(np.count_nonzero(np.isfinite(x) & (np.abs(x) > 2.0))) / max(x.size, 1)
        if beyond > ToneOptions().clipped_ratio_warn:
            # Samples far beyond full scale are cut there (quality.prepare) and reported as clipping.
            assert "clipped" in codes
    if r.level_dbfs is not None:
        assert r.level_dbfs < 12.0  # dB re full scale: cut samples keep it near 0 dBFS at most
    if r.speech_s > 0:
        # Speaking time lies inside the recording (plus one 10 ms analysis frame of rounding).
        assert r.speech_s <= r.duration_s + 0.011


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal=signals())
def test_prepared_samples_are_always_finite(signal: tuple[np.ndarray, int]) -> None:
    """``quality.prepare`` is the one gate every detector sits behind: nothing non-finite passes."""
    x, rate = signal
    with np.errstate(all="ignore"):
        p = prepare(x, rate)
    assert np.all(np.isfinite(p.samples))
    assert 0.0 <= p.invalid_ratio <= 1.0 and 0.0 <= p.clipped_ratio <= 1.0


@st.composite
def readings(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """A calm reading long enough to calibrate from, then maybe corrupted like any other signal."""
    rate = draw(st.sampled_from([16_000, 44_100, 48_000]))
    x = speech(
        f0=draw(st.floats(80.0, 300.0)),
        phrases=(draw(st.integers(7, 10)), draw(st.integers(7, 10))),
        rate=draw(st.floats(3.0, 5.0)),
        pauses=(0.5,),
        level_db=draw(st.floats(-30.0, -3.0)),
        sr=rate,
    )
    return _corrupt(draw, x, np.float32), rate


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal=st.one_of(signals(), readings()))
def test_baseline_refuses_only_with_audio_file_error_and_round_trips(signal: tuple[np.ndarray, int]) -> None:
    x, rate = signal
    try:
        base = baseline_from_clip(AudioClip(x, rate))  # type: ignore[arg-type]
    except AudioFileError as e:
        event("refused")
        assert str(e)
        return
    event("accepted")
    for value in (base.level_dbfs, base.pitch_hz_median, base.articulation_rate_sps):
        assert math.isfinite(value)
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "baseline.json"
        save_baseline(path, base)
        assert load_baseline(path) == base
