"""Forget a trainee: find every file VoiceCoach keeps about them, then remove it.

    plan_session(folder)                   one session folder (and its cohort row, if graded)
    plan_trainee(name, baseline, roots)    everything stored about a trainee
    apply_plan(plan, on_progress)          remove it, holding every session folder's lock

Planning only reads, so ``--dry-run`` and the confirmation list show exactly what ``apply_plan``
removes. What belongs to a trainee:

- their calm baseline profile (``calibrate --trainee NAME``);
- every session folder under the roots whose ``session.json`` names them in
  ``settings.baseline_trainee`` (``practice --trainee NAME``);
- in every grade output under the roots (a folder with ``journal.json``): ``sessions/NAME/``,
  any other graded session whose ``session.json`` names them, their journal rows (``cohort.csv``
  and ``index.html`` are rebuilt from what is left), and ``SOURCE/NAME/``, the folder the grading
  read their recordings from.

Folders are removed without following symbolic links: a link inside a folder is removed, never
what it points to. Files are unlinked, not overwritten: this is deletion, not secure erasure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, cast

from voicecoach.errors import SessionStorageError, UsageError
from voicecoach.grading.journal import JOURNAL_FILE
from voicecoach.grading.worker import ROW_FILE as GRADE_ROW
from voicecoach.grading.worker import SESSIONS_DIR as GRADED_DIR
from voicecoach.storage import LOCK_NAME, FolderLock
from voicecoach.store import SESSION_FILE

RemovalKind = Literal["baseline", "session", "graded", "recordings", "debris"]
_LABELS: dict[RemovalKind, str] = {
    "baseline": "calm baseline profile",
    "session": "session folder",
    "graded": "graded sessions",
    "recordings": "recordings graded from",
    "debris": "half-built grading folder",
}


@dataclass(frozen=True)
class Removal:
    """One file or folder to remove, and what it is."""

    path: Path
    kind: RemovalKind

    def describe(self) -> str:
        """One line for the list shown before and after removing."""
        return f"{_LABELS[self.kind]:<24} {self.path}"


@dataclass(frozen=True)
class GradeEdit:
    """Rows to drop from a grade output's journal; its cohort.csv and index.html are rebuilt."""

    out: Path
    job_ids: tuple[str, ...]

    def describe(self) -> str:
        """One line for the list shown before and after removing."""
        rows = "row" if len(self.job_ids) == 1 else "rows"
        return (
            f"{'cohort rows':<24} {self.out / JOURNAL_FILE}: {len(self.job_ids)} {rows} "
            f"({', '.join(self.job_ids)}); cohort.csv and index.html rebuilt"
        )


