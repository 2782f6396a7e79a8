"""Invariants of the persona model, checked over generated states, findings and sessions.

* agitation stays within 0–100 and the stage always matches it;
* monotone in each input: another escalating move, or a louder/faster/higher delivery, never
  leaves the persona calmer than the same turn without it; another calming move never leaves
  them more agitated;
* the reasons add up to the change whenever the scale is not saturated;
* the same seed gives the same session, replies included.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicecoach.persona.reply import choose_reply, opening_line
from voicecoach.persona.schema import Persona, list_personas
from voicecoach.persona.state import initial_state, next_state
from voicecoach.testing import tone_report
from voicecoach.types import (
    DEESCALATING_TAGS,
    DIFFICULTIES,
    ESCALATING_TAGS,
    Evidence,
    PersonaState,
    Tag,
    Technique,
    ToneReport,
    WordingReport,
)

pytestmark = pytest.mark.unit

PERSONAS = list_personas()
#: Texts that hit triggers and needs of several personas, plus silence and a long reply.
TEXTS = [
    "",
    "Okay.",
    "Calm down.",
    "Rules are rules.",
    "We could call the overflow shelter about a bed tonight.",
    "I can ask the nurse to review it.",
    "I'm so sorry. Would you like to come to the family support group?",
    "Let's set up a confirmation test.",
    "There are two sides to every story.",
    "You should have asked at the start of the month.",
    "I'm calling security.",
    "word " * 70,
]
EVIDENCE = ["I hear you", "calm down", "that sounds hard", "let's", "what happened", ""]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

techniques = st.lists(
    st.builds(
        lambda tag, ev: Technique(tag, Evidence(ev, 0, len(ev))),
        st.sampled_from([*ESCALATING_TAGS, *DEESCALATING_TAGS, "closed_question"]),
        st.sampled_from(EVIDENCE),
    ),
    max_size=5,
)
offsets = st.one_of(st.none(), st.floats(-20, 30, allow_nan=False))


@st.composite
def states(draw: st.DrawFn, persona: Persona) -> PersonaState:
    agitation = draw(st.floats(0, 100, allow_nan=False))
    threatened = draw(st.booleans())
    return replace(
        initial_state(persona, draw(st.sampled_from(DIFFICULTIES))),
        agitation=agitation,
        stage=persona.thresholds.stage(agitation),
        turn=draw(st.integers(0, 15)),
        threatened=threatened,
        trust=0.5 if threatened else 1.0,
        calm_turns=draw(st.integers(0, 1)),
        needs_met=frozenset(draw(st.sets(st.sampled_from([n.id for n in persona.needs])))),
        silent_turns=draw(st.integers(0, 2)),
        phrase_counts=tuple(
            (e.lower(), draw(st.integers(0, 3))) for e in draw(st.sets(st.sampled_from(EVIDENCE)))
        ),
    )


@st.composite
def tones(draw: st.DrawFn) -> ToneReport | None:
    if draw(st.booleans()):
        return None
    return _tone(draw(offsets), draw(offsets), draw(offsets), draw(st.integers(0, 100)))


def _tone(level: float | None, rate: float | None, pitch: float | None, calm: int) -> ToneReport:
    return tone_report(level=level, rate=rate, pitch=pitch, calm=calm)


@st.composite
def turns(draw: st.DrawFn) -> tuple[Persona, PersonaState, WordingReport, ToneReport | None]:
    persona = draw(st.sampled_from(PERSONAS))
    wording = WordingReport(draw(st.sampled_from(TEXTS)), "neutral", 0.0, tuple(draw(techniques)))
    return persona, draw(states(persona)), wording, draw(tones())


@FAST
@given(turns())
def test_agitation_is_bounded_and_the_stage_matches(
    turn: tuple[Persona, PersonaState, WordingReport, ToneReport | None],
) -> None:
    persona, state, wording, tone = turn
    update = next_state(persona, state, wording, tone, max_turns=12)
    after = update.after
    assert 0.0 <= after.agitation <= 100.0
    assert after.stage == persona.thresholds.stage(after.agitation)
    assert after.turn == state.turn + 1
    assert (update.outcome == "escalated") == (after.stage == "crisis")
    assert (update.safety_step is not None) == (update.outcome == "escalated")
    assert all(r.delta != 0 and r.text for r in update.reasons)
    if 0.0 < after.agitation < 100.0:
        assert after.agitation - state.agitation == pytest.approx(
            sum(r.delta for r in update.reasons), abs=1e-6
        )


@FAST
@given(turns(), st.sampled_from(ESCALATING_TAGS), st.sampled_from(EVIDENCE))
def test_another_escalating_move_never_calms(
    turn: tuple[Persona, PersonaState, WordingReport, ToneReport | None], tag: Tag, evidence: str
) -> None:
    persona, state, wording, tone = turn
    worse = replace(
        wording, techniques=(*wording.techniques, Technique(tag, Evidence(evidence, 0, len(evidence))))
    )
    base = next_state(persona, state, wording, tone).after.agitation
    assert next_state(persona, state, worse, tone).after.agitation >= base - 1e-9


@FAST
@given(turns(), st.sampled_from(DEESCALATING_TAGS), st.sampled_from(EVIDENCE))
def test_another_calming_move_never_agitates(
    turn: tuple[Persona, PersonaState, WordingReport, ToneReport | None], tag: Tag, evidence: str
) -> None:
    persona, state, wording, tone = turn
    better = replace(
        wording, techniques=(*wording.techniques, Technique(tag, Evidence(evidence, 0, len(evidence))))
    )
    base = next_state(persona, state, wording, tone).after.agitation
    assert next_state(persona, state, better, tone).after.agitation <= base + 1e-9


@FAST
@given(
    turns(),
    st.sampled_from(["level", "rate", "pitch"]),
    st.tuples(st.floats(-20, 30, allow_nan=False), st.floats(0, 15, allow_nan=False)),
    st.tuples(st.floats(-20, 30, allow_nan=False), st.integers(0, 100)),
)
def test_louder_faster_or_higher_never_calms(
    turn: tuple[Persona, PersonaState, WordingReport, ToneReport | None],
    which: str,
    value_more: tuple[float, float],
    other_calm: tuple[float, int],
) -> None:
    persona, state, wording, _ = turn
    (value, more), (other, calm) = value_more, other_calm
    values = {"level": other, "rate": other, "pitch": other}
    values[which] = value
    quiet = _tone(values["level"], values["rate"], values["pitch"], calm)
    values[which] = value + more
    louder = _tone(values["level"], values["rate"], values["pitch"], calm)
    base = next_state(persona, state, wording, quiet).after.agitation
    assert next_state(persona, state, wording, louder).after.agitation >= base - 1e-9


@FAST
@given(turns(), st.integers(0, 100), st.integers(0, 100))
def test_a_calmer_sounding_reply_never_agitates_more(
    turn: tuple[Persona, PersonaState, WordingReport, ToneReport | None], a: int, b: int
) -> None:
    persona, state, wording, _ = turn
    lo, hi = sorted((a, b))
    for level in (None, 0.0, 8.0):
        tense = next_state(persona, state, wording, _tone(level, level, level, lo)).after.agitation
        calmer = next_state(persona, state, wording, _tone(level, level, level, hi)).after.agitation
        assert calmer <= tense + 1e-9


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(PERSONAS),
    st.lists(st.tuples(st.sampled_from(TEXTS), techniques), min_size=1, max_size=12),
    st.integers(0, 2**32 - 1),
)
def test_same_seed_same_session(
    persona: Persona, script: list[tuple[str, list[Technique]]], seed: int
) -> None:
    def play() -> list[object]:
        rng = random.Random(seed)
        out: list[object] = [opening_line(persona, rng)]
        state = initial_state(persona)
        for text, found in script:
            wording = WordingReport(text, "neutral", 0.0, tuple(found))
            update = next_state(persona, state, wording, None, max_turns=12)
            line, state = choose_reply(persona, update, wording, rng)
            out.extend([update, line])
            if update.outcome:
                break
        return out

    assert play() == play()
