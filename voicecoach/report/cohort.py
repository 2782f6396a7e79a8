"""The cohort ``index.html``: one row per trainee and session, and the class's charts.

A pure function of the cohort rows (``voicecoach.grading.rows``). Self-contained like the session
reports: inline styles and SVG, no script, nothing to fetch; links are relative, so the whole
output folder can be zipped and opened anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from voicecoach.report.plots import histogram, progress_chart

_ENV = Environment(
    loader=PackageLoader("voicecoach.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
#: Calm-presence bins of the class histogram (tenths of the 0-100 scale).
SCORE_BINS = tuple(float(b) for b in range(0, 101, 10))


def score_charts(rows: Sequence[Mapping[str, Any]]) -> tuple[Any, Any]:
    """The class's score distribution and each trainee's progress over repeated sessions."""
    graded = [r for r in rows if r.get("status") == "graded" and isinstance(r.get("calm_presence"), int)]
    scores = [float(r["calm_presence"]) for r in graded]
    by_trainee: dict[str, list[tuple[int, float]]] = {}
    for r in graded:
        by_trainee.setdefault(str(r["trainee"]), []).append((int(r["number"]), float(r["calm_presence"])))
    lines = {name: [score for _, score in sorted(points)] for name, points in by_trainee.items()}
    return (
        histogram(scores, SCORE_BINS, "Calm presence across the class (sessions per band)"),
        progress_chart(lines, "Calm presence over each trainee's sessions (x: session number)"),
    )


def render_cohort(rows: Sequence[Mapping[str, Any]], rubric: str, source: str) -> str:
    """``index.html`` for a graded cohort."""
    ordered = sorted(rows, key=lambda r: (str(r.get("trainee")), int(r.get("number") or 0)))
    graded = [r for r in ordered if r.get("status") == "graded"]
    distribution, progress = score_charts(ordered)
    mean = sum(int(r["calm_presence"]) for r in graded) / len(graded) if graded else None
    return _ENV.get_template("cohort.html.j2").render(
        rows=ordered,
        rubric=rubric,
        source=source,
        trainees=len({r.get("trainee") for r in ordered}),
        graded=len(graded),
        failed=len(ordered) - len(graded),
        mean=mean,
        distribution=distribution,
        progress=progress,
    )
