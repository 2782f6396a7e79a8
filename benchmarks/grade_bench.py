"""Cohort grading throughput (issue 7): minutes of trainee audio graded per minute of wall time.

    .venv/bin/python benchmarks/grade_bench.py [--sessions 50] [--jobs 1 2]

Builds a class of raw-recording sessions from the committed fixtures (the demo's calm replies
and the unskilled replies, alternating, ten trainees), then times ``voicecoach grade`` on it
from scratch once per ``--jobs`` value, through the real command: process start, one model load
per worker, transcription, tone, wording, the persona's moves, reports and the cohort page.
Prints a Markdown table; results and the command are kept in ``docs/benchmarks/grading.md``.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "audio_fixtures"
KINDS = (FIXTURES / "demo" / "replies", FIXTURES / "unskilled")


def build_cohort(root: Path, sessions: int) -> None:
    """``sessions`` raw folders: trainee00/week1 ... with the fixture replies copied in."""
    for n in range(sessions):
        folder = root / f"trainee{n % 10:02d}" / f"week{n // 10 + 1}"
        folder.mkdir(parents=True)
        for wav in sorted(KINDS[n % 2].glob("*.wav")):
            shutil.copyfile(wav, folder / wav.name)


def time_grade(cohort: Path, out: Path, jobs: int) -> tuple[float, float, int]:
    """Wall seconds, audio minutes graded and sessions graded by one fresh run."""
    env = {**os.environ}
    env.pop("VOICECOACH_MODEL", None)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "voicecoach", "grade", str(cohort), "--out", str(out), "--jobs", str(jobs)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"grade failed ({done.returncode}):\n{done.stderr}")
    with (out / "cohort.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["status"] == "graded"]
    return wall, sum(float(r["audio_minutes"]) for r in rows), len(rows)


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voicecoach-grade-bench-") as tmp:
        cohort = Path(tmp) / "class"
        build_cohort(cohort, args.sessions)
        print(f"cores available: {len(os.sched_getaffinity(0))}; sessions: {args.sessions}")
        print()
        print("| workers | sessions | audio (min) | wall (s) | audio min per min | sessions per min |")
        print("|---|---|---|---|---|---|")
        for jobs in args.jobs:
            wall, minutes, graded = time_grade(cohort, Path(tmp) / f"out{jobs}", jobs)
            print(
                f"| {jobs} | {graded} | {minutes:.1f} | {wall:.1f} | {minutes / (wall / 60):.1f} "
                f"| {graded / (wall / 60):.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
