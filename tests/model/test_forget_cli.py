"""`voicecoach forget` on data the real commands made: calibrate, practice and grade.

Two trainees each calibrate, practise with typed replies and are graded from recorded replies
(through the real speech model) and from their stored session. Forgetting one must leave no byte
of them anywhere: not their name, not a transcript, not a recording. The other must be intact,
and still listed by the cohort. Refusals (no terminal, not a session folder, a session being
written) must remove nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.model.conftest import Run, assert_clean_error
from voicecoach.storage import FolderLock

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "audio_fixtures" / "demo"
GONE, KEPT = "wrenna", "ana"
REPLIES = {
    GONE: "I hear you. Losing your bed at Larkspur House sounds awful.\nWhat happened on the Quillby bus?\n",
    KEPT: "That sounds frustrating.\nWould you like me to call the shelter with you?\n",
}
RECORDINGS = {GONE: ("01.wav", "02.wav"), KEPT: ("03.wav", "04.wav")}


def run_in(cwd: Path, *args: str) -> Run:
    """`python -m voicecoach ARGS` in ``cwd`` with its private home and no terminal."""
    env = {**os.environ, "VOICECOACH_HOME": str(cwd / "home"), "COLUMNS": "200"}
    env.pop("VOICECOACH_MODEL", None)
    done = subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr)


def ok(run: Run) -> Run:
    assert run.code == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both trainees' profiles, practice sessions, class folder and grade output, made once."""
    base = tmp_path_factory.mktemp("made")
    for trainee in (GONE, KEPT):
        ok(run_in(base, "calibrate", "--trainee", trainee, "--file", str(DEMO / "baseline.wav")))
        (base / f"{trainee}.txt").write_text(REPLIES[trainee])
        session = f"sessions/{trainee}-1"
        replies = ("--replies", f"{trainee}.txt", "--trainee", trainee)
        ok(run_in(base, "practice", "--persona", "marcus", *replies, "--no-playback", "--out", session))
        (base / f"{trainee}.txt").unlink()
        raw = base / "class" / trainee / "week1"
        raw.mkdir(parents=True)
        for name in RECORDINGS[trainee]:
            shutil.copyfile(DEMO / "replies" / name, raw / name)
        shutil.copytree(base / session, base / "class" / trainee / "week2")
    ok(run_in(base, "grade", "class", "--out", "out", "--jobs", "2"))
    return base


@pytest.fixture()
def work(made: Path, tmp_path: Path) -> Path:
    """A private copy of the made data (the journal pointed at the copy's class folder)."""
    work = tmp_path / "w"
    shutil.copytree(made, work, symlinks=True)
    journal = json.loads((work / "out" / "journal.json").read_text())
    journal["source"] = str((work / "class").resolve())
    (work / "out" / "journal.json").write_text(json.dumps(journal))
    return work


def snapshot(base: Path) -> dict[str, str]:
    """Every file and folder under ``base`` with a digest of what it holds."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(base):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            seen[str(p.relative_to(base))] = (
                hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            )
    return seen


def traces(base: Path, needles: list[bytes]) -> list[str]:
    """Paths under ``base`` whose name or bytes hold any of ``needles``."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            data = name.encode() + b"\n" + (p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
            found += [f"{p.relative_to(base)}: {n[:40]!r}" for n in needles if n in data]
    return found


def trainee_data(work: Path, trainee: str) -> list[bytes]:
    """What identifies ``trainee``: name, every transcript (typed and heard), recorded audio."""
    needles = [trainee.encode()]
    for session in [*work.glob(f"sessions/{trainee}-*"), *work.glob(f"out/sessions/{trainee}/*")]:
        for turn in json.loads((session / "session.json").read_text())["turns"]:
            needles.append(turn["transcript"].encode())
    for name in RECORDINGS[trainee]:
        needles.append((DEMO / "replies" / name).read_bytes()[4000:8000])  # a stretch of the voice
    return needles


def cohort(work: Path) -> list[dict[str, str]]:
    with (work / "out" / "cohort.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_forgetting_a_trainee_leaves_no_byte_of_them_and_keeps_the_other(work: Path) -> None:
    gone, kept = trainee_data(work, GONE), trainee_data(work, KEPT)
    assert len(gone) == 1 + 2 * 3 + 2 and b"Larkspur House" in b"".join(gone)
    assert traces(work, gone) and not traces(work / "out" / "sessions" / KEPT, gone)  # a fair test
    rows_before = {r["session"]: r for r in cohort(work) if r["trainee"] == KEPT}
    assert len(rows_before) == 2 and len(cohort(work)) == 4
    kept_before = {k: v for k, v in snapshot(work).items() if KEPT in k}

    # The default --in is ./sessions; the grade output is named too.
    done = ok(run_in(work, "forget", "--trainee", GONE, "--in", "sessions", "--in", "out", "--yes"))
    assert "Forgot trainee wrenna: 5 items removed." in done.stderr, done.stderr
    assert "Traceback" not in done.stderr

    assert traces(work, gone) == []
    assert {k: v for k, v in snapshot(work).items() if KEPT in k} == kept_before
    assert traces(work / "out" / "sessions" / KEPT, kept[1:]) != []  # their transcripts are still there
    assert {r["session"]: r for r in cohort(work)} == rows_before
    index = (work / "out" / "index.html").read_text()
    assert "sessions/ana/week1/report.html" in index and "sessions/ana/week2/report.html" in index
    # The journal and what is on disk agree: a rerun of grade has nothing to do and lists only ana.
    again = ok(run_in(work, "grade", "class", "--out", "out"))
    assert "Graded 2 of 2 sessions (0 this run)" in again.stderr, again.stderr
    assert [r["trainee"] for r in cohort(work)] == [KEPT, KEPT] and traces(work, gone) == []
    nothing = ok(run_in(work, "forget", "--trainee", GONE, "--in", "out"))
    assert "Nothing stored about trainee wrenna" in nothing.stderr


def test_forgetting_one_session_removes_that_folder_only(work: Path) -> None:
    before = snapshot(work)
    done = ok(run_in(work, "forget", f"sessions/{GONE}-1", "--yes"))
    assert f"removed  session folder           {work.resolve()}/sessions/{GONE}-1" in done.stderr, done.stderr
    after = snapshot(work)
    assert not (work / "sessions" / f"{GONE}-1").exists()
    assert {k: v for k, v in before.items() if not k.startswith(f"sessions/{GONE}-1")} == after


def test_refusals_remove_nothing(work: Path) -> None:
    before = snapshot(work)
    asked = run_in(work, "forget", "--trainee", GONE, "--in", "sessions", "--in", "out")
    assert_clean_error(asked, "no terminal to ask for confirmation", "add --yes to confirm")
    assert f"out/sessions/{GONE}" in asked.stderr  # the list is shown first
    assert_clean_error(
        run_in(work, "forget", f"class/{KEPT}", "--yes"), "not a session folder (no session.json)"
    )
    assert_clean_error(run_in(work, "forget", "class", "--yes"), "not a session folder")
    assert_clean_error(run_in(work, "forget", "no-such-session", "--yes"), "no-such-session: no such folder")
    assert snapshot(work) == before

    writing = work / "sessions" / f"{GONE}-1"
    lock = FolderLock(writing)
    assert lock.acquire()
    try:
        for args in ([str(writing)], ["--trainee", GONE, "--in", "sessions", "--in", "out"]):
            refused = run_in(work, "forget", *args, "--yes")
            assert_clean_error(
                refused, f"{GONE}-1: a VoiceCoach session or grade run is writing there right now"
            )
        assert snapshot(work) == before
    finally:
        lock.release()
