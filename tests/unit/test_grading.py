"""Cohort grading's pure parts and its files: discovery, the journal, the cohort page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voicecoach.errors import UsageError
from voicecoach.grading.discover import discover
from voicecoach.grading.journal import open_journal
from voicecoach.report.cohort import render_cohort

pytestmark = pytest.mark.unit


def touch(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_discover_finds_sessions_and_raw_folders_per_trainee_in_name_order(tmp_path: Path) -> None:
    touch(tmp_path / "ana" / "w2" / "session.json")
    touch(tmp_path / "ana" / "w1" / "01.wav")
    touch(tmp_path / "ana" / "w1" / "baseline.wav")
    touch(tmp_path / "ana" / "notes" / "readme.txt")  # neither: ignored
    touch(tmp_path / "bo" / "01.M4A")  # a trainee folder holding one raw session
    touch(tmp_path / ".hidden" / "01.wav")
    jobs = discover(tmp_path)
    assert [(j.id, j.trainee, j.number, j.kind) for j in jobs] == [
        ("ana/w1", "ana", 1, "recordings"),
        ("ana/w2", "ana", 2, "session"),
        ("bo", "bo", 1, "recordings"),
    ]


def test_discover_refuses_a_session_folder_or_an_empty_cohort(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nothing to grade"):
        discover(tmp_path)
    touch(tmp_path / "session.json")
    with pytest.raises(UsageError, match="one folder per trainee"):
        discover(tmp_path)


def test_the_journal_resumes_and_refuses_another_source_or_rubric(tmp_path: Path) -> None:
    source, out = tmp_path / "class", tmp_path / "out"
    source.mkdir()
    out.mkdir()
    journal = open_journal(out, source, "r1")
    journal.record("ana/w1", {"id": "ana/w1", "calm_presence": 70})
    journal.record_failure("bo", "bo/01.wav: not a readable audio file")
    again = open_journal(out, source, "r1")
    assert again.done == {"ana/w1": {"id": "ana/w1", "calm_presence": 70}}
    assert again.failed == {"bo": "bo/01.wav: not a readable audio file"}
    assert (out / "journal.json").stat().st_mode & 0o777 == 0o600
    with pytest.raises(UsageError, match="rubric 'r1'"):
        open_journal(out, source, "r2")
    with pytest.raises(UsageError, match="holds the grades of"):
        open_journal(out, tmp_path, "r1")
    (out / "journal.json").write_text("{")
    with pytest.raises(Exception, match="unreadable grading journal"):
        open_journal(out, source, "r1")


def test_cohort_page_has_a_row_per_session_links_and_escaped_names() -> None:
    rows = [
        {
            "trainee": "<i>ana</i>",
            "number": 1,
            "session": "ana/w1",
            "status": "graded",
            "calm_presence": 40,
            "outcome": "escalated",
            "turns": 3,
            "flags": "escalated",
            "report": "sessions/ana/w1/report.html",
            "reflection_to_question": 0.5,
            "miti_rating": "low",
            "notes": 1,
            "error": "",
        },
        {
            "trainee": "<i>ana</i>",
            "number": 2,
            "session": "ana/w2",
            "status": "graded",
            "calm_presence": 80,
            "outcome": "resolved",
            "turns": 4,
            "flags": "",
            "report": "sessions/ana/w2/report.html",
            "reflection_to_question": 2.0,
            "miti_rating": "good",
            "notes": 0,
            "error": "",
        },
        {
            "trainee": "bo",
            "number": 1,
            "session": "bo",
            "status": "failed",
            "calm_presence": "",
            "error": "bo/02.wav: not a readable audio file",
            "flags": "could not be graded",
        },
    ]
    html = render_cohort(rows, "voicecoach-default-1", "/class")
    assert html.count("<tr class=") == 3
    assert 'href="sessions/ana/w1/report.html"' in html and 'href="sessions/ana/w2/report.html"' in html
    assert "&lt;i&gt;ana&lt;/i&gt;" in html and "<i>ana</i>" not in html
    assert "bo/02.wav: not a readable audio file" in html
    assert "mean calm presence 60/100" in html
    assert "session 2: 80" in html  # ana's progress line reaches her second session
    assert "http://" not in html and "https://" not in html
    json.dumps(rows)  # rows are plain JSON (the journal stores them)
