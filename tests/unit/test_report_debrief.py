"""The end-of-session debrief: what it shows, and that user text is never read as markup."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from voicecoach.report.debrief import debrief

pytestmark = pytest.mark.unit
GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def shown(session: dict) -> str:  # type: ignore[type-arg]
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(debrief(session, Path("/s")))
    return out.getvalue()


def test_debrief_shows_outcome_moments_counts_and_domains() -> None:
    session = json.loads((GOLDEN / "unskilled.session.json").read_text())
    text = shown(session)
    assert "Outcome: escalated after 3 replies" in text and "Calm presence: 46/100" in text
    assert "Safety step:" in text
    assert "What to practise" in text and "What went best" not in text  # nothing stood out
    assert "Instead of \u201cIf you keep yelling at me, I'm calling security\u201d at 0:23 (turn 3)" in text
    assert "Listening: 0 reflections" in text and "Project BETA domains to show next time" in text
    assert "Reports: /s/report.html and /s/report.md" in text


def test_user_text_is_never_markup() -> None:
    session = json.loads((GOLDEN / "unskilled.session.json").read_text())
    session["feedback"]["practise"][0]["text"] = "[bold red]shout[/] [link=x]y[/link]"
    assert "[bold red]shout[/] [link=x]y[/link]" in shown(session)
