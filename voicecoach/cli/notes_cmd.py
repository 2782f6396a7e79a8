"""``voicecoach notes``: an instructor's comments and overrides, kept beside a session.

    voicecoach notes SESSION_DIR                                     list findings and notes
    voicecoach notes SESSION_DIR --by "J. Rivera" --comment "..." [--turn 2]
    voicecoach notes SESSION_DIR --by "J. Rivera" --dismiss t2.command@0 --comment "he was quoting"

Each note records who made it; the reports are rebuilt so the note shows at once.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console

from voicecoach.errors import UsageError


def add_parsers(sub: Any) -> None:
    """Register ``notes``."""
    p = sub.add_parser("notes", help="add an instructor note or override to a session, or list them")
    p.add_argument("session", metavar="SESSION_DIR", help="a session folder (with session.json)")
    p.add_argument("--by", metavar="NAME", help="who is making the note (shown in the report)")
    p.add_argument("--comment", metavar="TEXT", help="the note's text (a comment, or why a finding is wrong)")
    p.add_argument(
        "--turn", type=int, metavar="N", help="the turn the comment is about (default: the session)"
    )
    p.add_argument(
        "--dismiss", metavar="FINDING", help="id of an automatic finding that is wrong, e.g. t2.command@0"
    )
    p.set_defaults(handler=notes)


def notes(args: argparse.Namespace, console: Console) -> int:
    """List a session's findings and notes, or add a note and rebuild the reports."""
    from voicecoach.feedback.notes import Note, NoteAction, check_note_fields, turn_of
    from voicecoach.store import add_note, load_session, write_reports

    folder = Path(args.session)
    session = load_session(folder)
    if args.by is None and args.comment is None and args.dismiss is None and args.turn is None:
        _list(session, console)
        return 0
    action: NoteAction = "dismiss" if args.dismiss else "comment"
    problem = check_note_fields(args.by or "", args.comment or "", action, args.dismiss)
    if problem:
        raise UsageError(problem.replace("a note needs some text", "a note needs --comment TEXT"))
    turns = {t.get("index") for t in session.get("turns", [])}
    turn = turn_of(args.dismiss) if args.dismiss else args.turn
    if turn is not None and turn not in turns:
        raise UsageError(f"this session has no turn {turn} (it has {len(turns)})")
    if args.dismiss:
        known = {f.get("id") for f in (session.get("feedback") or {}).get("findings", [])}
        if args.dismiss not in known:
            raise UsageError(
                f"no finding {args.dismiss!r} in this session (list them: voicecoach notes {folder})"
            )
    note = Note(
        author=args.by.strip(),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        text=args.comment.strip(),
        action=action,
        turn=turn,
        finding=args.dismiss,
    )
    add_note(folder, note)
    _, html_path = write_reports(folder, _session_rubric(session))
    console.print(f"Note added; report rebuilt: {html_path}", markup=False, highlight=False)
    return 0


def _session_rubric(session: dict[str, Any]) -> Any:
    """The rubric the session was last scored with, when its file is still there (else None)."""
    from voicecoach.errors import VoiceCoachError
    from voicecoach.feedback.rubric import load_rubric

    source = ((session.get("feedback") or {}).get("rubric") or {}).get("source")
    if not source or not Path(source).is_file():
        return None
    try:
        return load_rubric(Path(source))
    except VoiceCoachError:
        return None


def _list(session: dict[str, Any], console: Console) -> None:
    feedback = session.get("feedback") or {}
    findings = feedback.get("findings") or []
    if not findings:
        console.print("No automatic findings (run `voicecoach review` first on an older session).")
    for f in findings:
        console.print(f"{f.get('id'):<26} {f.get('kind'):<9} ", end="", markup=False, highlight=False)
        console.print(str(f.get("text")), markup=False, highlight=False)
    for n in feedback.get("notes") or []:
        where = f"turn {n.get('turn')}" if n.get("turn") else "session"
        console.print(
            f"note by {n.get('author')} ({where}, {n.get('action')}): {n.get('text')}", markup=False
        )
