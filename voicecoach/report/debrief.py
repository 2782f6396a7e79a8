"""The end-of-session debrief on the terminal: a pure function from session data to rich renderables.

What a trainee reads first after practising: the outcome and score, the moments that went best
and the ones to practise (each with its time and a better alternative), the MI counts and the
Project BETA domains still to show. Every user string goes in as plain ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.text import Text

_OUTCOME_STYLE = {"resolved": "green", "escalated": "red", "unresolved": "yellow"}


def debrief(session: Mapping[str, Any], folder: Path) -> Group:
    """The debrief screen for a finished session stored in ``folder``."""
    feedback: Mapping[str, Any] = session.get("feedback") or {}
    outcome = str(session.get("outcome"))
    parts: list[RenderableType] = [Rule("Debrief")]
    parts.append(
        Text.assemble(
            "Outcome: ",
            (outcome, _OUTCOME_STYLE.get(outcome, "")),
            f" after {len(session.get('turns') or [])} replies",
        )
    )
    parts.append(Text.assemble("Calm presence: ", (f"{session.get('calm_presence')}/100", "bold")))
    parts += [Text(f"  · {r}") for r in session.get("calm_presence_reasons") or []]
    if session.get("safety_step"):
        parts.append(Text.assemble(("Safety step: ", "bold red"), str(session["safety_step"])))
    for title, key, style in (
        ("What went best", "best", "green"),
        ("What to practise", "practise", "yellow"),
    ):
        moments = feedback.get(key) or []
        if moments:
            parts.append(Text(title, style=f"bold {style}"))
            parts += [Text(f"  {i}. {m.get('text')}") for i, m in enumerate(moments, start=1)]
    mi = feedback.get("mi")
    if mi:
        ratio = mi.get("reflection_to_question")
        shown = "no questions" if ratio is None else f"{ratio:.1f}:1"
        parts.append(
            Text(
                f"Listening: {mi.get('reflections')} reflections, {mi.get('open_questions')} open and "
                f"{mi.get('closed_questions')} closed questions; reflections per question {shown} "
                f"({mi.get('ratio_rating')}; MITI: 1:1 fair, 2:1 good)"
            )
        )
    missing = [d.get("label") for d in feedback.get("beta_domains") or [] if not d.get("shown")]
    if missing:
        parts.append(
            Text("Project BETA domains to show next time: " + ", ".join(map(str, missing)), style="dim")
        )
    if feedback.get("rubric"):
        parts.append(Text(f"Scored with the rubric {feedback['rubric'].get('name')}.", style="dim"))
    parts.append(Text(f"Reports: {folder / 'report.html'} and {folder / 'report.md'}"))
    return Group(*parts)
