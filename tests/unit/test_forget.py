"""Forgetting a trainee: planning reads only, applying leaves nothing behind, refusals remove nothing.

Real folders in the formats ``practice``, ``calibrate`` and ``grade`` write (built by hand here;
the model tier builds them with the real commands), a second trainee whose data must survive, and
a sweep of every byte under the temporary folder afterwards.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from voicecoach import forget as forget_mod
from voicecoach.cli import main
from voicecoach.errors import SessionStorageError, UsageError
from voicecoach.forget import apply_plan, is_safe_trainee_name, plan_session, plan_trainee
from voicecoach.grading.rows import COLUMNS
from voicecoach.storage import FolderLock

pytestmark = pytest.mark.unit

GONE, KEPT = "wrenna", "ana"
GONE_WORDS = "the Larkspur House bed was given away"
KEPT_WORDS = "tell me what happened at the desk"


def make_session(folder: Path, trainee: str | None, words: str) -> Path:
    """A session folder as ``practice`` leaves it."""
    (folder / "audio").mkdir(parents=True)
    session = {
        "schema_version": 1,
        "status": "complete",
        "settings": {"baseline_trainee": trainee},
        "turns": [{"index": 1, "transcript": words}],
    }
    (folder / "session.json").write_text(json.dumps(session))
    (folder / "report.md").write_text(f"# Session\n\nYou said: {words}\n")
    (folder / "audio" / "trainee_01.wav").write_bytes(b"RIFF" + words.encode())
    (folder / ".lock").write_bytes(b"")
    return folder


def row(job_id: str, trainee: str, number: int) -> dict[str, Any]:
    r: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    r.update(id=job_id, trainee=trainee, session=job_id, number=number, kind="recordings", status="graded")
    r.update(calm_presence=70, report=f"sessions/{job_id}/report.html")
    return r


def make_grade_output(base: Path) -> tuple[Path, Path]:
    """A class folder (raw recordings per trainee) and its grade output, as ``grade`` leaves them."""
    source, out = base / "class", base / "out"
    for trainee, words in ((GONE, GONE_WORDS), (KEPT, KEPT_WORDS)):
        (source / trainee / "week1").mkdir(parents=True)
        (source / trainee / "week1" / "01.wav").write_bytes(b"RIFF" + words.encode())
        graded = make_session(out / "sessions" / trainee / "week1", None, words)
        (graded / "grade.json").write_text(json.dumps(row(f"{trainee}/week1", trainee, 1)))
    (source / GONE / "week2").mkdir()
    (source / GONE / "week2" / "01.wav").write_bytes(b"not audio " + GONE.encode())
    (source / KEPT / "week2").mkdir()
    (source / KEPT / "week2" / "01.wav").write_bytes(b"not audio")
    journal = {
        "version": 1,
        "source": str(source.resolve()),
        "rubric": "voicecoach-default-1",
        "done": {f"{t}/week1": row(f"{t}/week1", t, 1) for t in (GONE, KEPT)},
        "failed": {f"{GONE}/week2": "01.wav: corrupt", f"{KEPT}/week2": "01.wav: corrupt"},
    }
    (out / "journal.json").write_text(json.dumps(journal))
    (out / "cohort.csv").write_text(f"trainee\n{GONE}\n{KEPT}\n")
    (out / "index.html").write_text(f"<p>{GONE}</p><p>{KEPT}</p>")
    return source, out


@pytest.fixture()
def world(tmp_path: Path, private_home: Path) -> dict[str, Path]:
    """Two trainees' profiles, practice sessions and grades under ``tmp_path``."""
    baselines = private_home / "baselines"
    baselines.mkdir(parents=True)
    for trainee in (GONE, KEPT):
        (baselines / f"{trainee}.json").write_text(json.dumps({"format": 1, "trainee": trainee}))
    sessions = tmp_path / "sessions"
    make_session(sessions / "20250101-marcus", GONE, GONE_WORDS)
    make_session(sessions / "20250102-marcus", KEPT, KEPT_WORDS)
    make_session(sessions / "nested" / "20250103-rosa", GONE, GONE_WORDS)
    source, out = make_grade_output(tmp_path)
    return {"home": private_home, "sessions": sessions, "source": source, "out": out, "base": tmp_path}


