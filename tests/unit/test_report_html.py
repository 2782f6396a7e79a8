"""report.html and its parts: highlighting by offsets, charts, escaping of every user string."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from voicecoach.report.highlight import Piece, pieces
from voicecoach.report.html import render_html
from voicecoach.report.plots import Series, agitation_chart, band_chart, histogram
from voicecoach.store import write_reports

pytestmark = pytest.mark.unit
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
BANDS = {"anxious": 20.0, "defensive": 40.0, "agitated": 60.0, "crisis": 85.0}


def test_pieces_split_at_every_span_edge_and_keep_overlaps() -> None:
    text = "That sounds hard, it makes sense."
    spans = [
        {"tag": "reflection", "evidence": "sounds hard, it makes sense", "start": 5, "end": 32},
        {"tag": "validation", "evidence": "it makes sense", "start": 18, "end": 32},
        {"tag": "command", "evidence": "wrong words", "start": 0, "end": 4},  # offsets don't match: skipped
    ]
    out = pieces(text, spans)
    assert "".join(p.text for p in out) == text
    assert out == [
        Piece("That "),
        Piece("sounds hard, ", ("reflection",)),
        Piece("it makes sense", ("reflection", "validation")),
        Piece("."),
    ]
    assert Piece("x", ("validation", "command")).css == "bad"


def test_agitation_chart_draws_every_stage_band_and_point() -> None:
    svg = str(agitation_chart([55, 43, 31, 19], ["start", "1", "2", "3"], BANDS))
    assert svg.count('class="band ') == 5
    assert svg.count("<circle") == 4
    assert "<script" not in svg


def test_band_chart_colours_points_outside_the_calm_band() -> None:
    svg = str(band_chart(Series("Loudness", "dB", (0.5, 8.0, None), (None, 6.0)), ["1", "2", "3"]))
    assert svg.count('class="in"') == 1 and svg.count('class="out"') == 1
    assert "calm band" in svg
    assert "not measured" in str(band_chart(Series("Pitch", "st", (None,), None), ["1"]))


def test_histogram_counts_each_value_once() -> None:
    svg = str(histogram([0, 9, 10, 100, 55], [0, 10, 50, 100], "<b>class</b>"))
    counts = [int(c) for c in re.findall(r"<title>[^<]*: (\d+)</title>", svg)]
    assert counts == [2, 1, 2]
    assert "&lt;b&gt;class&lt;/b&gt;" in svg


def test_every_user_string_is_escaped_and_nothing_is_fetched(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    session = json.loads((GOLDEN / "unskilled.input.json").read_text())
    evil = "<script>alert(1)</script>"
    session["turns"][0]["transcript"] += " " + evil
    session["turns"][1]["persona_reply"] = evil
    session["opening_line"] = evil
    (folder / "session.json").write_text(json.dumps(session))
    shutil.copyfile(GOLDEN / "unskilled.notes.json", folder / "notes.json")
    write_reports(folder)
    html = (folder / "report.html").read_text()
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert "J. Rivera &lt;b&gt;lead&lt;/b&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert "default-src 'none'" in html  # the CSP: no script, no fetch


def test_report_html_shows_moments_counts_domains_highlights_and_notes(tmp_path: Path) -> None:
    session = json.loads((GOLDEN / "unskilled.session.json").read_text())
    html = render_html(session, {})
    assert 'id="rubric-name">voicecoach-default-1<' in html
    assert html.count('<li><a href="#turn-') == len(session["feedback"]["best"]) + len(
        session["feedback"]["practise"]
    )
    assert '<mark class="bad" title="threat">' in html
    assert (
        "Security is the last resort" in html
        and "dismissed the finding <code>t1.fast_population</code>" in html
    )
    assert html.count('class="shown"') + html.count('class="missing"') == 10  # Project BETA's ten domains
    assert "Pace" in html and "wpm" in html  # population baseline: pace against the wpm band


def _tainted(value: Any, key: str = "") -> Any:
    """``value`` with markup appended to every string a person could have written or edited."""
    if isinstance(value, dict):
        return {k: _tainted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_tainted(v, key) for v in value]
    if isinstance(value, str) and key not in ("audio_file", "persona_audio_file"):
        return value + "<script>alert(1)</script>"
    return value


def test_markup_in_any_string_of_a_session_stays_text(tmp_path: Path) -> None:
    # Every string leaf of session.json (transcripts, persona lines, stages, reasons, settings,
    # evidence...) and every note's author and text: an edited or hostile file cannot inject.
    folder = tmp_path / "s"
    folder.mkdir()
    session = _tainted(json.loads((GOLDEN / "unskilled.input.json").read_text()))
    (folder / "session.json").write_text(json.dumps(session))
    notes = json.loads((GOLDEN / "unskilled.notes.json").read_text())
    for note in notes["notes"]:
        note["author"] += "<script>alert(1)</script>"
        note["text"] += "<script>alert(1)</script>"
    (folder / "notes.json").write_text(json.dumps(notes))
    write_reports(folder)
    html = (folder / "report.html").read_text()
    assert "<script" not in html and "<script" not in (folder / "report.md").read_text()
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 40
