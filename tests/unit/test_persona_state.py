"""The agitation model, rule by rule, with hand-built wording and tone findings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voicecoach.persona.schema import Persona, get_persona
from voicecoach.persona.state import (
    DEFAULT_WEIGHTS,
    final_outcome,
    find_phrase,
    initial_state,
    next_state,
)
from voicecoach.testing import tone_report
from voicecoach.types import Evidence, PersonaState, Tag, Technique, ToneReport, WordingReport

pytestmark = pytest.mark.unit


def said(text: str, *tags: Tag, evidence: str | None = None) -> WordingReport:
    """A wording finding for ``text`` with ``tags``, each evidenced by ``evidence`` (or the text)."""
    ev = evidence if evidence is not None else text
    techniques = tuple(Technique(t, Evidence(ev, 0, len(ev))) for t in tags)
    return WordingReport(text, "neutral", 0.0, techniques)


def tone(
    level: float | None = 0.0, rate: float | None = 0.0, pitch: float | None = 0.0, calm: int = 80
) -> ToneReport:
    return tone_report(level=level, rate=rate, pitch=pitch, calm=calm)


@pytest.fixture(scope="module")
def marcus() -> Persona:
    return get_persona("marcus")


def at(persona: Persona, agitation: float, **changes: object) -> PersonaState:
    state = initial_state(persona)
    return replace(state, agitation=agitation, stage=persona.thresholds.stage(agitation), **changes)  # type: ignore[arg-type]


def test_initial_state_follows_difficulty(marcus: Persona) -> None:
    levels = [initial_state(marcus, d).agitation for d in ("easy", "standard", "hard")]
    assert levels == [45, 55, 65]
    assert initial_state(marcus, "hard").difficulty == "hard"
    with pytest.raises(ValueError, match="difficulty"):
        initial_state(marcus, "brutal")  # type: ignore[arg-type]


def test_reasons_read_like_the_issue(marcus: Persona) -> None:
    update = next_state(marcus, at(marcus, 50), said("Calm down", "command", evidence="Calm down"), None)
    texts = [str(r) for r in update.reasons]
    assert "+8: 'calm down' is a trigger for Marcus: being told to calm down" in texts
    assert update.after.agitation == pytest.approx(66)
    update = next_state(
        marcus,
        at(marcus, 50),
        said("That sounds exhausting.", "validation", evidence="sounds exhausting"),
        tone(6.0),
    )
    texts = [str(r) for r in update.reasons]
    assert "+5: you were 6 dB louder than your baseline" in texts
    assert any(t.startswith("−") and "you named his feelings ('sounds exhausting')" in t for t in texts)


def test_reasons_add_up_to_the_change(marcus: Persona) -> None:
    update = next_state(
        marcus,
        at(marcus, 50),
        said("I'm sorry. Let's sort out tonight.", "apology", "offer_choice"),
        tone(4.0, 20.0),
    )
    total = sum(r.delta for r in update.reasons)
    assert update.after.agitation - update.before.agitation == pytest.approx(total)


def test_escalation_is_fast_and_calming_slow(marcus: Persona) -> None:
    everything_kind = said(
        "x", "validation", "reflection", "open_question", "offer_choice", "apology", "agreement"
    )
    calm = next_state(marcus, at(marcus, 50), everything_kind, None)
    assert 50 - calm.after.agitation <= marcus.max_calm_per_turn + 1e-9
    everything_harsh = said("x", "command", "threat", "blame", "labeling")
    harsh = next_state(marcus, at(marcus, 50), everything_harsh, None)
    assert harsh.after.agitation - 50 > 3 * (50 - calm.after.agitation)


def test_kindness_mixed_with_an_order_is_half_heard(marcus: Persona) -> None:
    kind = next_state(marcus, at(marcus, 50), said("x", "validation"), None)
    mixed = next_state(marcus, at(marcus, 50), said("x", "validation", "command"), None)
    assert mixed.after.agitation > 50 + DEFAULT_WEIGHTS["command"] - (50 - kind.after.agitation)


def test_a_repeated_stock_phrase_wears_out_but_a_limit_does_not(marcus: Persona) -> None:
    state = at(marcus, 55)
    drops = []
    for _ in range(3):
        update = next_state(marcus, state, said("I hear you.", "validation"), None)
        drops.append(update.before.agitation - update.after.agitation)
        state = update.after
    assert drops[0] > drops[1] > drops[2] > 0
    assert "said before" in str(update.reasons)
    state = at(marcus, 55)
    limit = said("I can't change the list, but I can call the overflow line.", "respectful_limit")
    first = next_state(marcus, state, limit, None)
    second = next_state(marcus, replace(first.after, agitation=55.0), limit, None)
    assert first.after.agitation == pytest.approx(second.after.agitation)


def test_a_threat_is_remembered_for_the_rest_of_the_session(marcus: Persona) -> None:
    threat = next_state(marcus, at(marcus, 40), said("Do that again and you're out", "threat"), None)
    assert threat.after.threatened and threat.after.trust < 1
    later = replace(threat.after, agitation=50.0, stage="defensive")
    fresh = at(marcus, 50)
    kind = said("That sounds exhausting.", "validation")
    after_threat = next_state(marcus, later, kind, None)
    without = next_state(marcus, fresh, kind, None)
    assert 50 - after_threat.after.agitation == pytest.approx((50 - without.after.agitation) / 2)
    assert "since the threat" in str(after_threat.reasons)
    assert after_threat.after.threatened  # still remembered


def test_ignoring_the_required_need_keeps_agitation_up(marcus: Persona) -> None:
    # Warm words without ever offering a plan for tonight: he cannot settle below the resolve level.
    state = initial_state(marcus)
    for i in range(10):
        update = next_state(
            marcus, state, said(f"That sounds hard, part {i}.", "validation", "reflection"), None
        )
        state = update.after
        assert state.agitation >= marcus.resolve_below
        assert update.outcome is None
    assert "Marcus still hasn't heard a concrete option" in str(update.reasons)
    assert "won't settle until he hears" in str(update.reasons)
    # Meeting the need releases him.
    update = next_state(
        marcus,
        state,
        said("Would you like me to call the overflow shelter for a bed tonight?", "offer_choice"),
        None,
    )
    assert "tonight" in update.after.needs_met
    assert update.after.agitation < state.agitation


def test_a_need_met_while_settled_resolves_at_once(marcus: Persona) -> None:
    state = at(marcus, 30)
    update = next_state(
        marcus, state, said("We could call the overflow shelter about a bed tonight.", "offer_choice"), None
    )
    assert update.after.agitation < marcus.resolve_below
    assert update.outcome == "resolved"


def test_an_offer_then_partnering_on_it_meets_the_need(marcus: Persona) -> None:
    # "I can call the overflow shelter" (heard without its choice) then "let's do that together":
    # the concrete option and the partnering come in consecutive replies.
    state = at(marcus, 40)
    offer = next_state(marcus, state, said("I can call the overflow shelter for you.", "validation"), None)
    assert "tonight" not in offer.after.needs_met
    partner = next_state(marcus, offer.after, said("Let's do that together.", "collaboration"), None)
    assert "tonight" in partner.after.needs_met
    # ...but not when the concrete words came two replies earlier.
    later = next_state(marcus, offer.after, said("I hear you.", "validation"), None)
    late = next_state(marcus, later.after, said("Let's do that together.", "collaboration"), None)
    assert "tonight" not in late.after.needs_met


def test_two_turns_below_the_resolve_level_resolve(marcus: Persona) -> None:
    state = at(marcus, 22, needs_met=frozenset({"tonight"}))
    first = next_state(marcus, state, said("Okay."), None)
    assert first.outcome is None and first.after.calm_turns == 1
    second = next_state(marcus, first.after, said("Okay."), None)
    assert second.outcome == "resolved"


def test_crisis_escalates_with_the_safety_step(marcus: Persona) -> None:
    update = next_state(
        marcus, at(marcus, 80), said("Calm down or I call security", "threat", "command"), None
    )
    assert update.after.stage == "crisis" and update.outcome == "escalated"
    assert update.safety_step == marcus.safety_step
    assert final_outcome(update) == "escalated"


def test_turn_limit_is_unresolved(marcus: Persona) -> None:
    state = at(marcus, 50, turn=11)
    update = next_state(marcus, state, said("Okay."), None, max_turns=12)
    assert update.outcome == "unresolved"
    assert next_state(marcus, at(marcus, 50), said("Okay."), None).outcome is None
    assert final_outcome(None) == "unresolved"


def test_silence_once_lets_them_vent_twice_reads_as_ignoring(marcus: Persona) -> None:
    first = next_state(marcus, at(marcus, 50), said(""), None)
    assert first.after.agitation < 50 and "vent" in str(first.reasons)
    second = next_state(marcus, first.after, said(""), None)
    assert second.after.agitation > first.after.agitation and "ignored" in str(second.reasons)
    assert [c.kind for c in second.cues] == ["silent"]


def test_tone_relative_to_baseline(marcus: Persona) -> None:
    kind = said("That sounds exhausting.", "validation")
    calm = next_state(marcus, at(marcus, 50), kind, tone(0.0, 0.0, 0.0, calm=85))
    loud = next_state(marcus, at(marcus, 50), kind, tone(9.0, 0.0, 0.0, calm=85))
    fast = next_state(marcus, at(marcus, 50), kind, tone(0.0, 30.0, 0.0, calm=85))
    high = next_state(marcus, at(marcus, 50), kind, tone(0.0, 0.0, 5.0, calm=85))
    typed = next_state(marcus, at(marcus, 50), kind, None)
    assert calm.after.agitation < typed.after.agitation  # a calm voice earns a little credit
    for pushed in (loud, fast, high):
        assert pushed.after.agitation > typed.after.agitation
    # Under the noticeable thresholds (3 dB, 10%, 2 st) nothing is held against the trainee.
    small = next_state(marcus, at(marcus, 50), kind, tone(2.5, 9.0, 1.5, calm=85))
    assert small.after.agitation == calm.after.agitation
    # Without baseline deltas the calm score alone speaks.
    tense = next_state(marcus, at(marcus, 50), kind, tone(None, None, None, calm=10))
    assert tense.after.agitation > typed.after.agitation and "tense" in str(tense.reasons)


def test_phrases_match_whole_words_only() -> None:
    assert find_phrase("calm down", "Please, CALM   down now") == "calm   down"
    assert find_phrase("rules", "the rules are") == "rules"
    assert find_phrase("rule", "overruled") is None
    assert find_phrase("don't", "I don’t know") == "don't"
    assert find_phrase("", "anything") is None


def test_same_input_same_output(marcus: Persona) -> None:
    state = at(marcus, 50)
    wording = said("Calm down, I hear you", "command", "validation")
    assert next_state(marcus, state, wording, tone(4.0)) == next_state(marcus, state, wording, tone(4.0))


def test_persona_weights_override_the_defaults() -> None:
    andre = get_persona("andre")
    labeled = next_state(andre, at(andre, 40), said("you're a liar", "labeling", evidence="liar x"), None)
    assert labeled.reasons[0].delta >= 12  # andre.yaml weights labeling at 12 (default 9)


def test_they_pronoun_agrees() -> None:
    sam = get_persona("sam")
    update = next_state(
        sam, at(sam, 45, turn=5), said("It's not a big deal", "dismissal", evidence="not a big deal"), None
    )
    text = str(update.reasons)
    assert "what they feel" in text and "Sam still hasn't heard" in text
