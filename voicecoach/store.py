"""A session folder on disk: what ``practice`` writes turn by turn and ``review`` reads back.

    SESSION_DIR/
      session.json          the SessionReport as JSON, rewritten atomically after every turn
      audio/persona_00.wav  the persona's opening line
      audio/trainee_NN.wav  reply NN as heard (absent with --no-keep-audio or typed replies)
      audio/persona_NN.wav  the persona's answer to reply NN
      notes.json            instructor notes and overrides (``voicecoach notes``), never rewritten
                            by a review
      report.md, report.html
      .lock                 held (flock) by the process writing the session

``session.json`` carries ``status``: ``in_progress`` while the session runs, then ``complete``
or ``stopped`` (ended early by an error or Ctrl-C; the turns in it are all complete). It exists
from the persona's opening line on, and each turn enters it only after that turn's audio files
are on disk, so a process killed at any point leaves a folder ``review`` can report on
(:func:`recover_interrupted` closes such a session as ``stopped``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import wave
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from voicecoach import __version__
from voicecoach.audio.clip import wav_bytes
from voicecoach.errors import SessionStorageError, VoiceCoachError
from voicecoach.feedback.build import build_feedback
from voicecoach.feedback.notes import Note, notes_from_json
from voicecoach.feedback.rescore import rescore
from voicecoach.feedback.rubric import Rubric, default_rubric
from voicecoach.report.html import html_chunks
from voicecoach.report.markdown import render_markdown
from voicecoach.storage import (
    FolderLock,
    make_private_dir,
    remove_temp_files,
    write_atomic,
    write_chunks_atomic,
    write_json_atomic,
    write_text_atomic,
)
from voicecoach.types import AudioClip, Reply, SessionReport, TurnResult

Status = Literal["in_progress", "complete", "stopped"]
SESSION_FILE = "session.json"
NOTES_FILE = "notes.json"
SCHEMA_VERSION = 1
AUDIO_DIR = "audio"


class SessionStore:
    """Writes one session folder, crash-safely and readable only by its owner.

    Holds the folder's lock from creation to ``finish``: two sessions never write one folder.
    """

    def __init__(self, folder: Path, keep_audio: bool = True) -> None:
        self.folder = make_private_dir(folder)
        self._lock = FolderLock(self.folder)
        if not self._lock.acquire():
            raise SessionStorageError(f"{folder}: another VoiceCoach session is writing this folder")
        self.audio = make_private_dir(folder / AUDIO_DIR)
        self.keep_audio = keep_audio
        self.created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._last: SessionReport | None = None
        # Seconds into the session's recording: persona lines and replies end to end, so a report
        # can say when each reply started ("at 0:42").
        self._clock = 0.0
        self._starts: dict[int, float] = {}  # turn index -> its start, for a turn saved again

    def _write_clip(self, name: str, clip: AudioClip) -> str:
        write_atomic(self.audio / name, wav_bytes(clip))
        return f"{AUDIO_DIR}/{name}"

    def save_opening(self, line: str, clip: AudioClip, report: SessionReport) -> str:
        """Keep the persona's opening line audio and start ``session.json`` (no turns yet)."""
        self._clock = clip.duration_s
        name = self._write_clip("persona_00.wav", clip)
        self._write_session(report, "in_progress")
        return name

    def save_turn(
        self, turn: TurnResult, reply: Reply, persona_clip: AudioClip, report: SessionReport
    ) -> TurnResult:
        """Store reply audio, persona audio and the session so far; return the turn with file names.

        Saving a turn index again (a continued reply) replaces that turn's files.
        """
        trainee_file = None
        if reply.clip is not None and self.keep_audio:
            trainee_file = self._write_clip(f"trainee_{turn.index:02d}.wav", reply.clip)
        persona_file = self._write_clip(f"persona_{turn.index:02d}.wav", persona_clip)
        start = self._starts.setdefault(turn.index, self._clock)
        self._clock = (
            start + (reply.clip.duration_s if reply.clip is not None else 0.0) + persona_clip.duration_s
        )
        stored = dataclasses.replace(
            turn, audio_file=trainee_file, persona_audio_file=persona_file, start_s=start
        )
        report = dataclasses.replace(report, turns=(*report.turns[:-1], stored))
        self._write_session(report, "in_progress")
        return stored

    def _write_session(self, report: SessionReport, status: Status) -> None:
        self._last = report
        payload = {
            "schema_version": SCHEMA_VERSION,
            "voicecoach_version": __version__,
            "created": self.created,
            "status": status,
            **report.to_dict(),
        }
        write_json_atomic(self.folder / SESSION_FILE, payload)

    def finish(self, report: SessionReport | None, status: Status) -> None:
        """Write the final session.json (if given) and render both reports from it."""
        try:
            if report is not None:
                self._write_session(report, status)
            elif self._last is not None:
                self._write_session(self._last, status)
            if (self.folder / SESSION_FILE).exists():
                write_reports(self.folder)
        finally:
            self._lock.release()


