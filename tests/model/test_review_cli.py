"""`voicecoach review` and `voicecoach notes` on a real session folder."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import jsonschema
import pytest

from tests.model.conftest import assert_clean_error

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schema" / "session.schema.json").read_text())
RUBRIC = ROOT / "voicecoach" / "feedback" / "rubric.yaml"


@pytest.fixture()
def session(voicecoach, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "s"
    script = ROOT / "tests" / "scripts" / "marcus" / "unskilled.txt"
    run = voicecoach(
        "practice", "--persona", "marcus", "--replies", str(script), "--no-playback", "--out", str(folder)
    )
    assert run.code == 0, run.stderr
    assert "Debrief" in run.stderr and "What to practise" in run.stderr
    return folder


def test_review_with_another_rubric_rescores_and_names_it(voicecoach, session: Path, tmp_path: Path) -> None:
    before = json.loads((session / "session.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(before)
    assert before["feedback"]["rubric"]["name"] == "voicecoach-default-1"
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        RUBRIC.read_text()
        .replace("name: voicecoach-default-1", "name: site-b-strict")
        .replace("per_bad_move: 25", "per_bad_move: 60")
    )
    run = voicecoach("review", str(session), "--rubric", str(strict), "--json")
    assert run.code == 0, run.stderr
    after = run.json()
    assert after["settings"]["rubric"] == "site-b-strict"
    assert after["feedback"]["rubric"]["name"] == "site-b-strict"
    assert after["calm_presence"] < before["calm_presence"]
    assert after["turns"][0]["transcript"] == before["turns"][0]["transcript"]
    jsonschema.Draft202012Validator(SCHEMA).validate(after)
    assert "**site-b-strict**" in (session / "report.md").read_text()
    assert ">site-b-strict<" in (session / "report.html").read_text()
    assert json.loads((session / "session.json").read_text()) == after


def test_a_bad_rubric_or_folder_is_one_clear_line(voicecoach, session: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(RUBRIC.read_text().replace("  wording: 0.45", "  wording: much"))
    line = next(i for i, row in enumerate(bad.read_text().splitlines(), start=1) if "wording: much" in row)
    assert_clean_error(
        voicecoach("review", str(session), "--rubric", str(bad)), f"bad.yaml:{line}: weights.wording"
    )
    assert_clean_error(voicecoach("review", str(tmp_path)), "not a session folder")


def test_notes_comment_and_dismiss_show_in_the_reports_with_their_author(voicecoach, session: Path) -> None:
    listing = voicecoach("notes", str(session))
    assert listing.code == 0, listing.stderr
    practise = json.loads((session / "session.json").read_text())["feedback"]["practise"]
    target = practise[0]["id"]
    assert target in listing.stderr
    run = voicecoach(
        "notes", str(session), "--by", "J. Rivera", "--dismiss", target, "--comment", "He was quoting"
    )
    assert run.code == 0, run.stderr
    run = voicecoach("notes", str(session), "--by", "J. Rivera", "--turn", "2", "--comment", "Slow down here")
    assert run.code == 0, run.stderr
    assert stat.S_IMODE((session / "notes.json").stat().st_mode) == 0o600
    data = json.loads((session / "session.json").read_text())
    assert target not in [f["id"] for f in data["feedback"]["practise"]]
    assert data["feedback"]["dismissed"][0]["author"] == "J. Rivera"
    md = (session / "report.md").read_text()
    assert (
        f"Instructor J. Rivera dismissed {target}" in md
        and "Instructor J. Rivera noted: Slow down here" in md
    )
    html = (session / "report.html").read_text()
    assert "He was quoting" in html and "Slow down here" in html
    # The notes survive a review with the default rubric.
    assert voicecoach("review", str(session)).code == 0
    assert "Slow down here" in (session / "report.md").read_text()


def test_bad_notes_are_refused(voicecoach, session: Path) -> None:
    assert_clean_error(voicecoach("notes", str(session), "--comment", "x"), "--by NAME")
    assert_clean_error(
        voicecoach("notes", str(session), "--by", "A", "--dismiss", "t1.hugging@3", "--comment", "x"),
        "no finding",
    )
    assert_clean_error(
        voicecoach("notes", str(session), "--by", "A", "--turn", "99", "--comment", "x"), "no turn 99"
    )
    assert not (session / "notes.json").exists()


def test_open_hands_the_report_to_the_browser(voicecoach, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    browser.chmod(0o755)
    folder = tmp_path / "s"
    script = ROOT / "tests" / "scripts" / "marcus" / "skilled.txt"
    extra = {"BROWSER": f"{browser} %s"}
    args = (
        "practice",
        "--persona",
        "marcus",
        "--replies",
        str(script),
        "--no-playback",
        "--out",
        str(folder),
    )
    run = voicecoach(*args, "--open", extra_env=extra)
    assert run.code == 0, run.stderr
    assert voicecoach("review", str(folder), "--open", extra_env=extra).code == 0
    uri = (folder / "report.html").resolve().as_uri()
    assert opened.read_text().split() == [uri, uri]
