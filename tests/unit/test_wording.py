"""Wording analysis: each tag with its evidence, negation, yes-but, reflection, ASR text, edges."""

from __future__ import annotations

import time

import pytest

from voicecoach.analysis.wording import analyze_wording
from voicecoach.analysis.wording_text import unpunctuated
from voicecoach.types import ALL_TAGS, WordingReport

pytestmark = pytest.mark.unit

# One clear example per tag: (tag, utterance, persona context, words that must be the evidence).
EXAMPLES = [
    ("validation", "That makes sense, anyone would be upset.", None, "That makes sense"),
    (
        "reflection",
        "You've been waiting since six and still don't know where you're sleeping.",
        "I've been sitting out here since six and nobody told me if I have a bed.",
        "You've been waiting since six and still don't know where you're sleeping",
    ),
    ("open_question", "What happened this morning?", None, "What happened"),
    ("closed_question", "Did you sign the list?", None, "Did you"),
    ("offer_choice", "Would you like to sit here or in the quiet room?", None, "Would you like to"),
    ("collaboration", "Let's figure this out together.", None, "Let's"),
    ("agreement", "You're right, we should have called you.", None, "You're right"),
    ("apology", "I'm sorry we lost your paperwork.", None, "I'm sorry"),
    (
        "respectful_limit",
        "I can't open the dorm now, but I can get you a pass.",
        None,
        "can't open the dorm now, but I can",
    ),
    ("command", "Calm down.", None, "Calm down"),
    ("threat", "Keep it up and I'll call security.", None, "Keep it up and I'll call security"),
    ("blame", "You should have locked it up.", None, "You should have"),
    ("dismissal", "You're overreacting.", None, "You're overreacting"),
    ("arguing", "That's not true.", None, "That's not true"),
    ("labeling", "You're being paranoid.", None, "You're being paranoid"),
    ("rule_citing", "Rules are rules.", None, "Rules are rules"),
    ("sarcasm", "Oh great, another excuse.", None, "Oh great"),
    ("profanity", "This is bullshit.", None, "bullshit"),
]


def _check_offsets(text: str, report: WordingReport) -> None:
    for t in report.techniques:
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text


def test_every_tag_has_an_example() -> None:
    assert sorted(tag for tag, *_ in EXAMPLES) == sorted(ALL_TAGS)


@pytest.mark.parametrize(("tag", "text", "context", "evidence"), EXAMPLES)
def test_each_tag_is_found_with_its_words(tag: str, text: str, context: str | None, evidence: str) -> None:
    report = analyze_wording(text, context)
    assert tag in report.tags
    found = [t for t in report.techniques if t.tag == tag]
    assert any(t.evidence.text == evidence for t in found), found
    _check_offsets(text, report)


def test_effect_and_score_follow_the_tags() -> None:
    calm = analyze_wording("That sounds really frustrating. What would help right now?")
    harsh = analyze_wording("Calm down or I'm calling security.")
    flat = analyze_wording("Did you sign the list?")
    assert (calm.effect, harsh.effect, flat.effect) == ("deescalating", "escalating", "neutral")
    assert calm.score > 0 > harsh.score


@pytest.mark.parametrize(
    "text",
    [
        "I'm not going to tell you to calm down.",
        "I won't ask you to sit down.",
        "Nobody is going to call security on you.",
        "You're not in trouble and I don't think you're a bad person.",
    ],
)
def test_negated_escalations_are_not_counted(text: str) -> None:
    report = analyze_wording(text)
    assert report.effect != "escalating", report.techniques
    assert any("not counted" in n for n in report.notes) or not report.techniques


def test_negation_note_names_the_cancelled_words() -> None:
    report = analyze_wording("I'm not going to tell you to calm down.")
    assert "command" not in report.tags
    assert any('"calm down"' in n and "command" in n for n in report.notes)


def test_yes_but_keeps_only_the_escalating_part() -> None:
    report = analyze_wording("I understand, but rules are rules.")
    assert report.tags == {"rule_citing"}
    assert report.effect == "escalating"
    cancelled = analyze_wording("You're right, but rules are rules.")
    assert "agreement" not in cancelled.tags
    assert any("But" in n for n in cancelled.notes)


