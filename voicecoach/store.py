"""A session folder on disk: what ``practice`` writes turn by turn and ``review`` reads back.

    SESSION_DIR/
      session.json          the SessionReport as JSON, rewritten atomically after every turn
      audio/persona_00.wav  the persona's opening line
      audio/trainee_NN.wav  reply NN as heard (absent with --no-keep-audio or typed replies)
      audio/persona_NN.wav  the persona's answer to reply NN
      report.md, report.html

``session.json`` carries ``status``: ``in_progress`` while the session runs, then ``complete``
or ``stopped`` (ended early by an error or Ctrl-C; the turns in it are all complete).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from voicecoach import __version__
from voicecoach.audio.clip import wav_bytes
from voicecoach.errors import SessionStorageError
from voicecoach.report.html import render_html
from voicecoach.report.markdown import render_markdown
from voicecoach.storage import make_private_dir, write_atomic, write_json_atomic, write_text_atomic
from voicecoach.types import AudioClip, Reply, SessionReport, TurnResult

Status = Literal["in_progress", "complete", "stopped"]
SESSION_FILE = "session.json"
SCHEMA_VERSION = 1
AUDIO_DIR = "audio"


class SessionStore:
    """Writes one session folder, crash-safely and readable only by its owner."""

    def __init__(self, folder: Path, keep_audio: bool = True) -> None:
        self.folder = make_private_dir(folder)
        self.audio = make_private_dir(folder / AUDIO_DIR)
        self.keep_audio = keep_audio
        self.created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._last: SessionReport | None = None

    def _write_clip(self, name: str, clip: AudioClip) -> str:
        write_atomic(self.audio / name, wav_bytes(clip))
        return f"{AUDIO_DIR}/{name}"

    def save_opening(self, line: str, clip: AudioClip) -> str:
        """Keep the persona's opening line audio."""
        return self._write_clip("persona_00.wav", clip)

    def save_turn(
        self, turn: TurnResult, reply: Reply, persona_clip: AudioClip, report: SessionReport
    ) -> TurnResult:
        """Store reply audio, persona audio and the session so far; return the turn with file names."""
        trainee_file = None
        if reply.clip is not None and self.keep_audio:
            trainee_file = self._write_clip(f"trainee_{turn.index:02d}.wav", reply.clip)
        persona_file = self._write_clip(f"persona_{turn.index:02d}.wav", persona_clip)
        stored = dataclasses.replace(turn, audio_file=trainee_file, persona_audio_file=persona_file)
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
        if report is not None:
            self._write_session(report, status)
        elif self._last is not None:
            self._write_session(self._last, status)
        if (self.folder / SESSION_FILE).exists():
            write_reports(self.folder)


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


def write_reports(folder: Path) -> tuple[Path, Path]:
    """Render ``report.md`` and ``report.html`` from the folder's session.json."""
    session = load_session(folder)
    audio: dict[str, bytes] = {}
    for name in _audio_files(session):
        path = folder / name
        if path.is_file():
            audio[name] = path.read_bytes()
    md_path, html_path = folder / "report.md", folder / "report.html"
    write_text_atomic(md_path, render_markdown(session))
    write_text_atomic(html_path, render_html(session, audio))
    return md_path, html_path


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
