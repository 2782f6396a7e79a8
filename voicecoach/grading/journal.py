"""The grading journal: which sessions are graded, kept in the output folder.

``journal.json`` is rewritten atomically (``voicecoach.storage``) after every finished session,
so an interrupted run (Ctrl-C, a killed process, a power cut) leaves either the old journal or
the new one. A rerun skips every session the journal lists as done: none is graded twice, and
none is lost. Failed sessions are tried again on a rerun (the file may have been fixed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach.errors import SessionStorageError, UsageError
from voicecoach.storage import write_json_atomic

JOURNAL_FILE = "journal.json"
JOURNAL_VERSION = 1


@dataclass
class Journal:
    """Done rows and failures by job id; ``save`` after each change."""

    path: Path
    source: str
    rubric: str
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def save(self) -> None:
        """Write the journal atomically."""
        write_json_atomic(
            self.path,
            {
                "version": JOURNAL_VERSION,
                "source": self.source,
                "rubric": self.rubric,
                "done": self.done,
                "failed": self.failed,
            },
        )

    def record(self, job_id: str, row: dict[str, Any]) -> None:
        """A session graded; ``row`` is its cohort row."""
        self.done[job_id] = row
        self.failed.pop(job_id, None)
        self.save()

    def record_failure(self, job_id: str, error: str) -> None:
        """A session that could not be graded, and why."""
        self.failed[job_id] = error
        self.save()


def open_journal(out: Path, source: Path, rubric: str) -> Journal:
    """The journal in ``out``: resumed when it exists, else a new one."""
    path = out / JOURNAL_FILE
    if not path.exists():
        return Journal(path, str(source.resolve()), rubric)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SessionStorageError(f"{path}: unreadable grading journal ({e})") from e
    if not isinstance(data, dict) or data.get("version") != JOURNAL_VERSION:
        raise SessionStorageError(f"{path}: not a VoiceCoach grading journal")
    if data.get("source") != str(source.resolve()):
        raise UsageError(f"{out} holds the grades of {data.get('source')}; use another --out")
    if data.get("rubric") != rubric:
        raise UsageError(
            f"{out} was graded with the rubric {data.get('rubric')!r}, not {rubric!r}; use another --out"
        )
    done = data.get("done")
    failed = data.get("failed")
    return Journal(
        path,
        str(source.resolve()),
        rubric,
        dict(done) if isinstance(done, dict) else {},
        {str(k): str(v) for k, v in failed.items()} if isinstance(failed, dict) else {},
    )
