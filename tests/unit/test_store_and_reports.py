"""Session folders (private, atomic, re-renderable) and the Markdown/HTML reports."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voicecoach.errors import SessionStorageError
from voicecoach.report.html import render_html
from voicecoach.report.markdown import render_markdown
from voicecoach.storage import write_json_atomic
from voicecoach.store import SessionStore, load_session, recover_interrupted, write_reports
from voicecoach.types import AudioClip, SessionReport

pytestmark = pytest.mark.unit


def session_dict(transcript: str = "I hear you.") -> dict[str, Any]:
    return {
        "persona": "marcus",
        "outcome": "resolved",
        "calm_presence": 81,
        "calm_presence_reasons": ["average of 1 replies"],
        "baseline": "population",
        "opening_line": "Three months <b>clean</b>.",
        "safety_step": None,
        "turns": [
            {
                "index": 1,
                "transcript": transcript,
                "tone": None,
                "wording": {
                    "effect": "deescalating",
                    "score": 1.0,
                    "techniques": [{"tag": "validation", "evidence": "I hear you", "start": 0, "end": 10}],
                },
                "agitation_before": 55.0,
                "agitation_after": 47.0,
                "stage": "defensive",
                "reasons": ["\u22128: you named his frustration"],
                "persona_reply": "Yeah.",
                "calm_presence": 81,
                "calm_presence_reasons": ["helpful wording: validation"],
                "audio_file": None,
                "persona_audio_file": "audio/persona_01.wav",
            }
        ],
        "settings": {},
    }


def test_html_escapes_every_transcript_and_embeds_audio() -> None:
    html = render_html(session_dict("<script>alert(1)</script> fine"), {"audio/persona_01.wav": b"RIFF"})
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fine" in html
    assert "Three months &lt;b&gt;clean&lt;/b&gt;." in html
    assert 'src="data:audio/wav;base64,UklGRg=="' in html
    assert "http://" not in html and "https://" not in html  # nothing to fetch


def test_markdown_neutralises_html_and_table_breaks() -> None:
    md = render_markdown(session_dict("a | b <script>x</script>"))
    assert "<script>" not in md
    assert "a \\| b &lt;script&gt;x&lt;/script&gt;" in md
    assert "**Calm presence: 81/100**" in md
    assert "validation (\u201cI hear you\u201d)" in md


def empty_report() -> SessionReport:
    return SessionReport(persona="marcus", outcome="unresolved", calm_presence=0, turns=(), opening_line="hi")


def test_store_writes_private_folder_and_reports(tmp_path: Path) -> None:
    folder = tmp_path / "s1"
    store = SessionStore(folder)
    store.save_opening("hi", AudioClip(np.zeros(160, dtype=np.float32), 16_000), empty_report())
    assert load_session(folder)["status"] == "in_progress"  # reviewable from the opening line on
    store.finish(None, "complete")
    write_json_atomic(folder / "session.json", session_dict())
    write_reports(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (folder / "report.md").read_text().startswith("# VoiceCoach session: marcus")
    assert "<html" in (folder / "report.html").read_text()
    assert not list(folder.glob(".*.tmp")), "no temporary files left behind"


def test_one_folder_is_written_by_one_session_at_a_time(tmp_path: Path) -> None:
    folder = tmp_path / "s1"
    store = SessionStore(folder)
    with pytest.raises(SessionStorageError, match="another VoiceCoach session"):
        SessionStore(folder)
    store.save_opening("hi", AudioClip(np.zeros(160, dtype=np.float32), 16_000), empty_report())
    assert not recover_interrupted(folder), "a live session is left alone"
    store.finish(None, "stopped")
    SessionStore(folder)  # the lock was released by finish


def test_recovery_closes_an_interrupted_session_and_removes_debris(tmp_path: Path) -> None:
    folder = tmp_path / "s1"
    (folder / "audio").mkdir(parents=True)
    write_json_atomic(folder / "session.json", {**session_dict(), "status": "in_progress"})
    debris = [folder / ".session.json.abc123.tmp", folder / "audio" / ".trainee_02.wav.x.tmp"]
    for path in debris:
        path.write_bytes(b"half a fi")
    assert recover_interrupted(folder)
    assert load_session(folder)["status"] == "stopped"
    assert not any(path.exists() for path in debris)
    assert not recover_interrupted(folder), "nothing left to recover"


def test_reports_never_embed_files_outside_the_audio_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"SECRET-BYTES")
    folder = tmp_path / "s2"
    folder.mkdir()
    data = session_dict()
    data["turns"][0]["audio_file"] = "../secret.wav"
    (folder / "session.json").write_text(json.dumps(data))
    _, html_path = write_reports(folder)
    assert "U0VDUkVU" not in html_path.read_text()  # base64 of "SECRET"


def test_load_session_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="not a session folder"):
        load_session(tmp_path)
    (tmp_path / "session.json").write_text("{not json")
    with pytest.raises(Exception, match="unreadable"):
        load_session(tmp_path)


def test_a_write_cut_off_before_its_rename_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Killed(BaseException):
        """Stands for SIGKILL: nothing after this point of write_atomic runs."""

    target = tmp_path / "session.json"
    write_json_atomic(target, {"turns": [1]})

    def die(*_args: object) -> None:
        raise Killed

    monkeypatch.setattr("voicecoach.storage.os.replace", die)
    with pytest.raises(Killed):
        write_json_atomic(target, {"turns": [1, 2]})
    monkeypatch.undo()
    assert json.loads(target.read_text()) == {"turns": [1]}
    assert list(tmp_path.glob(".session.json.*.tmp")), "the cut-off write left its temporary file"
    assert recover_interrupted(tmp_path)  # and review's recovery removes it
    assert not list(tmp_path.glob("*.tmp"))
