"""`voicecoach grade` on a class of 50 sessions: progress, interruption and resume, a corrupt file.

48 stored sessions (copies of three real typed-reply sessions) and two raw folders of recorded
replies (the demo's, through the real speech model; and one with a corrupt file). The run is
stopped twice (Ctrl-C, then SIGKILL) and restarted; every session must end up graded exactly
once, and the corrupt file must be named while the rest are graded.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "audio_fixtures"
SCHEMA = json.loads((ROOT / "docs" / "schema" / "session.schema.json").read_text())


def env(home: Path) -> dict[str, str]:
    out = {**os.environ, "VOICECOACH_HOME": str(home), "TTY_COMPATIBLE": "1", "COLUMNS": "100"}
    out.pop("VOICECOACH_MODEL", None)
    return out


def grade_cmd(cohort: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "voicecoach", "grade", str(cohort), "--out", str(out), "--jobs", "2"]


def journal(out: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((out / "journal.json").read_text()))
    except (OSError, ValueError):
        return {"done": {}, "failed": {}}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten trainees, 50 sessions: 48 stored, 2 raw (one holding a corrupt recording)."""
    base = tmp_path_factory.mktemp("cohort")
    sessions = []
    for script in ("unskilled", "mixed", "skilled"):
        folder = base / "made" / script
        done = subprocess.run(
            [sys.executable, "-m", "voicecoach", "practice", "--persona", "marcus", "--no-playback",
             "--replies", str(ROOT / "tests" / "scripts" / "marcus" / f"{script}.txt"), "--out", str(folder)],
            cwd=ROOT, env=env(base / "home"), capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        sessions.append(folder)
    root = base / "class"
    n = 0
    for t in range(10):
        for week in range(1, 6):
            if n < 48:
                # Trainees improve over the weeks: unskilled first, skilled last.
                source = sessions[min(2, (week - 1) * 3 // 5 + (t % 2))]
                shutil.copytree(source, root / f"trainee{t:02d}" / f"week{week}")
                n += 1
    raw = root / "trainee09" / "week4"
    raw.mkdir(parents=True)
    for wav in sorted((FIXTURES / "demo" / "replies").glob("*.wav")):
        shutil.copyfile(wav, raw / wav.name)
    (raw / "persona.txt").write_text("Nobody called me about my bed!\nYeah, well.\nMaybe.\nOkay.\n")
    broken = root / "trainee09" / "week5"
    broken.mkdir()
    shutil.copyfile(FIXTURES / "demo" / "replies" / "01.wav", broken / "01.wav")
    shutil.copyfile(FIXTURES / "bad" / "corrupt.wav", broken / "02.wav")
    return root


def _stamps(rows: dict[str, Any]) -> set[str]:
    return {row["run"] for row in rows.values()}


def ctrl_c_works() -> None:
    """In the child: SIGINT back to its default, as in a terminal where Ctrl-C is pressed.

    A test run started in the background by a shell (``cmd &``, nohup) inherits SIGINT ignored,
    and Python then keeps ignoring it: the interruption this test is about could not happen.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop_when(proc: subprocess.Popen[str], out: Path, done_at_least: int, sig: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(journal(out)["done"]) >= done_at_least:
            proc.send_signal(sig)
            return
        assert proc.poll() is None, "the run finished before it could be interrupted"
        time.sleep(0.01)
    pytest.fail("grading made no progress")


def check_outputs(out: Path, cohort: Path) -> None:
    """cohort.csv, index.html and the graded session folders after the final run."""
    with (out / "cohort.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 50 and len({r["session"] for r in rows}) == 50
    by_session = {r["session"]: r for r in rows}
    assert by_session["trainee09/week5"]["status"] == "failed"
    assert "02.wav" in by_session["trainee09/week5"]["error"]
    raw = by_session["trainee09/week4"]
    assert raw["kind"] == "recordings" and float(raw["audio_minutes"]) > 0.3
    assert {r["status"] for r in rows if r["session"] != "trainee09/week5"} == {"graded"}
    assert any("escalat" in r["flags"] for r in rows)

    index = (out / "index.html").read_text()
    assert index.count('<a href="sessions/') == 49
    assert "Calm presence across the class" in index and "over each trainee" in index
    for r in [*rows[:3], raw]:
        folder = out / "sessions" / r["session"]
        assert (folder / "report.html").is_file() and (folder / "report.md").is_file()
        jsonschema.Draft202012Validator(SCHEMA).validate(json.loads((folder / "session.json").read_text()))
    graded_raw = json.loads((out / "sessions" / "trainee09" / "week4" / "session.json").read_text())
    assert graded_raw["opening_line"] == "Nobody called me about my bed!"
    assert graded_raw["turns"][0]["persona_reply"] == "Yeah, well."
    assert graded_raw["turns"][0]["persona_audio_file"] is None  # never voiced: no silent player
    assert graded_raw["turns"][0]["tone"] is not None and graded_raw["turns"][0]["transcript"]
    assert not list((out / "sessions").glob(".tmp-*"))
    assert not (cohort / "trainee00" / "week1" / "grade.json").exists()  # the source is read only


def test_grading_50_sessions_survives_interruption_and_reports_the_corrupt_file(
    cohort: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    home = tmp_path / "home"

    first = subprocess.Popen(grade_cmd(cohort, out), cwd=ROOT, env=env(home), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=ctrl_c_works)  # fmt: skip  # noqa: PLW1509 (signal() only)
    stop_when(first, out, 6, signal.SIGINT)
    _, err1 = first.communicate(timeout=120)
    assert first.returncode == 130, err1
    assert "voicecoach: stopped" in err1 and "Traceback" not in err1
    after_first = journal(out)["done"]
    assert 6 <= len(after_first) < 50

    second = subprocess.Popen(grade_cmd(cohort, out), cwd=ROOT, env=env(home), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    stop_when(second, out, len(after_first) + 8, signal.SIGKILL)
    second.communicate(timeout=120)
    assert second.returncode == -signal.SIGKILL
    after_second = journal(out)["done"]
    assert len(after_first) < len(after_second) < 50

    third = subprocess.run(grade_cmd(cohort, out), cwd=ROOT, env=env(home), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    err3 = third.stderr
    assert third.returncode == 1, err3  # one session could not be graded
    # A session the killed run had already moved into place (but not yet journalled) is adopted
    # on resume, not graded again, so the count may be one or two above the journal's.
    resumed = int(re.search(r"Resuming: (\d+) of 50 sessions already graded\.", err3).group(1))  # type: ignore[union-attr]
    assert len(after_second) <= resumed <= len(after_second) + 2
    assert "━" in err3 and "50/50" in err3  # the progress bar, drawn to the end
    warnings = [line for line in err3.splitlines() if "voicecoach: warning:" in line]
    assert len(warnings) == 1 and "trainee09/week5" in warnings[0] and "02.wav" in warnings[0]
    assert "not a readable audio file" in warnings[0] and "Traceback" not in err3

    final = journal(out)
    assert len(final["done"]) == 49 and list(final["failed"]) == ["trainee09/week5"]
    # No session graded twice: what each run graded keeps that run's stamp to the end.
    for earlier in (after_first, after_second):
        for job_id, row in earlier.items():
            assert final["done"][job_id]["run"] == row["run"], job_id
    stamps = [row["run"] for row in final["done"].values()]
    assert len(set(stamps)) == 3
    third_run = next(r["run"] for r in final["done"].values() if r["run"] not in {*_stamps(after_second)})
    assert stamps.count(third_run) == 49 - resumed  # the third run graded only what was left

    check_outputs(out, cohort)


def test_grade_refuses_bad_input_with_one_line(cohort: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "voicecoach", "grade", *args]
        return subprocess.run(
            command,
            cwd=ROOT,
            env=env(tmp_path / "home"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    for args, fragment in (
        ((str(tmp_path / "none"), "--out", str(tmp_path / "o")), "no such folder"),
        ((str(cohort), "--out", str(cohort / "grades")), "--out must be outside"),
        ((str(cohort), "--out", str(tmp_path / "o"), "--persona", "nobody"), "no persona named 'nobody'"),
        ((str(cohort), "--out", str(tmp_path / "o"), "--jobs", "0"), "--jobs must be"),
    ):
        done = run(*args)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("voicecoach: error:")]
        assert len(errors) == 1 and fragment in errors[0], done.stderr
