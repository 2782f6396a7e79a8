"""General patterns of the escalating moves, ASR mis-hearings, and the sentence-wide suppression.

Each case is one of the general forms the lexicon recognises (an imperative clause, a conditional
consequence, a contradiction, ...), written in words that are not in any phrase verbatim where
the form allows it; the "not" cases are the look-alikes the form must leave alone.
"""

from __future__ import annotations

import time

import pytest

from voicecoach.analysis.wording import analyze_wording

pytestmark = pytest.mark.unit


def _tags(text: str, context: str | None = None) -> set[str]:
    return set(analyze_wording(text, context).tags)


# tiny.en on this project's audio: what was said -> what the recogniser wrote.
@pytest.mark.parametrize(
    ("heard", "tag"),
    [
        ("come down", "command"),  # "calm down" at the start of an utterance
        ("sir come down please", "command"),
        ("you need to come down right now", "command"),
        ("okay just come down.", "command"),
        ("i'm going to call secure with it", "threat"),  # "security"
        ("one more word and i call secure it", "threat"),
        ("if you don't stop i'm calling secure with it", "threat"),
        ("i'm sorry but rule our rules", "rule_citing"),  # "rules are rules"
        ("rule not rule sir", "rule_citing"),
        ("top yelling at me", "command"),  # "stop" at the start
        ("top it right now", "command"),
    ],
)
def test_asr_mishearings_count_as_the_move_that_was_said(heard: str, tag: str) -> None:
    assert tag in _tags(heard)


@pytest.mark.parametrize(
    "text",
    [
        "The van will come down the road in a minute.",  # not at the start, not at an end
        "Your file is on the top shelf.",
        "We keep the cabinet secure with a lock.",
    ],
)
def test_mishearing_rules_leave_ordinary_uses_alone(text: str) -> None:
    # The lexicon's rules, alone: the learned model has its own, measured, false positives.
    assert not analyze_wording(text, model=False).tags & {"command", "threat", "rule_citing"}


@pytest.mark.parametrize(
    "text",
    [
        "You have to wait outside until they call you.",
        "You'd better lower your voice.",
        "I need you to step away from the window.",
        "Everybody needs to settle down right now.",
        "you're going to have to leave",
        "Don't touch the counter.",
        "Could you stop interrupting me for one second?",
        "Will you stop banging on the glass?",
        "Just wait over there.",
        "Put the phone away.",
        "Can you not yell, please?",
    ],
)
def test_imperative_clauses_and_polite_or_question_forms_are_commands(text: str) -> None:
    tags = _tags(text)
    assert "command" in tags
    assert "closed_question" not in tags


@pytest.mark.parametrize(
    ("text", "instead"),
    [
        ("Don't worry, we'll sort this out.", "collaboration"),
        ("I'm not going to tell you to calm down. Tell me what happened.", "open_question"),
        ("Take your time.", "offer_choice"),
        ("Feel free to step out if it gets too much.", "offer_choice"),
        ("I won't ask you to sit down if you'd rather stand.", "offer_choice"),
        ("Have a look at this schedule with me.", "collaboration"),
    ],
)
def test_reassurance_permission_and_negated_commands_are_not_commands(text: str, instead: str) -> None:
    tags = _tags(text)
    assert "command" not in tags
    assert instead in tags


@pytest.mark.parametrize(
    "text",
    [
        "If you don't leave now, I'm calling the cops.",
        "Do that one more time and you're banned.",
        "Keep this up and you'll be sleeping on the street.",
        "Pay by Friday or your bed goes to someone else.",
        "Skip again and your dose gets cut.",
        "We'll be calling your probation officer about this.",
        "I can have you discharged like that.",
    ],
)
def test_conditional_consequences_are_threats(text: str) -> None:
    tags = _tags(text)
    assert "threat" in tags
    assert "closed_question" not in tags  # "Do that ..." opens like a question but is not one


@pytest.mark.parametrize(
    "text",
    [
        "If you're feeling unsafe, we can call someone for you.",
        "If you need a break, you can step outside and come back whenever you're ready.",
        "He took from you again and you're exhausted.",
    ],
)
def test_conditionals_without_a_consequence_are_not_threats(text: str) -> None:
    assert "threat" not in _tags(text)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("You're the one who broke curfew.", "blame"),
        ("Nobody made you use.", "blame"),
        ("Maybe if you listened once in a while you'd know the schedule.", "blame"),
        ("It's only a little wait.", "dismissal"),
        ("You're blowing this way out of proportion.", "dismissal"),
        ("That's simply not accurate.", "arguing"),
        ("No, you were told about the change twice.", "arguing"),
        ("I disagree, the staff here are fair.", "arguing"),
        ("You're such a hothead.", "labeling"),
        ("He's a typical user, he'll be back.", "labeling"),
        ("I'm just following policy.", "rule_citing"),
        ("It's not my call, it's the program's.", "rule_citing"),
        ("Must be nice to just call and yell at people.", "sarcasm"),
        ("Thanks a ton for the help.", "sarcasm"),
    ],
)
def test_general_forms_of_the_escalating_moves(text: str, tag: str) -> None:
    assert tag in _tags(text)


def test_sarcastic_apology_is_sarcasm_not_an_apology() -> None:
    tags = _tags("Oh, I'm so sorry the free bed isn't up to your standards.")
    assert "sarcasm" in tags
    assert "apology" not in tags


