"""Recorded and typed reply sources for `practice --replies`."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.errors import AudioFileError, UsageError
from voicecoach.replies import open_replies

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures"


def test_folder_replies_come_in_name_order(tmp_path: Path) -> None:
    for name in ("b.wav", "a.wav", "notes.txt", "c.WAV"):
        (tmp_path / name).write_bytes((FIXTURES / "demo" / "replies" / "01.wav").read_bytes())
    source = open_replies(tmp_path)
    labels = [r.label for r in source.replies()]
    assert [Path(label).name for label in labels] == ["a.wav", "b.wav", "c.WAV"]


def test_typed_replies_skip_blank_lines_and_control_characters(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("I hear you.\n\n  \nWhat\x07 happened?\x1b[31m\n", encoding="utf-8")
    replies = list(open_replies(script).replies())
    assert [r.text for r in replies] == ["I hear you.", "What happened?"]  # the whole ESC [31m goes
    assert all(r.clip is None for r in replies)
    assert replies[1].label.endswith("script.txt:4")


def test_bad_reply_sources_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        open_replies(tmp_path / "missing")
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(UsageError, match="no replies"):
        open_replies(tmp_path / "empty.txt")
    (tmp_path / "x.csv").write_text("a")
    with pytest.raises(UsageError, match="expected a folder"):
        open_replies(tmp_path / "x.csv")
    (tmp_path / "d").mkdir()
    with pytest.raises(UsageError, match="no audio replies"):
        open_replies(tmp_path / "d")


def test_a_corrupt_file_fails_only_when_its_turn_comes(tmp_path: Path) -> None:
    (tmp_path / "01.wav").write_bytes((FIXTURES / "demo" / "replies" / "01.wav").read_bytes())
    (tmp_path / "02.wav").write_bytes((FIXTURES / "bad" / "corrupt.wav").read_bytes())
    replies = open_replies(tmp_path).replies()
    assert next(replies).clip is not None
    with pytest.raises(AudioFileError, match=r"02\.wav: not a readable audio file"):
        next(replies)