def snapshot(base: Path) -> dict[str, str]:
    """Every file, link and folder under ``base`` with a digest of what it holds."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(base):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            if p.is_symlink():
                seen[str(p)] = "-> " + os.readlink(p)
            elif p.is_file():
                seen[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                seen[str(p)] = "dir"
    return seen


def traces(base: Path, *needles: str) -> list[str]:
    """Paths under ``base`` whose name or bytes contain any of ``needles``."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            data = p.read_bytes() if p.is_file() and not p.is_symlink() else b""
            if any(n in name or n.encode() in data for n in needles):
                found.append(str(p))
    return found


def test_trainee_names_are_checked_like_profile_names() -> None:
    assert is_safe_trainee_name("sam") and is_safe_trainee_name("J.Rivera-2") and is_safe_trainee_name("Zoë")
    for bad in ("", ".", "..", "../sam", "s/a/m", "sam smith", ".sam", "sam.", "a\x1bb"):
        assert not is_safe_trainee_name(bad), bad
    with pytest.raises(UsageError, match="letters, digits"):
        plan_trainee("../sam", Path("x.json"), [])


def test_planning_lists_everything_of_the_trainee_and_touches_nothing(world: dict[str, Path]) -> None:
    before = snapshot(world["base"])
    plan = plan_trainee(GONE, world["home"] / "baselines" / f"{GONE}.json", [world["sessions"], world["out"]])
    assert snapshot(world["base"]) == before
    listed = {(r.kind, r.path.relative_to(world["base"].resolve()).as_posix()) for r in plan.removals}
    assert listed == {
        ("baseline", f"home/baselines/{GONE}.json"),
        ("session", "sessions/20250101-marcus"),
        ("session", "sessions/nested/20250103-rosa"),
        ("graded", f"out/sessions/{GONE}"),
        ("recordings", f"class/{GONE}"),
    }
    assert [(e.out.name, e.job_ids) for e in plan.edits] == [("out", (f"{GONE}/week1", f"{GONE}/week2"))]
    assert not plan.busy and not plan.warnings
    assert len(plan.lines()) == 6 and not any("Larkspur" in line for line in plan.lines())


def test_applying_leaves_no_trace_of_the_trainee_and_keeps_the_other(world: dict[str, Path]) -> None:
    kept_before = {k: v for k, v in snapshot(world["base"]).items() if KEPT in k and "/out/" not in k}
    plan = plan_trainee(GONE, world["home"] / "baselines" / f"{GONE}.json", [world["sessions"], world["out"]])
    done: list[str] = []
    apply_plan(plan, done.append)
    assert len(done) == 6
    assert traces(world["base"], GONE, GONE_WORDS, "Larkspur") == []
    after = snapshot(world["base"])
    assert {k: v for k, v in after.items() if KEPT in k and "/out/" not in k} == kept_before
    out = world["out"]
    rows = list(csv.DictReader(io.StringIO((out / "cohort.csv").read_text())))
    assert [(r["session"], r["status"]) for r in rows] == [
        (f"{KEPT}/week1", "graded"),
        (f"{KEPT}/week2", "failed"),
    ]
    assert f"sessions/{KEPT}/week1/report.html" in (out / "index.html").read_text()
    journal = json.loads((out / "journal.json").read_text())
    assert list(journal["done"]) == [f"{KEPT}/week1"] and list(journal["failed"]) == [f"{KEPT}/week2"]
    assert (out / "sessions" / KEPT / "week1" / "report.md").read_text().endswith(f"{KEPT_WORDS}\n")
    # Asking again finds nothing: forgetting is idempotent.
    assert plan_trainee(GONE, world["home"] / "baselines" / f"{GONE}.json", [world["sessions"]]).empty


