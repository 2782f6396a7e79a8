"""One cohort row per graded session: the numbers an instructor scans, and why it is flagged."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voicecoach.feedback.rubric import DELIVERY_FLAGS
from voicecoach.grading.discover import Job
from voicecoach.store import wav_file_seconds
from voicecoach.types import ESCALATING_TAGS

#: Columns of ``cohort.csv``, in order.
COLUMNS = (
    "trainee",
    "session",
    "number",
    "kind",
    "status",
    "calm_presence",
    "outcome",
    "turns",
    "audio_minutes",
    "reflection_to_question",
    "miti_rating",
    "open_questions",
    "reflections",
    "escalating_moves",
    "tense_delivery",
    "flags",
    "notes",
    "rubric",
    "report",
    "error",
)
#: Delivery flags that mean a tense voice (DOMAIN.md starting thresholds): the rubric's delivery
#: flags except speaking slowly, which is not tension.
_TENSE = frozenset(DELIVERY_FLAGS) - {"slow_population"}


def cohort_row(job: Job, session: Mapping[str, Any], folder: Path, run_id: str) -> dict[str, Any]:
    """The cohort row of a graded session (``folder`` holds its audio)."""
    feedback = session.get("feedback") or {}
    mi = feedback.get("mi") or {}
    turns = session.get("turns") or []
    escalating = sum(
        1
        for t in turns
        for tech in (t.get("wording") or {}).get("techniques") or []
        if tech.get("tag") in ESCALATING_TAGS
    )
    tense = sum(1 for t in turns for code in (t.get("tone") or {}).get("flags") or [] if code in _TENSE)
    seconds = sum(
        wav_file_seconds(folder / t["audio_file"])
        for t in turns
        if isinstance(t.get("audio_file"), str) and (folder / t["audio_file"]).is_file()
    )
    flags = []
    if session.get("outcome") == "escalated":
        flags.append("escalated")
    if escalating:
        flags.append(f"escalating moves x{escalating}")
    if tense:
        flags.append(f"tense delivery x{tense}")
    if mi.get("ratio_rating") == "low":
        flags.append("few reflections (MITI)")
    if session.get("baseline") != "trainee" and any(t.get("tone") for t in turns):
        flags.append("no calm baseline")
    ratio = mi.get("reflection_to_question")
    return {
        "id": job.id,
        "trainee": job.trainee,
        "session": job.id,
        "number": job.number,
        "kind": job.kind,
        "status": "graded",
        "calm_presence": session.get("calm_presence"),
        "outcome": session.get("outcome"),
        "turns": len(turns),
        "audio_minutes": round(seconds / 60.0, 3),
        "reflection_to_question": None if ratio is None else round(float(ratio), 2),
        "miti_rating": mi.get("ratio_rating"),
        "open_questions": mi.get("open_questions"),
        "reflections": mi.get("reflections"),
        "escalating_moves": escalating,
        "tense_delivery": tense,
        "flags": "; ".join(flags),
        "notes": len(feedback.get("notes") or []),
        "rubric": (feedback.get("rubric") or {}).get("name"),
        "report": f"sessions/{job.id}/report.html",
        "error": "",
        "run": run_id,
        "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def failed_row(job: Job, error: str) -> dict[str, Any]:
    """The cohort row of a session that could not be graded."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(
        id=job.id, trainee=job.trainee, session=job.id, number=job.number, kind=job.kind, status="failed"
    )
    row["error"] = error
    row["flags"] = "could not be graded"
    return row
