"""Command-line usage errors: one line, exit 2, no traceback (in-process, nothing loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.cli import main
from voicecoach.storage import FolderLock

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["frobnicate"], "invalid choice"),
        (["practice"], "--persona"),
        (["analyze"], "exactly one"),
        (["analyze", "--text", "hi", "--text-jsonl", "x.jsonl"], "exactly one"),
        (["analyze", "a.wav", "--context", "hi"], "--context goes with --text"),
        (["practice", "--persona", "marcus", "--replies", "x.txt", "--seed", "soon"], "invalid int"),
        (["personas", "check"], "needs a FILE"),
        (["analyze", "a.wav", "--beam-size", "0"], "--beam-size"),
    ],
)
def test_usage_errors_are_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("voicecoach: error:")
    assert fragment in err[0]


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "practice" in capsys.readouterr().err


def test_personas_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas"]) == 0
    listed = capsys.readouterr().out
    assert len(listed.strip().splitlines()) >= 7 and "marcus" in listed
    assert main(["personas", "show", "marcus"]) == 0
    assert "Marcus" in capsys.readouterr().out


def test_analyze_text_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--text", "I'm sorry, that sounds exhausting."]) == 0
    assert '"effect": "deescalating"' in capsys.readouterr().out


def test_grade_refuses_an_output_folder_another_run_is_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "class" / "sam").mkdir(parents=True)
    out = tmp_path / "out"
    out.mkdir()
    lock = FolderLock(out)  # what a running `voicecoach grade --out OUT` holds
    assert lock.acquire()
    try:
        assert main(["grade", str(tmp_path / "class"), "--out", str(out)]) == 2
    finally:
        lock.release()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another grade run" in err[0]
    assert sorted(p.name for p in out.iterdir()) == [".lock"]