def test_a_link_inside_a_removed_folder_is_removed_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the trainee's")
    session = make_session(tmp_path / "sessions" / "s1", GONE, GONE_WORDS)
    (session / "audio" / "link_dir").symlink_to(outside, target_is_directory=True)
    (session / "link_file").symlink_to(outside / "keep.txt")
    plan = plan_trainee(GONE, tmp_path / "none.json", [tmp_path / "sessions"])
    apply_plan(plan, lambda line: None)
    assert not session.exists()
    assert (outside / "keep.txt").read_text() == "not the trainee's"


def test_a_linked_session_folder_is_refused_and_links_under_a_root_are_not_walked(tmp_path: Path) -> None:
    real = make_session(tmp_path / "elsewhere" / "s1", GONE, GONE_WORDS)
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / "s1").symlink_to(real, target_is_directory=True)
    with pytest.raises(UsageError, match="symbolic link"):
        plan_session(tmp_path / "sessions" / "s1")
    assert plan_trainee(GONE, tmp_path / "none.json", [tmp_path / "sessions"]).empty
    assert (real / "session.json").is_file()


def test_a_session_folder_given_as_dot_is_the_folder_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make_session(tmp_path / "s1", GONE, GONE_WORDS)
    monkeypatch.chdir(session / "audio")
    assert [r.path for r in plan_session(Path("..")).removals] == [session.resolve()]


def test_only_a_session_folder_can_be_forgotten_by_path(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"x")
    with pytest.raises(SessionStorageError, match="not a session folder"):
        plan_session(tmp_path / "photos")
    with pytest.raises(UsageError, match="no such folder"):
        plan_session(tmp_path / "missing")
    with pytest.raises(UsageError, match="not a folder"):
        plan_session(tmp_path / "photos" / "cat.jpg")
    assert (tmp_path / "photos" / "cat.jpg").is_file()


def test_a_graded_session_forgotten_by_path_leaves_the_cohort(world: dict[str, Path]) -> None:
    out = world["out"]
    plan = plan_session(out / "sessions" / GONE / "week1")
    assert [e.job_ids for e in plan.edits] == [(f"{GONE}/week1",)]
    apply_plan(plan, lambda line: None)
    assert not (out / "sessions" / GONE / "week1").exists()
    sessions = [r["session"] for r in csv.DictReader(io.StringIO((out / "cohort.csv").read_text()))]
    assert f"{GONE}/week1" not in sessions and f"{KEPT}/week1" in sessions


def test_a_grade_output_being_written_is_not_edited(world: dict[str, Path]) -> None:
    out = world["out"]
    lock = FolderLock(out)  # what a running `voicecoach grade --out OUT` holds
    assert lock.acquire()
    try:
        before = snapshot(world["base"])
        plan = plan_session(out / "sessions" / GONE / "week1")
        assert out.resolve() in plan.busy
        with pytest.raises(SessionStorageError, match="grade run is writing there right now"):
            apply_plan(plan, lambda line: None)
        assert snapshot(world["base"]) == before
    finally:
        lock.release()


def test_a_session_being_written_is_not_removed(world: dict[str, Path]) -> None:
    writing = world["sessions"] / "20250101-marcus"
    lock = FolderLock(writing)
    assert lock.acquire()
    try:
        before = snapshot(world["base"])
        plan = plan_trainee(GONE, world["home"] / "baselines" / f"{GONE}.json", [world["sessions"]])
        assert plan.busy == (writing.resolve(),)
        with pytest.raises(SessionStorageError, match="writing there right now"):
            apply_plan(plan, lambda line: None)
        assert snapshot(world["base"]) == before
    finally:
        lock.release()


def test_a_session_that_starts_after_planning_stops_the_removal_before_anything_goes(
    world: dict[str, Path],
) -> None:
    plan = plan_trainee(GONE, world["home"] / "baselines" / f"{GONE}.json", [world["sessions"], world["out"]])
    lock = FolderLock(world["sessions"] / "nested" / "20250103-rosa")
    assert lock.acquire()
    try:
        before = snapshot(world["base"])
        with pytest.raises(SessionStorageError, match="20250103-rosa: a VoiceCoach session"):
            apply_plan(plan, lambda line: None)
        # Locks taken before the busy one was met may leave their empty lock files; nothing else.
        after = {path: kind for path, kind in snapshot(world["base"]).items() if not path.endswith("/.lock")}
        assert after == {path: kind for path, kind in before.items() if not path.endswith("/.lock")}
    finally:
        lock.release()


