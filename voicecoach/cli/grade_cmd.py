"""``voicecoach grade``: grade a whole class's sessions or recordings, resumably, in parallel."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from voicecoach.errors import UsageError

if TYPE_CHECKING:
    from voicecoach.feedback.rubric import Rubric


def add_parsers(sub: Any) -> None:
    """Register ``grade``."""
    p = sub.add_parser(
        "grade",
        help="grade a folder of trainees' sessions or recordings into cohort.csv and index.html",
        description="Grade every session under DIR (one folder per trainee: session folders, or "
        "folders of reply recordings with an optional persona.txt and baseline.wav). Rerun the "
        "same command after an interruption to grade only what is left.",
    )
    p.add_argument("source", metavar="DIR", help="cohort folder: one folder per trainee")
    p.add_argument("--out", required=True, metavar="OUT", help="output folder (journal, reports, cohort)")
    p.add_argument("--rubric", metavar="FILE", help="rubric YAML (default: the packaged one)")
    p.add_argument(
        "--persona", default="marcus", metavar="NAME", help="persona for raw recordings (default marcus)"
    )
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per core)")
    p.add_argument(
        "--model", metavar="PATH", help="CTranslate2 Whisper model folder (default: embedded tiny.en)"
    )
    p.set_defaults(handler=grade)


def grade(args: argparse.Namespace, console: Console) -> int:
    """Grade what is not graded yet; exit 1 when any session could not be graded."""
    from voicecoach.feedback.rubric import load_rubric
    from voicecoach.grading.run import default_workers
    from voicecoach.persona.schema import get_persona
    from voicecoach.storage import FolderLock, make_private_dir

    source, out = Path(args.source), Path(args.out)
    if out.resolve() == source.resolve() or source.resolve() in out.resolve().parents:
        raise UsageError("--out must be outside the folder being graded")
    workers = args.jobs if args.jobs is not None else default_workers()
    if not 1 <= workers <= 64:
        raise UsageError("--jobs must be from 1 to 64")
    rubric = load_rubric(Path(args.rubric) if args.rubric else None)
    get_persona(args.persona)  # an unknown persona is named before any work starts
    make_private_dir(out)
    # One writer per output folder: two grade runs would interleave journal rows, and `forget`
    # must not edit the journal while a run appends to it.
    lock = FolderLock(out)
    if not lock.acquire():
        raise UsageError(f"{out}: another grade run (or `voicecoach forget`) is writing there right now")
    try:
        return _grade_locked(args, console, source=source, out=out, workers=workers, rubric=rubric)
    finally:
        lock.release()


def _grade_locked(
    args: argparse.Namespace, console: Console, *, source: Path, out: Path, workers: int, rubric: Rubric
) -> int:
    """The grade run itself, while this process holds the output folder's lock."""
    from voicecoach.grading.run import new_run_id, plan, run, write_outputs
    from voicecoach.grading.worker import GradeSettings

    p = plan(source, out, rubric.name)
    done_before = len(p.jobs) - len(p.todo)
    if done_before:
        console.print(f"Resuming: {done_before} of {len(p.jobs)} sessions already graded.", highlight=False)
    settings = GradeSettings(
        out=str(out),
        rubric_file=str(Path(args.rubric).resolve()) if args.rubric else None,
        persona=args.persona,
        model=args.model,
        # Whole cores go to processes; more threads per worker would only contend.
        cpu_threads=1 if workers > 1 else 0,
        run_id=new_run_id(),
    )
    failures: list[str] = []
    columns = (
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("grading", total=len(p.jobs), completed=done_before)

            def on_result(job: Any, row: Any, error: str | None) -> None:
                if error:
                    failures.append(error)
                    progress.console.print(
                        f"voicecoach: warning: {job.id}: {error}", markup=False, highlight=False
                    )
                progress.advance(task)

            run(p, settings, min(workers, max(1, len(p.todo))), on_result)
    finally:
        csv_path, html_path = write_outputs(p, out)
    graded = len(p.journal.done)
    console.print(
        f"Graded {graded} of {len(p.jobs)} sessions ({graded - done_before} this run); "
        f"{len(p.journal.failed)} could not be graded.",
        highlight=False,
    )
    console.print(f"Cohort: {csv_path} and {html_path}", markup=False, highlight=False)
    return 1 if p.journal.failed else 0
