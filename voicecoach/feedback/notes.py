"""Instructor notes: a comment on a session or turn, or an override of an automatic finding.

Notes live beside the session in ``notes.json`` (``voicecoach.store``), never inside
``session.json``, so the automatic analysis and the instructor's judgement stay apart and a
review with another rubric keeps every note. Each note says who made it and when.

An override names a finding by its id (``t2.command@0``: turn 2, the command found at character
0; ``t3.louder``: turn 3's loudness flag). ``dismiss`` says the finding is wrong: it leaves the
moments to practise and the report shows who dismissed it and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from voicecoach.errors import SessionStorageError

NoteAction = Literal["comment", "dismiss"]
NOTE_ACTIONS: tuple[NoteAction, ...] = get_args(NoteAction)
#: A finding id: turn number, dot, a tag or flag code, optionally @ the evidence's start offset.
FINDING_ID = re.compile(r"t(\d{1,3})\.([a-z_]{2,40})(@\d{1,6})?")
#: A note is a few sentences; longer text is almost certainly a paste by mistake.
MAX_NOTE_CHARS = 2_000
MAX_AUTHOR_CHARS = 80


@dataclass(frozen=True)
class Note:
    """One instructor note. ``turn`` and ``finding`` are None for a note on the whole session."""

    author: str
    created: str
    text: str
    action: NoteAction = "comment"
    turn: int | None = None
    finding: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form kept in ``notes.json`` and shown in ``session.json``'s feedback."""
        return {
            "author": self.author,
            "created": self.created,
            "action": self.action,
            "turn": self.turn,
            "finding": self.finding,
            "text": self.text,
        }


def check_note_fields(author: str, text: str, action: str, finding: str | None) -> str | None:
    """The problem with a note's fields, or None when they are fine (used by the CLI and loader)."""
    if not author.strip():
        return "a note needs its author (--by NAME)"
    if len(author) > MAX_AUTHOR_CHARS:
        return f"the author name is longer than {MAX_AUTHOR_CHARS} characters"
    if not text.strip():
        return "a note needs some text"
    if len(text) > MAX_NOTE_CHARS:
        return f"the note is longer than {MAX_NOTE_CHARS} characters"
    if action not in NOTE_ACTIONS:
        return f"action must be one of: {', '.join(NOTE_ACTIONS)}"
    if action == "dismiss" and not finding:
        return "dismissing needs the id of the finding (e.g. t2.command@0)"
    if finding is not None and not FINDING_ID.fullmatch(finding):
        return f"{finding!r} is not a finding id (like t2.command@0 or t3.louder)"
    return None


def turn_of(finding: str) -> int:
    """The turn number a finding id names."""
    match = FINDING_ID.fullmatch(finding)
    return int(match.group(1)) if match else 0


def notes_from_json(data: Any, shown: str) -> tuple[Note, ...]:
    """Validate ``notes.json`` data; a bad entry is reported with the file and its position."""
    items = data.get("notes") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise SessionStorageError(f'{shown}: not a notes file (expected {{"notes": [...]}})')
    notes = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise SessionStorageError(f"{shown}: notes[{i}]: must be an object")
        author, text = str(item.get("author") or ""), str(item.get("text") or "")
        action, finding = str(item.get("action") or "comment"), item.get("finding")
        turn = item.get("turn")
        problem = check_note_fields(author, text, action, finding if isinstance(finding, str) else None)
        if finding is not None and not isinstance(finding, str):
            problem = "finding must be text"
        if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int) or turn < 1):
            problem = "turn must be a whole number from 1"
        if problem:
            raise SessionStorageError(f"{shown}: notes[{i}]: {problem}")
        notes.append(
            Note(
                author=author.strip(),
                created=str(item.get("created") or ""),
                text=text.strip(),
                action=action,  # type: ignore[arg-type]
                turn=turn,
                finding=finding,
            )
        )
    return tuple(notes)


def dismissed(notes: tuple[Note, ...]) -> dict[str, Note]:
    """Finding id → the note that dismissed it (the latest wins)."""
    return {n.finding: n for n in notes if n.action == "dismiss" and n.finding}
