"""Session-level MI counts: MITI ratio rating, share of talk and Project BETA domains."""

from __future__ import annotations

import pytest

from voicecoach.analysis.mi import rate_ratio, session_counts
from voicecoach.analysis.wording import analyze_wording
from voicecoach.config import MIOptions

pytestmark = pytest.mark.unit

PERSONA = "I've been sitting here since six and nobody has told me anything about a bed."


@pytest.mark.parametrize(
    ("reflections", "questions", "rating"),
    [(0, 0, "n/a"), (3, 0, "good"), (2, 1, "good"), (1, 1, "fair"), (3, 2, "fair"), (1, 2, "low")],
)
def test_miti_ratio_thresholds(reflections: int, questions: int, rating: str) -> None:
    assert rate_ratio(reflections, questions) == rating


def test_counts_questions_reflections_and_talk_share() -> None:
    reports = [
        analyze_wording("Hi, my name is Sam, I'm one of the peer specialists. What happened?"),
        analyze_wording("You've been waiting since six and nobody told you anything.", PERSONA),
        analyze_wording("Did you sign the list?"),
    ]
    counts = session_counts(reports, persona_lines=[PERSONA])
    assert (counts.open_questions, counts.closed_questions, counts.reflections) == (1, 1, 1)
    assert counts.reflection_to_question == 0.5
    assert counts.ratio_rating == "low"
    assert counts.percent_open_questions == 50.0
    assert counts.persona_words == 15
    assert counts.talk_share == pytest.approx(counts.trainee_words / (counts.trainee_words + 15))
    assert {"verbal_contact", "listen_closely", "not_provocative", "concise"} <= set(counts.beta_domains)
    assert "clear_limits" in counts.beta_domains_missing
    d = counts.to_dict()
    assert d["ratio_rating"] == "low" and isinstance(d["beta_domains"], list)


def test_escalation_and_long_turns_lose_session_domains() -> None:
    reports = [
        analyze_wording("Calm down. " + "I really need you to understand the whole situation here " * 5)
    ]
    counts = session_counts(reports, options=MIOptions(concise_max_words=25))
    assert "not_provocative" not in counts.beta_domains
    assert "concise" not in counts.beta_domains
    assert counts.talk_share is None


def test_empty_session() -> None:
    counts = session_counts([])
    assert counts.turns == 0
    assert counts.reflection_to_question is None
    assert counts.ratio_rating == "n/a"
    assert counts.beta_domains == ()


def test_domains_from_tags_and_phrases() -> None:
    reports = [
        analyze_wording("I'm going to step back and give you some space."),
        analyze_wording("I can't let you back there, but I can bring her out to you."),
        analyze_wording("You're right about that. Would you like some water or coffee?"),
        analyze_wording("Looking back, how are you feeling now?"),
    ]
    shown = set(session_counts(reports).beta_domains)
    assert {"personal_space", "clear_limits", "agree_or_disagree", "choices_optimism", "debrief"} <= shown
