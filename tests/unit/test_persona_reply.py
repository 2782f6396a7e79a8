"""What the persona says back and how it sounds."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from voicecoach.persona.reply import choose_reply, opening_line, voice_for
from voicecoach.persona.schema import Persona, get_persona
from voicecoach.persona.state import initial_state, next_state
from voicecoach.types import STAGES, Evidence, PersonaState, Tag, Technique, WordingReport

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def marcus() -> Persona:
    return get_persona("marcus")


def said(text: str, *tags: Tag, evidence: str | None = None) -> WordingReport:
    ev = evidence if evidence is not None else text
    return WordingReport(text, "neutral", 0.0, tuple(Technique(t, Evidence(ev, 0, len(ev))) for t in tags))


def at(persona: Persona, agitation: float) -> PersonaState:
    return replace(initial_state(persona), agitation=agitation, stage=persona.thresholds.stage(agitation))


def test_opening_line_is_seeded(marcus: Persona) -> None:
    first = {opening_line(marcus, random.Random(seed)) for seed in range(20)}
    assert first == set(marcus.replies.opening)
    assert opening_line(marcus, random.Random(3)) == opening_line(marcus, random.Random(3))


def test_an_order_is_thrown_back_in_the_trainees_words(marcus: Persona) -> None:
    wording = said("Sit down right now.", "command", evidence="Sit down")
    update = next_state(marcus, at(marcus, 45), wording, None)
    lines = {choose_reply(marcus, update, wording, random.Random(s))[0] for s in range(30)}
    assert lines <= set(_render(marcus.replies.reactions["commanded"], "sit down"))
    assert any('"sit down"?' in line for line in lines)


def test_a_trigger_beats_everything_but_a_threat(marcus: Persona) -> None:
    wording = said("I hear you, but rules are rules.", "validation", "rule_citing", evidence="I hear you")
    update = next_state(marcus, at(marcus, 45), wording, None)
    assert [c.kind for c in update.cues][:2] == ["triggered", "ruled"]
    line, _ = choose_reply(marcus, update, wording, random.Random(0))
    assert line in _render(marcus.replies.reactions["triggered"], "rules are rules")
    threat = said(
        "Rules are rules, or I call security.", "threat", "rule_citing", evidence="or I call security"
    )
    update = next_state(marcus, at(marcus, 45), threat, None)
    assert update.cues[0].kind == "threatened"


def test_warmth_is_shown_only_when_it_landed(marcus: Persona) -> None:
    kind = said("That sounds exhausting.", "validation")
    fell = next_state(marcus, at(marcus, 45), kind, None)
    line, _ = choose_reply(marcus, fell, kind, random.Random(0))
    assert line in marcus.replies.reactions["validated"]
    # Still agitated after the kind words: the persona is too upset to show warmth yet.
    still_hot = next_state(marcus, at(marcus, 75), kind, None)
    assert still_hot.after.stage == "agitated"
    line, _ = choose_reply(marcus, still_hot, kind, random.Random(0))
    assert line not in marcus.replies.reactions["validated"]
    assert line in marcus.replies.stages["agitated"] + marcus.replies.stages["defensive"]


def test_a_met_need_is_answered_with_its_own_line(marcus: Persona) -> None:
    offer = said("Would you like me to call the overflow shelter for a bed tonight?", "offer_choice")
    update = next_state(marcus, at(marcus, 45), offer, None)
    line, _ = choose_reply(marcus, update, offer, random.Random(0))
    tonight = next(n for n in marcus.needs if n.id == "tonight")
    assert line in tonight.replies


def test_no_line_twice_while_others_are_left(marcus: Persona) -> None:
    rng = random.Random(5)
    state = at(marcus, 50)
    heard = []
    for _ in range(12):
        wording = said("Okay.")
        update = next_state(marcus, state, wording, None)
        line, state = choose_reply(marcus, update, wording, rng)
        heard.append(line)
        state = replace(state, agitation=50.0, stage="defensive")  # hold the stage steady
    pool = set(marcus.replies.stages["defensive"]) | set(marcus.replies.stages["anxious"])
    pool |= set(marcus.replies.stages["agitated"])
    distinct = len(set(heard))
    assert distinct == min(len(heard), len(pool)), heard
    assert (
        state.lines_used[-1]
        in marcus.replies.stages["defensive"]
        + marcus.replies.stages["anxious"]
        + marcus.replies.stages["agitated"]
    )


def test_endings_use_their_own_lines(marcus: Persona) -> None:
    harsh = said("Calm down or I call security.", "threat", "command", evidence="or I call security")
    update = next_state(marcus, at(marcus, 80), harsh, None)
    assert update.outcome == "escalated"
    assert choose_reply(marcus, update, harsh, random.Random(0))[0] in marcus.replies.escalated
    state = replace(at(marcus, 22), needs_met=frozenset({"tonight"}), calm_turns=1)
    update = next_state(marcus, state, said("Okay."), None)
    assert update.outcome == "resolved"
    assert choose_reply(marcus, update, said("Okay."), random.Random(0))[0] in marcus.replies.resolved


def test_echo_lines_are_skipped_without_words_to_echo(marcus: Persona) -> None:
    silent = said("")
    for seed in range(20):
        update = next_state(marcus, at(marcus, 70), silent, None)
        line, _ = choose_reply(marcus, update, silent, random.Random(seed))
        assert "{echo}" not in line and '""' not in line


def test_voice_rises_with_agitation() -> None:
    for pid in ("marcus", "dana", "grace"):
        persona = get_persona(pid)
        voices = [voice_for(persona, s) for s in STAGES]
        for lower, higher in itertools.pairwise(voices):
            assert higher.rate > lower.rate and higher.volume > lower.volume and higher.pitch > lower.pitch
        assert all(0 < v.volume <= 1.0 for v in voices)
        # Each step is audible: tempo changes under ~10% go unnoticed (DOMAIN.md, Quené).
        assert voices[-1].rate / voices[0].rate > 1.3
    assert voice_for(get_persona("dana"), "calm").gender == "female"


def _render(lines: tuple[str, ...], echo: str) -> list[str]:
    return [line.replace("{echo}", echo) for line in lines]
