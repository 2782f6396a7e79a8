"""Calm presence, 0–100, per turn and per session, with the reasons behind each number.

Three parts, after the instructor rubrics in DOMAIN.md (Adaptive-VP's per-turn rubric: calm and
clear tone, empathy, techniques, penalties; CPI's paraverbal "calm, consistent tone"):

- delivery: the tone analyser's calm score (relative to the trainee's baseline when there is one);
- wording: moves that de-escalate add, moves that escalate subtract;
- effect: what the reply did to the persona's agitation.

Typed replies have no delivery part; the other weights are then scaled up to sum to one.
The weights and points live in an instructor-editable file: ``feedback/rubric.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence

from voicecoach.feedback.rubric import Rubric, default_rubric

__all__ = ["DEFAULT_RUBRIC", "Rubric", "score_session", "score_turn"]
from voicecoach.types import (
    DEESCALATING_TAGS,
    ESCALATING_TAGS,
    StateUpdate,
    ToneReport,
    TurnResult,
    TurnScore,
    WordingReport,
)

#: The packaged rubric (``feedback/rubric.yaml``); ``review`` and ``grade`` can load another.
DEFAULT_RUBRIC: Rubric = default_rubric()


def _clamp(value: float) -> int:
    return round(max(0.0, min(100.0, value)))


def wording_points(wording: WordingReport, rubric: Rubric = DEFAULT_RUBRIC) -> tuple[int, list[str]]:
    """Points for the words of one reply, and which moves earned or cost them."""
    good = sorted(t for t in wording.tags if t in DEESCALATING_TAGS)
    bad = sorted(t for t in wording.tags if t in ESCALATING_TAGS)
    points = rubric.wording_base + rubric.points_per_good_move * len(good)
    points -= rubric.points_per_bad_move * len(bad)
    reasons = []
    if good:
        reasons.append("helpful wording: " + ", ".join(t.replace("_", " ") for t in good))
    if bad:
        reasons.append("escalating wording: " + ", ".join(t.replace("_", " ") for t in bad))
    return _clamp(points), reasons


def effect_points(update: StateUpdate, rubric: Rubric = DEFAULT_RUBRIC) -> tuple[int, str]:
    """Points for what the reply did to the persona, and a sentence saying it."""
    delta = update.after.agitation - update.before.agitation
    points = 50.0 - rubric.effect_points_per_agitation * delta
    if delta < -0.5:
        text = f"the client calmed by {abs(delta):.0f} points"
    elif delta > 0.5:
        text = f"the client grew more agitated by {delta:.0f} points"
    else:
        text = "the client's agitation held steady"
    return _clamp(points), text


def score_turn(
    tone: ToneReport | None, wording: WordingReport, update: StateUpdate, rubric: Rubric = DEFAULT_RUBRIC
) -> TurnScore:
    """Calm presence for one reply."""
    words, reasons = wording_points(wording, rubric)
    effect, effect_text = effect_points(update, rubric)
    parts = [(words, rubric.wording_weight), (effect, rubric.effect_weight)]
    delivery = None
    if tone is not None:
        delivery = tone.calm_score
        parts.append((delivery, rubric.delivery_weight))
        reasons.extend(f.message for f in tone.flags)
    reasons.append(effect_text)
    total_weight = sum(w for _, w in parts)
    score = sum(p * w for p, w in parts) / total_weight if total_weight else 0.0
    return TurnScore(_clamp(score), delivery, words, effect, tuple(reasons))


def score_session(turns: Sequence[TurnResult]) -> tuple[int, tuple[str, ...]]:
    """Calm presence for a whole session: the mean of its turns, with the session's highlights."""
    if not turns:
        return 0, ("no reply was completed",)
    mean = sum(t.score.score for t in turns) / len(turns)
    best = max(turns, key=lambda t: t.score.score)
    worst = min(turns, key=lambda t: t.score.score)
    reasons = [f"average of {len(turns)} replies"]
    if best.score.score >= 60:
        reasons.append(f"strongest reply: turn {best.index} ({best.score.score})")
    if worst.score.score < 50:
        reasons.append(f"reply to practise: turn {worst.index} ({worst.score.score})")
    return _clamp(mean), tuple(reasons)
