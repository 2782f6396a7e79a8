"""Tone-analysis benchmark for issue 3: prints a Markdown table of every target.

    .venv/bin/python benchmarks/tone_bench.py [--truth DIR] [--realspeech DIR] [--regen] [--details]

Synthetic ground truth comes from ``scripts/make_tone_truth.py`` (generated on demand into a temp
folder, never committed). Real speech comes from ``../shared/realspeech``; Praat
(praat-parselmouth, GPL-3) serves only as the reference here and is never imported by the package.
Runs on one core: BLAS/OpenMP threads are pinned to 1 before numpy loads.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402 - thread limits must be set before numpy is imported
import contextlib  # noqa: E402
import csv  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.io import wavfile  # noqa: E402

from voicecoach.analysis.measure import measure_delivery  # noqa: E402
from voicecoach.analysis.quality import prepare  # noqa: E402
from voicecoach.analysis.tone import analyze_tone, judge  # noqa: E402
from voicecoach.config import ToneOptions  # noqa: E402
from voicecoach.types import ANALYSIS_RATE, AudioClip, ToneReport, Transcript  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRUTH = Path("/tmp/voicecoach-tone-truth")
DEFAULT_REAL = ROOT.parent / "shared" / "realspeech"
OPTIONS = ToneOptions()


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    measure: str
    target: str
    result: str
    passed: bool | None


def load(path: Path) -> AudioClip:
    """A 16-bit WAV from the truth set as a float32 clip."""
    rate, x = wavfile.read(path)
    return AudioClip((x.astype(np.float32) / 32768.0), int(rate))


def analyze(path: Path) -> ToneReport:
    """Analyze one truth file without transcript or baseline."""
    return analyze_tone(load(path), options=OPTIONS)


def st(a: float | None, b: float | None) -> float:
    """Semitones from ``b`` to ``a`` (nan if either is missing)."""
    return 12.0 * math.log2(a / b) if a and b else math.nan


def bench_synthetic(truth: Path, details: bool) -> list[Row]:
    """Every synthetic-truth target."""
    with (truth / "truth.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    reports = {r["file"]: analyze(truth / r["file"]) for r in rows}
    out: list[Row] = []
    for part in (_rate, _gain, _pitch, _pauses, _ends):
        out += part(rows, reports, details)
    return out


def _rate(rows: list[dict[str, str]], reports: dict[str, ToneReport], details: bool) -> list[Row]:
    """Articulation rate against espeak syllables over trimmed duration."""
    out: list[Row] = []
    rate_rows = [r for r in rows if r["kind"] == "rate"]
    est = np.array([reports[r["file"]].articulation_rate_sps or np.nan for r in rate_rows])
    true = np.array([float(r["true_rate_sps"]) for r in rate_rows])
    rel = np.abs(est - true) / true
    mae = float(np.nanmean(rel)) * 100
    corr = float(np.corrcoef(est[np.isfinite(est)], true[np.isfinite(est)])[0, 1])
    bias = float(np.nanmean((est - true) / true)) * 100
    if details:
        for r, e in zip(rate_rows, est, strict=True):
            print(f"rate {r['file']:28s} true {float(r['true_rate_sps']):.2f} est {e:.2f} {r['note']}")
    out.append(
        Row(f"articulation rate MAE (n={len(rate_rows)}, bias {bias:+.1f}%)", "≤ 7%", f"{mae:.1f}%", mae <= 7)
    )
    out.append(Row("articulation rate correlation with truth", "r ≥ 0.98", f"{corr:.3f}", corr >= 0.98))

    return out


def _gain(rows: list[dict[str, str]], reports: dict[str, ToneReport], details: bool) -> list[Row]:
    """Level, pitch and rate under sox gain."""
    out: list[Row] = []
    gain_rows = [r for r in rows if r["kind"] == "gain"]
    lvl_err, f0_move, rate_move = [], [], []
    for r in gain_rows:
        a, b = reports[r["file"]], reports[r["base"]]
        lvl_err.append(abs((a.level_dbfs or math.nan) - (b.level_dbfs or math.nan) - float(r["gain_db"])))
        f0_move.append(abs(st(a.pitch_hz_median, b.pitch_hz_median)))
        rate_move.append(
            abs((a.articulation_rate_sps or math.nan) / (b.articulation_rate_sps or math.nan) - 1) * 100
        )
    e_max = float(np.nanmax(lvl_err))
    out.append(
        Row(
            f"level change error, ±6/±12 dB (n={len(gain_rows)}), max",
            "≤ 0.3 dB",
            f"{e_max:.3f} dB",
            e_max <= 0.3,
        )
    )
    p_max, r_max = float(np.nanmax(f0_move)), float(np.nanmax(rate_move))
    out.append(Row("median F0 move under ±12 dB gain, max", "≤ 0.2 st", f"{p_max:.3f} st", p_max <= 0.2))
    out.append(Row("articulation rate move under ±12 dB gain, max", "≤ 3%", f"{r_max:.2f}%", r_max <= 3))

    return out


def _pitch(rows: list[dict[str, str]], reports: dict[str, ToneReport], details: bool) -> list[Row]:
    """Median F0 shift and rate under sox pitch."""
    out: list[Row] = []
    pitch_rows = [r for r in rows if r["kind"] == "pitch"]
    p_err = np.array(
        [
            abs(
                st(reports[r["file"]].pitch_hz_median, reports[r["base"]].pitch_hz_median)
                - float(r["shift_st"])
            )
            for r in pitch_rows
        ]
    )
    if details:
        for r, e in zip(pitch_rows, p_err, strict=True):
            print(f"pitch {r['file']:32s} err {e:.3f} st")
    moves = np.array(
        [
            abs(
                (reports[r["file"]].articulation_rate_sps or math.nan)
                / (reports[r["base"]].articulation_rate_sps or math.nan)
                - 1
            )
            * 100
            for r in pitch_rows
        ]
    )
    pe_mean, pe_max = float(np.nanmean(p_err)), float(np.nanmax(p_err))
    out.append(
        Row(
            f"pitch shift error, ±1.5/±3 st (n={len(pitch_rows)}), mean / max",
            "≤ 0.25 st",
            f"{pe_mean:.3f} / {pe_max:.3f} st",
            pe_max <= 0.25,
        )
    )
    out.append(
        Row(
            "articulation rate move under pitch shift: mean / share ≤ 3% / max (2-4 s sentences)",
            "report",
            f"{np.nanmean(moves):.1f}% / {np.mean(moves <= 3):.0%} / {np.nanmax(moves):.0f}%",
            None,
        )
    )

    return out


def _pauses(rows: list[dict[str, str]], reports: dict[str, ToneReport], details: bool) -> list[Row]:
    """Pause counts, clean and in noise."""
    out: list[Row] = []
    for snr in ("", "30", "20"):
        pr = [r for r in rows if r["kind"] == "pause" and r["snr_db"] == snr]
        ok = sum(reports[r["file"]].pause_count == int(r["pauses"]) for r in pr)
        if details:
            for r in pr:
                print(f"pause {r['file']:24s} true {r['pauses']} est {reports[r['file']].pause_count}")
        label = "clean" if not snr else f"SNR {snr} dB"
        out.append(
            Row(f"pause count exact, pauses ≥ 300 ms, {label}", "100%", f"{ok}/{len(pr)}", ok == len(pr))
        )

    return out


def _ends(rows: list[dict[str, str]], reports: dict[str, ToneReport], details: bool) -> list[Row]:
    """Statement vs question phrase ends."""
    out: list[Row] = []
    end_rows = [r for r in rows if r["kind"] == "ends"]
    right: dict[str, list[bool]] = {}
    for r in end_rows:
        ratio = reports[r["file"]].rising_end_ratio
        said_rising = ratio is not None and ratio > 0.5
        right.setdefault(r["pair"], []).append(said_rising == (r["label"] == "rising"))
        if details:
            print(f"ends {r['file']:24s} {r['label']:8s} ratio {ratio}")
    files_ok = sum(sum(v) for v in right.values())
    pairs_ok = sum(all(v) for v in right.values())
    share = files_ok / len(end_rows)
    out.append(
        Row(
            "rising vs falling ends right (files; pairs both right)",
            "≥ 90%",
            f"{share:.0%} ({files_ok}/{len(end_rows)}); pairs {pairs_ok}/{len(right)}",
            share >= 0.9,
        )
    )
    return out


def praat_two_pass(sound: object) -> tuple[float | None, object]:
    """Praat's two-pass median F0 (floor 0.75 x q25, ceiling 1.5 x q75 of a 75-600 Hz first pass)."""
    import parselmouth  # GPL-3: benchmark only

    assert isinstance(sound, parselmouth.Sound)
    first = sound.to_pitch(time_step=0.01, pitch_floor=75.0, pitch_ceiling=600.0)
    f0 = first.selected_array["frequency"]
    f0 = f0[f0 > 0]
    if f0.size < 10:
        return (float(np.median(f0)) if f0.size else None), first
    q25, q75 = np.percentile(f0, [25, 75])
    second = sound.to_pitch(time_step=0.01, pitch_floor=0.75 * q25, pitch_ceiling=1.5 * q75)
    f0 = second.selected_array["frequency"]
    f0 = f0[f0 > 0]
    return (float(np.median(f0)) if f0.size else None), second