def test_a_failure_part_way_says_what_was_and_was_not_removed(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_trainee(GONE, world["home"] / "baselines" / f"{GONE}.json", [world["sessions"]])
    real_rmtree = shutil.rmtree

    def rmtree(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).name == "20250103-rosa":
            raise PermissionError(13, "Permission denied", str(path))
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(forget_mod.shutil, "rmtree", rmtree)
    done: list[str] = []
    with pytest.raises(SessionStorageError) as caught:
        apply_plan(plan, done.append)
    message = str(caught.value)
    assert "Permission denied" in message and "removed 2 of 3 items" in message
    assert "not removed: " in message and message.endswith("20250103-rosa")
    assert "\n" not in message and len(done) == 2
    assert not (world["sessions"] / "20250101-marcus").exists()
    assert (world["sessions"] / "nested" / "20250103-rosa" / "session.json").is_file()


def test_a_journal_that_is_not_ours_or_an_unreadable_session_is_reported_not_touched(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "journal.json").write_text('{"diary": "dear journal"}')
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "session.json").write_text("{not json")
    plan = plan_trainee(GONE, tmp_path / "none.json", [tmp_path])
    assert plan.empty and len(plan.warnings) == 1 and "broken/session.json: unreadable" in plan.warnings[0]


# The command, in-process.


def forget(*args: str) -> int:
    return main(["forget", *args])


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_asks_on_a_terminal_and_a_no_removes_nothing(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(world["base"])  # the default --in is ./sessions
    before = snapshot(world["base"])
    monkeypatch.setattr(sys, "stdin", _Tty("n\n"))
    assert forget("--trainee", GONE) == 1
    assert snapshot(world["base"]) == before
    err = capsys.readouterr().err
    assert "To remove, for trainee wrenna:" in err and "20250101-marcus" in err and "Nothing removed." in err
    monkeypatch.setattr(sys, "stdin", _Tty("y\n"))
    assert forget("--trainee", GONE) == 0
    err = capsys.readouterr().err
    assert "removed  session folder" in err and "Forgot trainee wrenna: 3 items removed." in err
    assert not (world["sessions"] / "20250101-marcus").exists()
    assert (world["out"] / "sessions" / GONE).is_dir()  # not under ./sessions: not searched


def test_cli_without_a_terminal_needs_yes_and_dry_run_lists_only(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = snapshot(world["base"])
    roots = ["--in", str(world["sessions"]), "--in", str(world["out"])]
    assert forget("--trainee", GONE, *roots) == 2
    err = capsys.readouterr().err
    assert err.rstrip().splitlines()[-1] == (
        "voicecoach: error: no terminal to ask for confirmation: nothing removed; add --yes to confirm"
    )
    assert forget("--trainee", GONE, *roots, "--dry-run") == 0
    assert "Would remove" in capsys.readouterr().err
    assert snapshot(world["base"]) == before
    assert forget("--trainee", GONE, *roots, "--yes") == 0
    assert traces(world["base"], GONE, "Larkspur") == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "give a SESSION_DIR or --trainee NAME"),
        (("x", "--trainee", "sam"), "give a SESSION_DIR or --trainee NAME"),
        (("x", "--in", "y"), "--in goes with --trainee"),
        (("--trainee", "s/a/m", "--yes"), "--trainee 's/a/m': use letters"),
        (("--trainee", "sam", "--in", "/nonexistent/voicecoach", "--yes"), "no such folder"),
        (("--trainee", "sam", "--dry-run", "--yes"), "not both"),
    ],
)
def test_cli_bad_input_is_one_line(
    args: tuple[str, ...], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert forget(*args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and fragment in err and err.count("voicecoach: error:") == 1


def test_cli_finding_nothing_is_not_an_error(
    tmp_path: Path, private_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert forget("--trainee", "nobody", "--yes") == 0
    assert "Nothing stored about trainee nobody" in capsys.readouterr().err
