"""``report.md``: the session as Markdown, a pure function of ``session.json``'s data."""

from __future__ import annotations

from typing import Any

OUTCOME_WORDS = {
    "resolved": "Resolved: the client calmed down and the conversation moved on.",
    "escalated": "Escalated: the client reached crisis; the session ended with a safety step.",
    "unresolved": "Unresolved: the session ended before the client settled.",
}


def _md(text: Any) -> str:
    """Text safe inside a Markdown table cell or paragraph (no HTML, no table breaks)."""
    value = str(text if text is not None else "")
    for ch, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("`", "\\`")):
        value = value.replace(ch, escaped)
    return " ".join(value.split())


def _tone_line(tone: dict[str, Any] | None) -> str:
    if not tone:
        return "typed reply (no tone)"
    parts = []
    if tone.get("wpm") is not None:
        parts.append(f"{tone['wpm']:.0f} wpm")
    if tone.get("level_dbfs") is not None:
        parts.append(f"{tone['level_dbfs']:.1f} dBFS")
    if tone.get("pitch_hz_median") is not None:
        parts.append(f"{tone['pitch_hz_median']:.0f} Hz")
    parts.append(f"{tone.get('pause_count', 0)} pauses")
    parts.append(f"calm {tone.get('calm_score', '?')}/100")
    return ", ".join(parts)


def render_markdown(session: dict[str, Any]) -> str:
    """The Markdown report for one session."""
    lines = [
        f"# VoiceCoach session: {_md(session.get('persona'))}",
        "",
        f"**Calm presence: {session.get('calm_presence', 0)}/100**",
        "",
        OUTCOME_WORDS.get(str(session.get("outcome")), _md(session.get("outcome"))),
        "",
    ]
    lines += [f"- {_md(r)}" for r in session.get("calm_presence_reasons", [])]
    baseline = session.get("baseline")
    lines += [
        "",
        "Delivery is compared with "
        + ("your recorded calm baseline." if baseline == "trainee" else "population ranges (no baseline)."),
        "",
        "## Turns",
        "",
        f"**Client (opening):** {_md(session.get('opening_line'))}",
        "",
        "| # | You said | Calm | Agitation | Stage |",
        "|---|---|---|---|---|",
    ]
    for turn in session.get("turns", []):
        lines.append(
            f"| {turn.get('index')} | {_md(turn.get('transcript'))} | {turn.get('calm_presence')} "
            f"| {turn.get('agitation_before')} → {turn.get('agitation_after')} | {_md(turn.get('stage'))} |"
        )
    for turn in session.get("turns", []):
        lines += ["", f"### Turn {turn.get('index')}", "", f"**You:** {_md(turn.get('transcript'))}", ""]
        lines.append(f"- Delivery: {_tone_line(turn.get('tone'))}")
        techniques = (turn.get("wording") or {}).get("techniques", [])
        if techniques:
            found = "; ".join(
                f"{_md(t.get('tag'))} (\u201c{_md(t.get('evidence'))}\u201d)" for t in techniques
            )
            lines.append(f"- Wording: {found}")
        else:
            lines.append("- Wording: no de-escalation move recognised")
        for reason in turn.get("reasons", []):
            lines.append(f"- Agitation {_md(reason)}")
        for reason in turn.get("calm_presence_reasons", []):
            lines.append(f"- {_md(reason)}")
        lines += ["", f"**Client:** {_md(turn.get('persona_reply'))}"]
    return "\n".join(lines) + "\n"
