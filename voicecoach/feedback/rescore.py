"""Score a stored session again, from its ``session.json`` data, with any rubric.

``session.json`` keeps every input of the calm-presence score (the tone report, the moves found,
agitation before and after), so an instructor's rubric can re-score a session without the audio or
the speech model. The stage objects are rebuilt from the JSON and scored by ``feedback.score``,
so a review scores exactly as the live session would have with that rubric.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from voicecoach.feedback.rubric import Rubric
from voicecoach.feedback.score import score_session, score_turn
from voicecoach.types import (
    ALL_TAGS,
    STAGES,
    Effect,
    Evidence,
    PersonaState,
    Stage,
    StateUpdate,
    Technique,
    ToneFlag,
    ToneReport,
    Transcript,
    TurnResult,
    TurnScore,
    WordingReport,
)

_TONE_FIELDS = tuple(f.name for f in fields(ToneReport) if f.name != "flags")


def tone_from_dict(data: Mapping[str, Any] | None) -> ToneReport | None:
    """The ToneReport a turn's ``tone`` JSON came from (None for typed replies or odd data)."""
    if not isinstance(data, Mapping):
        return None
    try:
        values = {name: data[name] for name in _TONE_FIELDS}
    except KeyError:
        return None
    codes = list(data.get("flags") or [])
    messages = list(data.get("flag_messages") or [])
    messages += [""] * (len(codes) - len(messages))
    flags = tuple(ToneFlag(str(c), str(m)) for c, m in zip(codes, messages, strict=False))
    return ToneReport(**values, flags=flags)


def wording_from_dict(transcript: str, data: Mapping[str, Any] | None) -> WordingReport:
    """The WordingReport behind a turn's ``wording`` JSON (unknown tags are ignored)."""
    data = data if isinstance(data, Mapping) else {}
    techniques = []
    for t in data.get("techniques") or []:
        if not isinstance(t, Mapping) or t.get("tag") not in ALL_TAGS:
            continue
        start, end = int(t.get("start", 0)), int(t.get("end", 0))
        techniques.append(Technique(t["tag"], Evidence(str(t.get("evidence", "")), start, end)))
    effect: Effect = "neutral"
    if data.get("effect") == "deescalating":
        effect = "deescalating"
    elif data.get("effect") == "escalating":
        effect = "escalating"
    return WordingReport(
        text=transcript,
        effect=effect,
        score=float(data.get("score") or 0.0),
        techniques=tuple(techniques),
        notes=tuple(str(n) for n in data.get("notes") or ()),
    )


def update_from_dict(turn: Mapping[str, Any]) -> StateUpdate:
    """Enough of a StateUpdate to score a turn's effect: agitation before and after."""
    stage: Stage = next((s for s in STAGES if s == turn.get("stage")), "defensive")
    before = float(turn.get("agitation_before") or 0.0)
    after = float(turn.get("agitation_after") or 0.0)
    return StateUpdate(PersonaState(before, stage), PersonaState(after, stage), ())


def score_from_dict(turn: Mapping[str, Any], rubric: Rubric) -> TurnScore:
    """A stored turn's calm-presence score under ``rubric``."""
    transcript = str(turn.get("transcript") or "")
    return score_turn(
        tone_from_dict(turn.get("tone")),
        wording_from_dict(transcript, turn.get("wording")),
        update_from_dict(turn),
        rubric,
    )


def rescore(session: Mapping[str, Any], rubric: Rubric) -> dict[str, Any]:
    """A copy of ``session`` with every calm-presence number and reason from ``rubric``."""
    out = copy.deepcopy(dict(session))
    results = []
    for turn in out.get("turns", []):
        score = score_from_dict(turn, rubric)
        turn["calm_presence"] = score.score
        turn["calm_presence_reasons"] = list(score.reasons)
        results.append(_scored_turn(int(turn.get("index", 0)), score))
    calm, reasons = score_session(results)
    out["calm_presence"] = calm
    out["calm_presence_reasons"] = list(reasons)
    settings = dict(out.get("settings") or {})
    settings["rubric"] = rubric.name
    out["settings"] = settings
    return out


def _scored_turn(index: int, score: TurnScore) -> TurnResult:
    # score_session reads only index and score; the rest is an empty placeholder.
    empty = PersonaState(0.0, "calm")
    return TurnResult(
        index=index,
        transcript=Transcript(""),
        tone=None,
        wording=WordingReport("", "neutral", 0.0),
        update=StateUpdate(empty, empty, ()),
        persona_reply="",
        score=score,
    )