def test_limit_without_punctuation_keeps_its_alternative() -> None:
    text = "i can't skip you ahead of the line but i can write you a note for your boss"
    assert "respectful_limit" in _tags(text)


def test_stop_being_dramatic_is_a_label_not_minimising() -> None:
    assert "labeling" in _tags("Stop being so dramatic.")


def test_evidence_of_general_patterns_points_into_the_original_text() -> None:
    text = "Ma'am,  if you DON'T leave now i'm calling secure with it!"
    report = analyze_wording(text)
    assert report.techniques
    for t in report.techniques:
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text


def test_many_gaps_and_lists_stay_linear_on_long_text() -> None:
    # Gap phrases ("if ... {consequence}", "one more ... and") meet their first word everywhere.
    text = ("if you one more again and keep no " * 1500)[:50_000]
    start = time.perf_counter()
    analyze_wording(text)
    assert time.perf_counter() - start < 5.0


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("Maybe he doesn't want to talk to you.", "My brother's been there a week and won't call me."),
        ("Nobody's kicking you out today.", "You're going to kick me out of the program, aren't you?"),
        ("You're right, it is private, and you can leave it blank.", "Why do you need that? It's private."),
    ],
)
def test_hedges_denials_and_agreement_are_not_reflections(text: str, context: str) -> None:
    assert "reflection" not in _tags(text, context)


def test_a_plain_paraphrase_is_still_a_reflection() -> None:
    context = "The bus dropped me late, it's not my fault I missed check-in."
    assert "reflection" in _tags("The bus made you late and you're getting blamed for it.", context)


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("Your roommate isn't using, his test came back negative.", "My roommate is using."),
        ("It's not rigged, it rotates.", "The chore chart is rigged, I always get the bathrooms."),
        ("your ride didnt fall through both days", "I missed two days because my ride fell through."),
    ],
)
def test_denying_what_the_persona_said_is_not_a_reflection(text: str, context: str) -> None:
    # Sixth round: a sentence that negates an idea the persona asserted contradicts it.
    assert "reflection" not in _tags(text, context)


@pytest.mark.parametrize(
    ("text", "context", "arguing"),
    [
        ("Your roommate isn't using, his test came back negative.", "My roommate is using.", True),
        ("she wasnt high shes on a new medication", "She sounded high on the phone.", True),
        ("I can't give you a bed tonight.", "Give me a bed tonight.", False),
        ("Nobody is calling the police.", "You're calling the police on me?", False),
        ("I'm sorry, that's our mistake, so it won't happen again.", "It happens again and again.", False),
    ],
)
def test_a_flat_denial_of_a_fact_is_arguing(text: str, context: str, arguing: bool) -> None:
    # Sixth round: only a negation about a thing or a third party denies a fact outright.
    assert ("arguing" in set(analyze_wording(text, context, model=False).tags)) is arguing


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("You haven't been able to sleep with him talking all night.", "He talks all night."),
        ("Your dose isn't holding and you want the doctor to know.", "My dose wears off by noon."),
        ("You didn't know the curfew changed.", "I got written up for a curfew I didn't even know changed."),
    ],
)
def test_saying_back_the_persona_s_own_lack_is_still_a_reflection(text: str, context: str) -> None:
    # The reflection rule alone: since the ninth round the learned model reads the third as a
    # denial and vetoes it (a known error, in docs/benchmarks/wording_history.md).
    assert "reflection" in set(analyze_wording(text, context, model=False).tags)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("we didn't lose anything you never gave it to us", "blame"),
        ("i won't call security let's just talk", "collaboration"),
        ("don't worry about the form i'll fill it in with you", "collaboration"),
        ("i'm not telling you to calm down i'm asking what you need", "open_question"),
    ],
)
def test_negation_stops_at_a_new_subject_in_unpunctuated_speech(text: str, kept: str) -> None:
    assert kept in _tags(text)


@pytest.mark.parametrize(
    "text",
    [
        "im not gonna tell you to calm down",
        "i don't think you should have stayed",
        "nobody is telling you to leave",
    ],
)
def test_negation_still_reaches_through_a_reported_clause(text: str) -> None:
    assert not _tags(text) & {"command", "blame"}


# MITI 4.2.1 (fifth round): a question for one short fact is closed, one that leaves wide room
# to answer is open, with or without the punctuation a recogniser drops.
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("What time is your hearing?", "closed_question"),
        ("how long have you been in the program", "closed_question"),
        ("When did you last see her?", "closed_question"),
        ("Which hospital is she at?", "closed_question"),
        ("okay and how many nights has it been like that", "closed_question"),
        ("Who's got the sign-in sheet?", "closed_question"),
        ("What happened?", "open_question"),
        ("How are you feeling about it?", "open_question"),
        ("Where would you like to start?", "open_question"),
        ("Who else do you lean on?", "open_question"),
        ("what would help most right now", "open_question"),
    ],
)
def test_question_type_follows_miti(text: str, kind: str) -> None:
    other = {"open_question", "closed_question"} - {kind}
    tags = set(analyze_wording(text, model=False).tags)
    assert kind in tags and not tags & other


def test_how_much_inside_a_statement_is_not_a_question() -> None:
    assert "closed_question" not in _tags("I can tell how much she means to you.")