@dataclass(frozen=True)
class ForgetPlan:
    """What forgetting will do; nothing is touched until :func:`apply_plan`.

    ``removals`` never holds a path inside another one; ``sessions`` are the session folders in
    or at those paths and the grade outputs whose journals are edited, whose locks
    ``apply_plan`` holds while removing; ``busy`` are those a running session or ``grade`` is
    writing right now (a plan with any cannot be applied); ``warnings`` are things that could
    not be checked.
    """

    removals: tuple[Removal, ...]
    edits: tuple[GradeEdit, ...]
    sessions: tuple[Path, ...]
    busy: tuple[Path, ...]
    warnings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to remove."""
        return not self.removals and not self.edits

    def lines(self) -> list[str]:
        """Every item, one line each, edits first (they are applied first)."""
        return [e.describe() for e in self.edits] + [r.describe() for r in self.removals]


#: ``on_progress(line)`` after each item is done.
Progress = Callable[[str], None]


def is_safe_trainee_name(name: str) -> bool:
    """True for a name ``baseline_path`` keeps as it is: letters, digits, '-', '_', '.' inside.

    Stricter than ``baseline_path`` (which drops other characters) on purpose: forgetting
    ``s/a/m`` must not remove ``sam``'s profile, and the name also becomes a folder name.
    """
    return bool(name) and name.strip(".") == name and all(ch.isalnum() or ch in "-_." for ch in name)


def plan_session(folder: Path) -> ForgetPlan:
    """Plan removing one session folder; refuse anything that is not one."""
    if folder.is_symlink():
        raise UsageError(f"{folder}: a symbolic link; give the session folder itself (nothing removed)")
    if not folder.exists():
        raise UsageError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder (nothing removed)")
    session_file = folder / SESSION_FILE
    if session_file.is_symlink() or not session_file.is_file():
        raise SessionStorageError(f"{folder}: not a session folder (no {SESSION_FILE}); nothing removed")
    path = _canonical(folder)
    edits = []
    graded = _graded_in(path)
    if graded is not None:
        out, job_id = graded
        if job_id in _journal_ids(out):
            edits.append(GradeEdit(out, (job_id,)))
    return _finish([Removal(path, "session")], edits, [])


def plan_trainee(name: str, baseline_file: Path, roots: Iterable[Path]) -> ForgetPlan:
    """Plan removing everything stored about ``name``: its profile and what the roots hold."""
    if not is_safe_trainee_name(name):
        raise UsageError(f"--trainee {name!r}: use letters, digits, '-', '_' or '.'")
    removals: list[Removal] = []
    edits: dict[Path, set[str]] = {}
    warnings: list[str] = []
    if baseline_file.is_file() or baseline_file.is_symlink():
        removals.append(Removal(_canonical(baseline_file), "baseline"))
    for root in roots:
        for folder, kind in _walk(root, warnings):
            if kind == "journal":
                _plan_grade_output(folder, name, removals, edits, warnings)
            elif _session_trainee(folder, warnings) == name:
                removals.append(Removal(folder, "session"))
                graded = _graded_in(folder)
                if graded is not None and graded[1] in _journal_ids(graded[0]):
                    edits.setdefault(graded[0], set()).add(graded[1])
    grade_edits = [GradeEdit(out, tuple(sorted(ids))) for out, ids in edits.items() if ids]
    return _finish(removals, grade_edits, warnings)


def apply_plan(plan: ForgetPlan, on_progress: Progress) -> None:
    """Remove what ``plan`` lists, holding the lock of every session folder in it meanwhile.

    Locks are all taken before anything is touched, so a session that started writing after the
    plan was made stops the removal with nothing removed. Journal edits come first (the journal
    is what a later ``grade`` run trusts), then the files. A failure part-way raises
    ``SessionStorageError`` naming what was removed and what was not.
    """
    ensure_not_busy(plan)
    locks: list[FolderLock] = []
    try:
        for folder in plan.sessions:
            lock = FolderLock(folder)
            if not lock.acquire():
                raise SessionStorageError(_busy_message((folder,)))
            locks.append(lock)
        items: list[tuple[str, str, Callable[[], None]]] = [
            *((e.describe(), f"{e.out / JOURNAL_FILE} rows", partial(_apply_edit, e)) for e in plan.edits),
            *((r.describe(), str(r.path), partial(_remove, r.path)) for r in plan.removals),
        ]
        for index, (line, target, action) in enumerate(items):
            try:
                action()
            except (OSError, SessionStorageError) as e:
                where = getattr(e, "filename", None) or target
                reason = f"{e.strerror} ({where})" if isinstance(e, OSError) and e.strerror else str(e)
                left = "; ".join(t for _, t, _ in items[index:])
                raise SessionStorageError(
                    f"stopped: {reason}; removed {index} of {len(items)} items; not removed: {left}"
                ) from e
            on_progress(line)
    finally:
        for lock in locks:
            lock.release()


def ensure_not_busy(plan: ForgetPlan) -> None:
    """Refuse a plan that holds a session folder a running session is writing."""
    if plan.busy:
        raise SessionStorageError(_busy_message(plan.busy))


def _busy_message(busy: Iterable[Path]) -> str:
    names = ", ".join(str(p) for p in busy)
    return (
        f"{names}: a VoiceCoach session or grade run is writing there right now; "
        "let it finish first (nothing removed)"
    )


def _finish(removals: list[Removal], edits: list[GradeEdit], warnings: list[str]) -> ForgetPlan:
    """Drop duplicates and paths inside other removals; find the session folders to lock."""
    kept: list[Removal] = []
    for r in sorted(removals, key=lambda r: len(r.path.parts)):
        if not any(r.path == k.path or k.path in r.path.parents for k in kept):
            kept.append(r)
    order: list[RemovalKind] = ["baseline", "session", "graded", "recordings", "debris"]
    kept.sort(key=lambda r: (order.index(r.kind), str(r.path)))
    sessions = sorted({s for r in kept for s in _session_folders(r.path)} | {e.out for e in edits})
    busy = tuple(s for s in sessions if _is_locked(s))
    return ForgetPlan(tuple(kept), tuple(edits), tuple(sessions), busy, tuple(warnings))


def _canonical(path: Path) -> Path:
    """An absolute path with its folders resolved but its last part kept: a link stays a link."""
    if path.name in ("", ".", ".."):
        return Path(os.path.realpath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def _walk(root: Path, warnings: list[str]) -> Iterable[tuple[Path, Literal["journal", "session"]]]:
    """Grade outputs and session folders under ``root``, never following a link inside it."""
    if not root.is_dir():
        raise UsageError(f"{root}: no such folder")
    top = Path(os.path.realpath(root))

    def unreadable(e: OSError) -> None:
        warnings.append(f"{e.filename}: cannot be read ({e.strerror or e}); not checked")

    for dirpath, dirnames, filenames in os.walk(top, onerror=unreadable, followlinks=False):
        here = Path(dirpath)
        if JOURNAL_FILE in filenames and _read_journal(here / JOURNAL_FILE) is not None:
            dirnames.clear()
            yield here, "journal"
        elif SESSION_FILE in filenames:
            dirnames.clear()
            yield here, "session"
        dirnames.sort()


def _session_trainee(folder: Path, warnings: list[str]) -> str | None:
    """``settings.baseline_trainee`` of a session folder (None when there is none)."""
    try:
        data = json.loads((folder / SESSION_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        warnings.append(f"{folder / SESSION_FILE}: unreadable ({e}); not checked")
        return None
    settings = data.get("settings") if isinstance(data, dict) else None
    trainee = settings.get("baseline_trainee") if isinstance(settings, dict) else None
    return trainee if isinstance(trainee, str) else None


def _read_journal(path: Path) -> dict[str, Any] | None:
    """A grading journal's JSON, or None when ``path`` is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("done"), dict) or "source" not in data:
        return None
    return data