def recover_interrupted(folder: Path) -> bool:
    """Tidy a session folder whose writer died (SIGKILL, power loss); True if it was one.

    With the folder's lock free, no process is writing it: temporary files from an interrupted
    write are removed, and a session still marked ``in_progress`` is closed as ``stopped`` (every
    turn in ``session.json`` is complete by construction). A session being written right now is
    left alone.
    """
    lock = FolderLock(folder)
    if not lock.acquire():
        return False
    try:
        removed = remove_temp_files(folder)
        session = load_session(folder)
        if session.get("status") != "in_progress":
            return bool(removed)
        write_json_atomic(folder / SESSION_FILE, {**session, "status": "stopped"})
        return True
    finally:
        lock.release()


def load_session(folder: Path) -> dict[str, Any]:
    """Read a session folder's ``session.json``."""
    path = folder / SESSION_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise SessionStorageError(f"{folder}: not a session folder (no {SESSION_FILE})") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SessionStorageError(f"{path}: unreadable ({e})") from e
    if not isinstance(data, dict) or "turns" not in data:
        raise SessionStorageError(f"{path}: not a VoiceCoach session file")
    return data


def write_reports(folder: Path, rubric: Rubric | None = None) -> tuple[Path, Path]:
    """Render ``report.md`` and ``report.html`` from the folder's session.json and notes.json.

    With ``rubric`` (``voicecoach review``) every score is recomputed under it first; without, the
    stored scores stand and the default rubric's advice is used. Either way ``session.json`` gets
    a fresh ``feedback`` section (rewritten atomically) that names the rubric.
    """
    session = load_session(folder)
    if rubric is not None:
        session = rescore(session, rubric)
    audio = _AudioFiles(folder, [name for name in _audio_files(session) if (folder / name).is_file()])
    durations = {name: wav_file_seconds(folder / name) for name in audio}
    session["feedback"] = build_feedback(
        session,
        rubric or default_rubric(),
        notes=load_notes(folder),
        durations=durations,
        stage_bands=_stage_bands(str(session.get("persona") or "")),
    )
    write_json_atomic(folder / SESSION_FILE, session)
    md_path, html_path = folder / "report.md", folder / "report.html"
    write_text_atomic(md_path, render_markdown(session))
    write_chunks_atomic(html_path, html_chunks(session, audio))
    return md_path, html_path


def load_notes(folder: Path) -> tuple[Note, ...]:
    """The instructor notes kept beside a session (none when there is no ``notes.json``)."""
    path = folder / NOTES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SessionStorageError(f"{path}: unreadable ({e})") from e
    return notes_from_json(data, str(path))


def add_note(folder: Path, note: Note) -> tuple[Note, ...]:
    """Append ``note`` to the session's ``notes.json`` (atomically, 0600); return all notes."""
    load_session(folder)  # a note needs a session to sit beside
    notes = (*load_notes(folder), note)
    write_json_atomic(folder / NOTES_FILE, {"notes": [n.to_dict() for n in notes]})
    return notes


class _AudioFiles(Mapping[str, bytes]):
    """A session's recordings by name, each read from disk only when asked for."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.folder = folder
        self.names = names

    def __getitem__(self, name: str) -> bytes:
        if name not in self.names:
            raise KeyError(name)
        return (self.folder / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def wav_file_seconds(path: Path) -> float:
    """Length of a WAV file's audio in seconds, from its header (0 when unreadable)."""
    try:
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            return w.getnframes() / rate if rate else 0.0
    except (wave.Error, EOFError, OSError):
        return 0.0


def _stage_bands(persona_id: str) -> dict[str, float] | None:
    """The persona's own stage thresholds, when its file can be found (else the defaults)."""
    from voicecoach.persona.schema import get_persona

    try:
        t = get_persona(persona_id).thresholds
    except VoiceCoachError:
        return None
    return {"anxious": t.anxious, "defensive": t.defensive, "agitated": t.agitated, "crisis": t.crisis}


#: Only files VoiceCoach itself names are embedded: an edited session.json cannot make a report
#: read anything outside the session's audio folder.
_OWN_AUDIO = re.compile(r"audio/(persona|trainee)_\d{2,3}\.wav")


def _audio_files(session: dict[str, Any]) -> list[str]:
    names = [f"{AUDIO_DIR}/persona_00.wav"]
    for turn in session.get("turns", []):
        if not isinstance(turn, dict):
            continue
        for key in ("audio_file", "persona_audio_file"):
            name = turn.get(key)
            if isinstance(name, str) and _OWN_AUDIO.fullmatch(name):
                names.append(name)
    return names
