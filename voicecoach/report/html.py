"""``report.html``: one self-contained file (styles, chart and audio inline; no network).

A pure function of ``session.json``'s data and the session's audio bytes. Jinja2 autoescapes
every value, so a transcript containing ``<script>`` renders as text.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from voicecoach.report.markdown import OUTCOME_WORDS

_ENV = Environment(
    loader=PackageLoader("voicecoach.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

#: Stage bands drawn behind the agitation line (the default persona thresholds; a persona's own
#: thresholds are in its file).
_STAGE_COLOURS = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffebee", "#f3e5f5")


def agitation_points(session: Mapping[str, Any], width: int = 600, height: int = 160) -> str:
    """SVG polyline points for agitation over the session (opening, then after each turn)."""
    turns = session.get("turns", [])
    values = [turns[0].get("agitation_before", 0)] if turns else []
    values += [t.get("agitation_after", 0) for t in turns]
    if not values:
        return ""
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - float(v) / 100 * height:.1f}" for i, v in enumerate(values))


def _data_uri(data: bytes) -> str:
    return "data:audio/wav;base64," + base64.b64encode(data).decode("ascii")


def render_html(session: Mapping[str, Any], audio: Mapping[str, bytes]) -> str:
    """The HTML report for one session; ``audio`` maps file names in session.json to WAV bytes."""
    uris = {name: _data_uri(data) for name, data in audio.items()}
    template = _ENV.get_template("report.html.j2")
    return template.render(
        s=session,
        outcome_text=OUTCOME_WORDS.get(str(session.get("outcome")), str(session.get("outcome"))),
        audio=uris,
        points=agitation_points(session),
        stage_colours=_STAGE_COLOURS,
    )
