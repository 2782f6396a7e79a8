"""Find what to grade under a cohort folder: one folder per trainee.

    COHORT/
      alice/                     a trainee
        week1/session.json       a stored session (from ``practice``): re-scored and re-rendered
        week2/01.wav 02.m4a ...  a raw session: one audio file per reply, in name order,
              persona.txt        optional: the client's lines (opening first), one per line
              baseline.wav       optional: the trainee's calm reading on the same microphone
      bob/01.wav 02.wav ...      a trainee folder holding one raw session directly

Sessions of a trainee are numbered in name order, so name them so they sort by date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from voicecoach.errors import UsageError

JobKind = Literal["session", "recordings"]
#: Reply files graded from a raw folder (the issue's WAV/FLAC/MP3/M4A, plus Ogg/Opus).
REPLY_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
#: Files in a raw folder that are not replies.
BASELINE_STEM = "baseline"
PERSONA_LINES = "persona.txt"


@dataclass(frozen=True)
class Job:
    """One session to grade: ``id`` is its path under the cohort folder (``alice/week1``)."""

    id: str
    trainee: str
    number: int
    kind: JobKind
    source: Path


def reply_files(folder: Path) -> list[Path]:
    """The reply recordings of a raw folder, in name order (the baseline reading excluded)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in REPLY_SUFFIXES and p.stem.lower() != BASELINE_STEM
    )


def _kind(folder: Path) -> JobKind | None:
    if (folder / "session.json").is_file():
        return "session"
    return "recordings" if reply_files(folder) else None


def _visible_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def discover(root: Path) -> list[Job]:
    """Every gradable session under ``root``, trainee by trainee, in name order."""
    if not root.is_dir():
        raise UsageError(f"{root}: no such folder")
    if _kind(root) is not None:
        raise UsageError(f"{root}: give the folder that holds one folder per trainee, not a session")
    jobs: list[Job] = []
    for trainee_dir in _visible_dirs(root):
        trainee = trainee_dir.name
        found: list[tuple[Path, JobKind]] = []
        own = _kind(trainee_dir)
        if own is not None:
            found.append((trainee_dir, own))
        else:
            for sub in _visible_dirs(trainee_dir):
                kind = _kind(sub)
                if kind is not None:
                    found.append((sub, kind))
        for number, (folder, kind) in enumerate(found, start=1):
            jobs.append(Job(folder.relative_to(root).as_posix(), trainee, number, kind, folder))
    if not jobs:
        raise UsageError(
            f"{root}: nothing to grade (expected trainee folders holding session folders or "
            f"reply recordings: {', '.join(REPLY_SUFFIXES)})"
        )
    return jobs
