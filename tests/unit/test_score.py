"""Calm-presence scoring from tone, wording and effect."""

from __future__ import annotations

import pytest

from voicecoach.feedback.score import score_session, score_turn
from voicecoach.testing import tone_report
from voicecoach.types import (
    Evidence,
    PersonaState,
    StateUpdate,
    Technique,
    ToneFlag,
    ToneReport,
    Transcript,
    TurnResult,
    WordingReport,
)

pytestmark = pytest.mark.unit


def wording(*tags: str) -> WordingReport:
    techniques = tuple(Technique(t, Evidence("x", 0, 1)) for t in tags)  # type: ignore[arg-type]
    return WordingReport("x", "neutral", 0.0, techniques)


def update(before: float, after: float) -> StateUpdate:
    return StateUpdate(PersonaState(before, "defensive"), PersonaState(after, "defensive"), ())


def tone(calm: int, *flags: str) -> ToneReport:
    return tone_report(
        level=None,
        rate=None,
        pitch=None,
        calm=calm,
        baseline="population",
        rate_trend_pct=None,
        flags=tuple(ToneFlag(f, f"message about {f}") for f in flags),
    )


def test_good_moves_calm_voice_and_a_calmer_client_score_high() -> None:
    good = score_turn(tone(90), wording("validation", "open_question"), update(55, 45))
    bad = score_turn(tone(30, "loud"), wording("command", "threat"), update(55, 75))
    assert good.score >= 80
    assert bad.score <= 30
    assert "message about loud" in bad.reasons
    assert any("escalating wording: command, threat" in r for r in bad.reasons)


def test_each_part_moves_the_score_the_right_way() -> None:
    base = score_turn(tone(60), wording(), update(50, 50)).score
    assert score_turn(tone(90), wording(), update(50, 50)).score > base
    assert score_turn(tone(60), wording("reflection"), update(50, 50)).score > base
    assert score_turn(tone(60), wording(), update(50, 40)).score > base
    assert score_turn(tone(60), wording("blame"), update(50, 50)).score < base
    assert score_turn(tone(60), wording(), update(50, 60)).score < base


def test_typed_replies_are_scored_without_delivery() -> None:
    score = score_turn(None, wording("validation"), update(50, 45))
    assert score.delivery is None
    assert 0 <= score.score <= 100


def test_session_score_is_the_mean_of_turns() -> None:
    turns = [
        TurnResult(
            i, Transcript("x"), None, wording(), update(50, 50), "ok", score_turn(None, w, update(50, 50))
        )
        for i, w in enumerate([wording("validation"), wording("command")], start=1)
    ]
    score, reasons = score_session(turns)
    assert score == round((turns[0].score.score + turns[1].score.score) / 2)
    assert reasons[0] == "average of 2 replies"
    assert score_session([]) == (0, ("no reply was completed",))
