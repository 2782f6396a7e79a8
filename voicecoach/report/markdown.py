"""``report.md``: the session as Markdown, a pure function of ``session.json``'s data.

The ``feedback`` section (``voicecoach.feedback.build``) supplies the rubric's name, the moments
that went best and to practise, MI-style counts, Project BETA domains and instructor notes.
"""

from __future__ import annotations

from typing import Any

OUTCOME_WORDS = {
    "resolved": "Resolved: the client calmed down and the conversation moved on.",
    "escalated": "Escalated: the client reached crisis; the session ended with a safety step.",
    "unresolved": "Unresolved: the session ended before the client settled.",
}


#: Said of a live reply that began while the client was still talking (CPI and BETA both name
#: talking over the person as escalating).
BARGE_IN_NOTE = "You started speaking while the client was still talking; they stopped to listen."


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
    ]
    lines += feedback_lines(session.get("feedback") or {})
    lines += [
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
        if turn.get("barge_in"):
            lines.append(f"- {BARGE_IN_NOTE}")
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
        lines += _turn_notes(session.get("feedback") or {}, turn.get("index"))
        lines += ["", f"**Client:** {_md(turn.get('persona_reply'))}"]
    return "\n".join(lines) + "\n"


def _note(note: dict[str, Any]) -> str:
    where = f" (on {_md(note.get('finding'))})" if note.get("finding") else ""
    verb = "dismissed a finding" if note.get("action") == "dismiss" else "noted"
    return f"- Instructor {_md(note.get('author'))} {verb}{where}: {_md(note.get('text'))}"


def _turn_notes(feedback: dict[str, Any], index: Any) -> list[str]:
    return [_note(n) for n in feedback.get("notes", []) if n.get("turn") == index]


def _ratio(mi: dict[str, Any]) -> str:
    ratio = mi.get("reflection_to_question")
    shown = "no questions asked" if ratio is None else f"{ratio:.1f}:1"
    return f"{shown} ({mi.get('ratio_rating')}; MITI 4.2.1: 1:1 fair, 2:1 good)"


def feedback_lines(feedback: dict[str, Any]) -> list[str]:
    """The rubric, moments, MI counts, BETA domains and session notes, as Markdown lines."""
    if not feedback:
        return []
    rubric = feedback.get("rubric") or {}
    lines = ["", f"Scored with the rubric **{_md(rubric.get('name'))}** ({_md(rubric.get('title'))})."]
    lines += ["", "## What went best", ""]
    lines += [f"{i}. {_md(f.get('text'))}" for i, f in enumerate(feedback.get("best", []), 1)] or [
        "No reply stood out yet: the moves to practise below are the place to start."
    ]
    lines += ["", "## What to practise", ""]
    lines += [f"{i}. {_md(f.get('text'))}" for i, f in enumerate(feedback.get("practise", []), 1)] or [
        "Nothing stood out to practise in this session."
    ]
    mi = feedback.get("mi") or {}
    pct_open = mi.get("percent_open_questions")
    share = mi.get("talk_share")
    lines += [
        "",
        "## Listening counts (MI style)",
        "",
        "| Open questions | Closed questions | Reflections | Reflections per question | Your share of talk |",
        "|---|---|---|---|---|",
        f"| {mi.get('open_questions', 0)}"
        + (f" ({pct_open:.0f}% open)" if pct_open is not None else "")
        + f" | {mi.get('closed_questions', 0)} | {mi.get('reflections', 0)} | {_ratio(mi)} | "
        + (f"{100 * share:.0f}%" if share is not None else "n/a")
        + " |",
        "",
        "## Project BETA domains",
        "",
    ]
    lines += [
        f"- [{'x' if d.get('shown') else ' '}] {_md(d.get('label'))}"
        for d in feedback.get("beta_domains", [])
    ]
    session_notes = [n for n in feedback.get("notes", []) if n.get("turn") is None]
    dismissed = feedback.get("dismissed", [])
    if session_notes or dismissed:
        lines += ["", "## Instructor notes", ""]
        lines += [_note(n) for n in session_notes]
        lines += [
            f"- Instructor {_md(d.get('author'))} dismissed {_md(d.get('finding'))}"
            f" (\u201c{_md(d.get('finding_text'))}\u201d): {_md(d.get('text'))}"
            for d in dismissed
        ]
    return lines
