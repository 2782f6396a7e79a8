"""The ``feedback`` section of ``session.json``: everything the reports show beyond the turns.

A pure function of the session's data, the rubric, the instructor's notes, the lengths of the
session's recordings and the persona's stage thresholds. It names the rubric that produced it,
the three moments that went best and the three to practise, MI-style counts rated against
MITI 4.2.1 and the Project BETA domains shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from voicecoach.analysis.lexicon import Lexicon, load_lexicon
from voicecoach.analysis.mi import session_counts
from voicecoach.feedback.moments import choose, find_all
from voicecoach.feedback.notes import Note, dismissed
from voicecoach.feedback.rescore import wording_from_dict
from voicecoach.feedback.rubric import Rubric

#: Default stage thresholds (agitation at which each stage starts), as in the bundled personas;
#: a persona's own thresholds are used when its file is found.
DEFAULT_STAGE_BANDS: dict[str, float] = {"anxious": 20.0, "defensive": 40.0, "agitated": 60.0, "crisis": 85.0}


def turn_starts(session: Mapping[str, Any], durations: Mapping[str, float]) -> list[float | None]:
    """When each reply started in the session's recording, in seconds.

    A turn's stored ``start_s`` wins. Older sessions are timed from their audio: the persona's
    opening, then each reply followed by the persona's answer, end to end. Unknown without the
    opening's audio (``--no-keep-audio`` keeps no replies, so the times still add up from the
    persona's lines alone only when every reply is typed).
    """
    clock = durations.get("audio/persona_00.wav")
    starts: list[float | None] = []
    for turn in session.get("turns", []):
        stored = turn.get("start_s")
        if isinstance(stored, int | float):
            starts.append(float(stored))
            clock = float(stored)
        else:
            starts.append(clock)
        if clock is not None:
            for key in ("audio_file", "persona_audio_file"):
                name = turn.get(key)
                clock += durations.get(name, 0.0) if isinstance(name, str) else 0.0
    return starts


def build_feedback(
    session: Mapping[str, Any],
    rubric: Rubric,
    *,
    notes: Sequence[Note] = (),
    durations: Mapping[str, float] | None = None,
    stage_bands: Mapping[str, float] | None = None,
    lexicon: Lexicon | None = None,
) -> dict[str, Any]:
    """The ``feedback`` object for ``session`` (see ``docs/schema/session.schema.json``)."""
    lex = lexicon if lexicon is not None else load_lexicon()
    starts = turn_starts(session, durations or {})
    findings = find_all(session, starts, rubric)
    overridden = dismissed(tuple(notes))
    turns = session.get("turns", [])
    reports = [wording_from_dict(str(t.get("transcript") or ""), t.get("wording")) for t in turns]
    persona_lines = [str(session.get("opening_line") or "")] + [
        str(t.get("persona_reply") or "") for t in turns
    ]
    counts = session_counts(reports, persona_lines, lex)
    by_id = {f.id: f for f in findings}
    return {
        "rubric": {"name": rubric.name, "title": rubric.title, "source": rubric.source},
        "turn_starts": [None if s is None else round(s, 2) for s in starts],
        "best": [f.to_dict() for f in choose(findings, "strength", rubric.moments, overridden)],
        "practise": [f.to_dict() for f in choose(findings, "practise", rubric.moments, overridden)],
        "findings": [{"id": f.id, "kind": f.kind, "text": f.text} for f in findings],
        "mi": counts.to_dict(),
        "beta_domains": [
            {"key": d.key, "label": d.label, "shown": d.key in counts.beta_domains} for d in lex.domains
        ],
        "notes": [n.to_dict() for n in notes],
        "dismissed": [
            {**note.to_dict(), "finding_text": by_id[fid].text if fid in by_id else ""}
            for fid, note in overridden.items()
        ],
        "stage_bands": dict(stage_bands or DEFAULT_STAGE_BANDS),
        "calm_band": {
            "rate_pct": rubric.band_rate_pct,
            "level_db": rubric.band_level_db,
            "pitch_st": rubric.band_pitch_st,
            "wpm_low": rubric.band_wpm_low,
            "wpm_high": rubric.band_wpm_high,
        },
    }