def test_bare_i_understand_is_noted_as_premature() -> None:
    report = analyze_wording("I understand.")
    assert report.effect == "neutral"
    assert not report.techniques
    assert any("premature" in n for n in report.notes)


def test_polite_and_question_commands_are_commands_not_questions() -> None:
    for text in [
        "Could you just calm down?",
        "Why don't you go sit down?",
        "Would you please just sit down?",
    ]:
        report = analyze_wording(text)
        assert "command" in report.tags, text
        assert "closed_question" not in report.tags, text


def test_reflection_needs_the_persona_content() -> None:
    context = "They gave my bed away to somebody else while I was at work."
    paraphrase = "You had a bed and they gave it to someone else while you were working."
    unrelated = "You need to fill in the housing form at the desk."
    assert "reflection" in analyze_wording(paraphrase, context).tags
    assert "reflection" not in analyze_wording(unrelated, context).tags
    assert "reflection" not in analyze_wording(paraphrase).tags  # no context, no stem


def test_stock_phrase_and_echo_are_not_reflections() -> None:
    context = "They gave my bed away to someone else."
    echo = analyze_wording("They gave your bed away to someone else.", context)
    assert "reflection" not in echo.tags
    assert any("repeats" in n for n in echo.notes)
    stock = analyze_wording("It sounds like it.", context)
    assert "reflection" not in stock.tags


def test_reflective_stem_counts_without_context() -> None:
    report = analyze_wording("It sounds like you're worried about losing your spot in the program.")
    assert "reflection" in report.tags


def test_asr_style_text_without_punctuation_or_capitals() -> None:
    assert "command" in analyze_wording("um you know you need to clam down").tags
    assert "agreement" in analyze_wording("your right i should have called you back").tags
    assert analyze_wording("im not gonna tell you to sit down").effect == "neutral"
    open_q = analyze_wording("uh so what happened this morning")
    assert open_q.tags == {"open_question"}


def test_unpunctuated_gives_the_recogniser_style_the_benchmark_scores() -> None:
    assert unpunctuated("Okay -- I'm NOT mad, 'honest'... Are you?") == "okay i'm not mad honest are you"
    assert unpunctuated("  ") == ""
    assert analyze_wording(unpunctuated("You need to calm down!")).tags == {"command"}


def test_evidence_highlights_original_text_even_after_respelling() -> None:
    text = "Lets  figure it out, OK?"
    report = analyze_wording(text)
    _check_offsets(text, report)
    assert [t.evidence.text for t in report.techniques if t.tag == "collaboration"] == ["Lets"]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x07\x1b[31m", "😀🙏🔥", "¿Qué pasó? No entiendo.", "你为什么这样做", "?!...", "' ' '"],
)
def test_edge_inputs_give_a_defined_neutral_result(text: str) -> None:
    report = analyze_wording(text)
    assert report.effect == "neutral"
    assert report.score == 0.0
    assert report.to_dict()["techniques"] == []


def test_fifty_thousand_characters_finish_quickly() -> None:
    chunk = "I hear you, calm down, what happened? You should have told me. " * 900
    text = (chunk + "a" * 2000 + " (((( [[[[ ... ")[:50_000]
    start = time.perf_counter()
    report = analyze_wording(text, context=chunk[:5000])
    # About 0.25 s here; the margin is for a loaded CI machine, not for quadratic slowdowns.
    assert time.perf_counter() - start < 2.5
    assert "command" in report.tags
    _check_offsets(text, report)


def test_pathological_repetition_is_linear() -> None:
    text = "can't " * 8000 + "but i can"
    start = time.perf_counter()
    analyze_wording(text)
    assert time.perf_counter() - start < 5.0


def test_to_dict_keeps_the_public_contract() -> None:
    d = analyze_wording("Calm down.").to_dict()
    assert d["effect"] == "escalating"
    assert d["techniques"] == [{"tag": "command", "evidence": "Calm down", "start": 0, "end": 9}]
    assert set(d) >= {"effect", "score", "techniques", "notes"}