def praat_voiced_s(pitch: object) -> float:
    """Seconds of voicing in a Praat pitch track."""
    import parselmouth

    assert isinstance(pitch, parselmouth.Pitch)
    return float(np.count_nonzero(pitch.selected_array["frequency"] > 0) * float(pitch.time_step))


def real_files(real: Path) -> list[tuple[str, np.ndarray, int]]:
    """Every real recording as (name, mono samples, rate); the two-speaker stereo file is split."""
    import parselmouth

    out = []
    with (real / "MANIFEST.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            snd = parselmouth.Sound(str(real / row["path"]))
            fs = int(snd.sampling_frequency)
            if "stereo_diarization" in row["path"]:
                for ch in range(snd.n_channels):
                    out.append((f"{row['path']}[ch{ch}]", snd.values[ch].astype(np.float64), fs))
            else:
                out.append((row["path"], snd.values.mean(axis=0).astype(np.float64), fs))
    return out


@dataclass(frozen=True)
class F0Pair:
    """One recording's median F0 from us and from Praat, and whether each found enough voice."""

    name: str
    ours: float | None  # what the report says: None where it withholds pitch
    tracked: float | None  # our tracker's median over every voiced frame, withheld or not
    praat: float | None
    ours_voiced: bool
    praat_voiced: bool
    praat_same_input: float | None  # Praat's two-pass median on our prepared signal

    def agree(self, ours: float | None, praat: float | None) -> bool:
        """Within 0.3 st; two missing values agree (neither tool has an F0 to give)."""
        if ours is None or praat is None:
            return ours is None and praat is None
        return abs(st(ours, praat)) <= 0.3


def bench_real(real: Path, details: bool) -> list[Row]:
    """Median F0 against Praat, rate ordering, and speed."""
    import parselmouth

    files = real_files(real)
    whispered = _whispered(real)
    pairs: list[F0Pair] = []
    reports: dict[str, ToneReport] = {}
    for name, x, fs in files:
        d = measure_delivery(x.astype(np.float32), fs, OPTIONS)
        rep = judge(d, 0, None, OPTIONS)
        reports[name] = rep
        ref, track = praat_two_pass(parselmouth.Sound(x, sampling_frequency=fs))
        # The same reference on exactly what our tracker sees (mono, 16 kHz, rumble filtered out):
        # separates disagreements of the trackers from those of the input.
        same_input, _ = praat_two_pass(
            parselmouth.Sound(prepare(x, fs).samples, sampling_frequency=ANALYSIS_RATE)
        )
        # Praat's voicing is judged by the report's own rule, over the same phonation time.
        praat_voiced = d.phonation_s > 0 and praat_voiced_s(track) >= OPTIONS.min_voiced_share * d.phonation_s
        pairs.append(
            F0Pair(
                name,
                rep.pitch_hz_median,
                d.pitch_hz_median,
                ref,
                d.has_voice(OPTIONS.min_voiced_share),
                praat_voiced,
                same_input,
            )
        )
        if details:
            print(
                f"f0 {name:60s} ours {_hz(d.pitch_hz_median)} praat {_hz(ref)} "
                f"{st(d.pitch_hz_median, ref):+.2f} st  voiced ours {d.has_voice(OPTIONS.min_voiced_share)} "
                f"praat {praat_voiced}"
            )
    n = len(pairs)
    # 1. As reported: each tool gives a median only where it found voicing in a third of the speech.
    reported = [p.agree(p.ours, p.praat if p.praat_voiced else None) for p in pairs]
    # 2. The trackers alone: every file, both medians, whatever the voicing.
    tracked = [p.agree(p.tracked, p.praat) for p in pairs]
    # 3. The harshest reading: a withheld pitch is a miss whatever Praat found.
    harsh = [p.ours is not None and p.agree(p.ours, p.praat) for p in pairs]
    same = [p.agree(p.tracked, p.praat_same_input) for p in pairs]
    for p, ok_r, ok_t in zip(pairs, reported, tracked, strict=True):
        if not (ok_r and ok_t):
            print(
                f"  F0 disagreement: {p.name}: ours {_hz(p.tracked)}"
                f"{'' if p.ours_voiced else ' (withheld)'}, Praat {_hz(p.praat)}"
                f"{'' if p.praat_voiced else ' (under a third voiced)'} ({st(p.tracked, p.praat):+.2f} st); "
                f"Praat on our prepared signal {_hz(p.praat_same_input)} "
                f"({st(p.tracked, p.praat_same_input):+.2f} st)",
                file=sys.stderr,
            )
    withheld = [p for p in pairs if not p.ours_voiced]
    both_none = sum(not p.ours_voiced and not p.praat_voiced for p in pairs)
    whisper_withheld = sum(p.name in whispered for p in withheld)
    rows = [
        Row(
            f"median F0 within 0.3 st of Praat two-pass, all {n} recordings, as reported "
            f"({both_none} where neither tool finds a third of the speech voiced count as agreeing)",
            "≥ 95% of files",
            f"{_share(reported)}",
            sum(reported) >= 0.95 * n,
        ),
        Row(
            f"... tracker medians on all {n} recordings, including the {len(withheld)} the report withholds",
            "≥ 95% of files",
            f"{_share(tracked)}",
            sum(tracked) >= 0.95 * n,
        ),
        Row(
            "... a withheld F0 counted as a miss whatever Praat finds",
            "report",
            f"{_share(harsh)}",
            None,
        ),
        Row(
            "... tracker medians vs Praat given the same prepared signal (mono, 16 kHz, 50 Hz high-pass)",
            "report",
            f"{_share(same)}",
            None,
        ),
        Row(
            "whispered recordings (MANIFEST notes) whose F0 the report withholds",
            "all",
            f"{whisper_withheld}/{len(whispered)}",
            whisper_withheld == len(whispered),
        ),
    ]

    rows.extend(bench_fast_slow(real, files))
    trend = reports.get("mfa/acoustic_corpus.wav")
    if trend is not None:
        t = trend.rate_trend_pct
        rows.append(
            Row(
                "mfa acoustic_corpus (fast, then slow) ordered",
                "first half faster",
                f"second half {t:+.0f}% vs first" if t is not None else "not measured",
                t is not None and t < 0,
            )
        )
    rows.extend(bench_speed(files))
    return rows


def _share(ok: list[bool]) -> str:
    return f"{sum(ok) / len(ok):.1%} ({sum(ok)}/{len(ok)})"


def _hz(f0: float | None) -> str:
    return "none" if f0 is None else f"{f0:.1f} Hz"


def _whispered(real: Path) -> set[str]:
    """Recordings the manifest's notes mark as whispered: no vocal-fold vibration, so no F0."""
    with (real / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return {row["path"] for row in csv.DictReader(f, delimiter="\t") if "style=whispered" in row["notes"]}


def bench_fast_slow(real: Path, files: list[tuple[str, np.ndarray, int]]) -> list[Row]:
    """english_fast vs english_slow: the same sentence, so the pace order must come out right.

    The order is judged on pace, words per minute over speaking time (the transcript gives the
    words, the audio the time, pauses included), as a listener hears it. Articulation rate excludes
    the pauses by definition; it is shown next to the same rate from Praat's own silence detection
    and espeak-ng's syllable count of the sentence, which say whether articulation differs at all.
    """
    with (real / "MANIFEST.tsv").open(encoding="utf-8") as f:
        texts = {row["path"]: row["transcript"] for row in csv.DictReader(f, delimiter="\t")}
    got: dict[str, ToneReport] = {}
    sounding: dict[str, float] = {}
    for name, x, fs in files:
        if name in ("mfa_docs/english_fast.wav", "mfa_docs/english_slow.wav"):
            key = name.split("_")[-1][:4]
            got[key] = analyze_tone(
                AudioClip(x.astype(np.float32), fs), Transcript(text=texts[name]), options=OPTIONS
            )
            sounding[key] = praat_sounding_s(x, fs)
    fast, slow = got.get("fast"), got.get("slow")
    if not (fast and slow and fast.wpm and slow.wpm):
        return []
    ours = f"fast {fast.articulation_rate_sps or 0:.2f}, slow {slow.articulation_rate_sps or 0:.2f} syl/s"
    rows = [
        Row(
            "mfa_docs english_fast vs english_slow ordered by pace (words per minute over speaking time)",
            "fast > slow",
            f"fast {fast.wpm:.0f} {'>' if fast.wpm > slow.wpm else '≤'} slow {slow.wpm:.0f} wpm",
            fast.wpm > slow.wpm,
        ),
        Row("mfa_docs fast vs slow, articulation rate (pauses excluded), ours", "report", ours, None),
    ]
    n_syl = _text_syllables(texts["mfa_docs/english_fast.wav"])
    if n_syl:
        f_s, s_s = sounding["fast"], sounding["slow"]
        rows.append(
            Row(
                f"... the same from Praat's silences (-25 dB, 250 ms) and espeak-ng's {n_syl} syllables",
                "report",
                f"fast {n_syl / f_s:.2f}, slow {n_syl / s_s:.2f} syl/s ({f_s:.2f} vs {s_s:.2f} s sounding)",
                None,
            )
        )
    return rows


def praat_sounding_s(x: np.ndarray, fs: int) -> float:
    """Seconds Praat's ``To TextGrid (silences)`` calls sounding (silent pauses from 250 ms)."""
    import parselmouth
    from parselmouth.praat import call

    grid = call(
        parselmouth.Sound(x, sampling_frequency=fs),
        "To TextGrid (silences)",
        100,
        0,
        -25,
        0.25,
        0.05,
        "",
        "s",
    )
    total = 0.0
    for i in range(1, int(call(grid, "Get number of intervals", 1)) + 1):
        if call(grid, "Get label of interval", 1, i) == "s":
            total += float(
                call(grid, "Get end time of interval", 1, i) - call(grid, "Get start time of interval", 1, i)
            )
    return total


def _text_syllables(text: str) -> int | None:
    """espeak-ng's syllable count of ``text`` (as for the synthetic truth), or None without espeak-ng."""
    import importlib

    sys.path.insert(0, str(ROOT / "scripts"))
    truth = importlib.import_module("make_tone_truth")
    try:
        return int(truth.syllables(text, "en-us"))
    except (OSError, RuntimeError):
        return None


def bench_speed(files: list[tuple[str, np.ndarray, int]]) -> list[Row]:
    """Time a 10 s reply (at the 16 kHz the session records) for us and for Praat.

    The target is judged on CPU time, the work the analysis costs on one core; wall time is shown
    too, and on a machine others are loading it also counts the time spent waiting for the core.
    """
    import parselmouth
    from scipy import signal

    ours_cpu, ours_wall, praat_cpu = [], [], []
    long_files = [(n, x, fs) for n, x, fs in files if x.size / fs >= 10.0]
    for _, x, fs in long_files:
        y = signal.resample_poly(x[: 10 * fs], 16_000, fs).astype(np.float32)
        clip = AudioClip(y, 16_000)
        snd = parselmouth.Sound(y.astype(np.float64), sampling_frequency=16_000)
        analyze_tone(clip, options=OPTIONS)  # warm-up: imports and FFT plans
        for _rep in range(3):
            c0, t0 = time.process_time(), time.perf_counter()
            analyze_tone(clip, options=OPTIONS)
            ours_cpu.append(time.process_time() - c0)
            ours_wall.append(time.perf_counter() - t0)
            c0 = time.process_time()
            praat_two_pass(snd)
            snd.to_intensity(minimum_pitch=50.0)
            praat_cpu.append(time.process_time() - c0)
    if not ours_cpu:
        return []
    cpu_med, cpu_max = float(np.median(ours_cpu)) * 1e3, float(np.max(ours_cpu)) * 1e3
    wall_med, wall_max = float(np.median(ours_wall)) * 1e3, float(np.max(ours_wall)) * 1e3
    ref = float(np.median(praat_cpu)) * 1e3
    return [
        Row(
            f"analysis of a 10 s reply, one core ({len(long_files)} files x 3), CPU time median / max",
            "≤ 150 ms",
            f"{cpu_med:.0f} / {cpu_max:.0f} ms",
            cpu_max <= 150,
        ),
        Row(
            "... wall time, median / max (includes waiting for the core under load)",
            "report",
            f"{wall_med:.0f} / {wall_max:.0f} ms",
            None,
        ),
        Row(
            "CPU time relative to Praat two-pass pitch + intensity, same files",
            "report",
            f"{cpu_med / ref:.2f}x (Praat {ref:.0f} ms)",
            None,
        ),
    ]


def main() -> int:
    """Run every benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    ap.add_argument("--realspeech", type=Path, default=DEFAULT_REAL)
    ap.add_argument("--regen", action="store_true", help="regenerate the synthetic truth first")
    ap.add_argument("--details", action="store_true", help="print per-file results")
    args = ap.parse_args()
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if args.regen or not (args.truth / "truth.tsv").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_tone_truth.py"), str(args.truth)], check=True
        )
    rows = bench_synthetic(args.truth, args.details)
    if (args.realspeech / "MANIFEST.tsv").exists():
        rows += bench_real(args.realspeech, args.details)
    else:
        print(f"skipping real-speech rows: {args.realspeech} is absent", file=sys.stderr)
    print("| Measure | Target | Result | Pass |")
    print("|---|---|---|---|")
    for r in rows:
        mark = "—" if r.passed is None else ("yes" if r.passed else "**no**")
        print(f"| {r.measure} | {r.target} | {r.result} | {mark} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
