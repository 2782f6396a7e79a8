"""Grade a cohort: discover the sessions, grade the new ones in parallel, write the outputs.

Workers are processes (the ASR and tone analysis are CPU-bound), one per core by default; each
loads the speech model once. The parent alone writes the journal, after every finished session,
and rewrites ``cohort.csv`` and ``index.html`` at the end of every run (also an interrupted one).
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.grading.discover import Job, discover
from voicecoach.grading.journal import Journal, open_journal
from voicecoach.grading.rows import COLUMNS, failed_row
from voicecoach.grading.worker import SESSIONS_DIR, GradeSettings, adopt, grade, init_worker
from voicecoach.report.cohort import render_cohort
from voicecoach.storage import make_private_dir, write_text_atomic

#: ``on_result(job, row, error)`` after each session, for progress.
Progress = Callable[[Job, "dict[str, Any] | None", "str | None"], None]


@dataclass(frozen=True)
class Plan:
    """What a run will do: every job found, and those still to grade."""

    jobs: tuple[Job, ...]
    todo: tuple[Job, ...]
    journal: Journal


def plan(source: Path, out: Path, rubric: str) -> Plan:
    """Discover jobs, open (or resume) the journal, adopt sessions finished by a killed run."""
    jobs = tuple(discover(source))
    make_private_dir(out)
    journal = open_journal(out, source, rubric)
    for stale in (out / SESSIONS_DIR).glob(".tmp-*") if (out / SESSIONS_DIR).is_dir() else ():
        shutil.rmtree(stale, ignore_errors=True)  # half-built sessions of an interrupted run
    for job in jobs:
        if job.id not in journal.done:
            row = adopt(out, job.id)
            if row is not None:
                journal.record(job.id, row)
    todo = tuple(j for j in jobs if j.id not in journal.done)
    return Plan(jobs, todo, journal)


def run(p: Plan, settings: GradeSettings, workers: int, on_result: Progress) -> None:
    """Grade ``p.todo`` on ``workers`` processes, journalling each result as it arrives."""
    for job, row, error in _results(p.todo, settings, workers):
        if row is not None:
            p.journal.record(job.id, row)
        else:
            p.journal.record_failure(job.id, error or "unknown error")
        on_result(job, row, error)


def _results(
    todo: tuple[Job, ...], settings: GradeSettings, workers: int
) -> Iterator[tuple[Job, dict[str, Any] | None, str | None]]:
    by_id = {j.id: j for j in todo}
    if workers <= 1 or len(todo) <= 1:
        init_worker(settings)
        for job in todo:
            yield job, *grade(job)[1:]
        return
    # fork: workers start in milliseconds and share the parent's imports; the model is loaded in
    # each worker after the fork, never in the parent.
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(workers, initializer=init_worker, initargs=(settings,), maxtasksperchild=None)
    try:
        for job_id, row, error in pool.imap_unordered(grade, todo, chunksize=1):
            yield by_id[job_id], row, error
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def write_outputs(p: Plan, out: Path) -> tuple[Path, Path]:
    """``cohort.csv`` and ``index.html`` from the journal: every job, graded or failed."""
    rows = []
    for job in p.jobs:
        if job.id in p.journal.done:
            rows.append(p.journal.done[job.id])
        elif job.id in p.journal.failed:
            rows.append(failed_row(job, p.journal.failed[job.id]))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in COLUMNS})
    csv_path, html_path = out / "cohort.csv", out / "index.html"
    write_text_atomic(csv_path, buffer.getvalue())
    write_text_atomic(html_path, render_cohort(rows, p.journal.rubric, p.journal.source))
    return csv_path, html_path


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def new_run_id() -> str:
    """An id stamped on every row graded by this run (to tell runs apart after a resume)."""
    return uuid.uuid4().hex[:12]