def _journal_ids(out: Path) -> set[str]:
    data = _read_journal(out / JOURNAL_FILE) or {}
    return {str(k) for k in data.get("done", {})} | {str(k) for k in data.get("failed") or {}}


def _graded_in(folder: Path) -> tuple[Path, str] | None:
    """(grade output, job id) when ``folder`` is a session that ``grade`` placed in an output."""
    if not (folder / GRADE_ROW).is_file():
        return None
    for parent in folder.parents:
        if parent.name == GRADED_DIR and (parent.parent / JOURNAL_FILE).is_file():
            return parent.parent, folder.relative_to(parent).as_posix()
    return None


def _plan_grade_output(
    out: Path, name: str, removals: list[Removal], edits: dict[Path, set[str]], warnings: list[str]
) -> None:
    """The trainee's rows, graded folders and source folder in one grade output."""
    journal = _read_journal(out / JOURNAL_FILE) or {}
    rows: dict[str, Any] = {**journal.get("done", {}), **(journal.get("failed") or {})}
    graded = out / GRADED_DIR
    ids = {
        job_id
        for job_id, row in rows.items()
        if job_id.split("/")[0] == name or (isinstance(row, dict) and row.get("trainee") == name)
    }
    # A session filed under another trainee's folder that says it is this trainee's.
    for job_id in sorted(set(rows) - ids):
        folder = graded / job_id
        if (folder / SESSION_FILE).is_file() and _session_trainee(folder, warnings) == name:
            ids.add(job_id)
    own = graded / name
    if not ids and not own.exists() and not own.is_symlink():
        return
    edits.setdefault(out, set()).update(ids)
    if own.exists() or own.is_symlink():
        removals.append(Removal(own, "graded"))
    source = Path(str(journal.get("source")))
    raw = source / name
    if source.is_absolute() and (raw.exists() or raw.is_symlink()):
        removals.append(Removal(_canonical(raw), "recordings"))
    for job_id in sorted(ids):
        if job_id.split("/")[0] == name:
            continue
        if (graded / job_id).exists():
            removals.append(Removal(graded / job_id, "graded"))
        copied_from = source / job_id
        if source.is_absolute() and _session_trainee_quiet(copied_from) == name:
            removals.append(Removal(_canonical(copied_from), "recordings"))
    if graded.is_dir():
        for stale in sorted(graded.glob(".tmp-*")):
            removals.append(Removal(stale, "debris"))  # may hold anyone's data; `grade` drops them too


def _session_trainee_quiet(folder: Path) -> str | None:
    if not (folder / SESSION_FILE).is_file():
        return None
    return _session_trainee(folder, [])


def _session_folders(path: Path) -> list[Path]:
    """Session folders at or inside ``path`` (links not followed), to lock while removing."""
    if path.is_symlink() or not path.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        if SESSION_FILE in filenames:
            found.append(Path(dirpath))
        dirnames.sort()
    return found


def _is_locked(folder: Path) -> bool:
    """True when a process holds the folder's lock; unlike ``FolderLock`` it creates nothing."""
    import fcntl

    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False  # no lock file: nobody has ever locked it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return False


def _remove(path: Path) -> None:
    """Remove a file, link or folder tree; a link is removed, never followed."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            # On Linux rmtree works on file descriptors and unlinks links it meets instead of
            # descending into them, so nothing outside ``path`` can be reached from inside it.
            shutil.rmtree(path)
    except FileNotFoundError as e:
        if e.filename is not None and os.path.abspath(e.filename) != os.path.abspath(path):
            raise
        # Already gone (removed by hand, or listed twice through two roots): nothing to do.


def _apply_edit(edit: GradeEdit) -> None:
    """Drop rows from a grade output's journal, then rebuild its cohort.csv and index.html."""
    from voicecoach.grading.discover import Job, discover
    from voicecoach.grading.journal import Journal
    from voicecoach.grading.run import Plan, write_outputs

    data = _read_journal(edit.out / JOURNAL_FILE)
    if data is None:
        raise SessionStorageError(f"{edit.out / JOURNAL_FILE}: no longer a readable grading journal")
    failed = data.get("failed") or {}
    journal = Journal(
        edit.out / JOURNAL_FILE,
        str(data["source"]),
        str(data.get("rubric")),
        {str(k): v for k, v in data["done"].items() if k not in edit.job_ids},
        {str(k): str(v) for k, v in failed.items() if k not in edit.job_ids},
    )
    journal.save()
    # The rows `grade` would list: every graded row, and the failures it can still find.
    jobs: dict[str, Job] = {}
    with contextlib.suppress(UsageError, OSError):
        jobs = {j.id: j for j in discover(Path(journal.source)) if j.id not in edit.job_ids}
    for job_id, row in journal.done.items():
        if job_id not in jobs:
            kind = cast(Any, row.get("kind") if row.get("kind") in ("session", "recordings") else "session")
            jobs[job_id] = Job(
                job_id,
                str(row.get("trainee") or job_id.split("/")[0]),
                int(row.get("number") or 0),
                kind,
                Path(journal.source) / job_id,
            )
    ordered = sorted(jobs.values(), key=lambda j: (j.trainee, j.number, j.id))
    write_outputs(Plan(tuple(ordered), (), journal), edit.out)
