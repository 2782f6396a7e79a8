"""The persona's agitation model: one pure function from (state, what the trainee did) to a new state.

Agitation runs 0–100 and maps to the CPI/BARS stages of the persona file (calm, anxious, defensive,
agitated, crisis; crisis is BARS 7 and ends the scenario). Each turn adds up plain-words
:class:`Reason` s from five sources, in this order:

1. silence (CPI "allow silence": one quiet turn lets an upset person vent; two read as ignoring);
2. the wording findings, one weight per tag (:data:`DEFAULT_WEIGHTS`, overridable per persona);
3. the persona's triggers (words that inflame *this* person) and needs (what they must hear);
4. the delivery, relative to the trainee's own calm baseline (louder, faster, higher → up);
5. length (Project BETA "be concise and repeat": a short calming reply lands, a long one doesn't).

Realism rules, each from DOMAIN.md:

* escalation is fast and de-escalation slow: calming counts for at most ``max_calm_per_turn``
  points a turn and is halved when the same reply also escalates (people hear the worst part);
* a stock phrase loses effect when repeated ("I understand" the third time means little), but a
  short limit or offer may be repeated at full strength (BETA: be concise and repeat);
* a threat is remembered: trust drops to :data:`TRUST_AFTER_THREAT` and every later calming move
  counts for that much less;
* until a *required* need is met the persona does not settle below the resolve level, and after
  the need's patience runs out each turn that ignores it adds its penalty.

Nothing here reads a clock, a file or a random number: the same inputs give the same update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from voicecoach.persona.explain import calming_text, escalating_text
from voicecoach.persona.schema import Persona
from voicecoach.types import (
    REACTION_KINDS,
    Cue,
    Difficulty,
    Outcome,
    PersonaState,
    ReactionKind,
    Reason,
    StateUpdate,
    Tag,
    Technique,
    ToneReport,
    WordingReport,
)

#: Points each tag moves agitation by (before difficulty, sensitivity, trust and caps). Threats
#: weigh most: intimidation is the last verbal step before loss of control on the CPI verbal
#: escalation continuum. Commands ("calm down") are named as a penalty by every source (BETA
#: "don't be provocative", Adaptive-VP). Calming moves are deliberately smaller than escalating
#: ones: trust is lost faster than it is rebuilt. A closed question moves nothing (MITI counts it,
#: it neither helps nor hurts).
DEFAULT_WEIGHTS: dict[Tag, float] = {
    "threat": 16.0,
    "labeling": 9.0,
    "blame": 9.0,
    "command": 8.0,
    "dismissal": 8.0,
    "sarcasm": 7.0,
    "arguing": 6.0,
    "rule_citing": 6.0,
    "profanity": 6.0,
    "closed_question": 0.0,
    "respectful_limit": -2.0,
    "open_question": -4.0,
    "collaboration": -4.0,
    "agreement": -4.0,
    "apology": -5.0,
    "offer_choice": -6.0,
    "reflection": -6.0,
    "validation": -6.0,
}

#: Calming tags whose exact words wear out when repeated; offers and limits do not (BETA: repeat).
DECAYING: frozenset[Tag] = frozenset(
    {"validation", "reflection", "apology", "agreement", "open_question", "collaboration"}
)

#: After a threat every calming move counts for half for the rest of the session.
TRUST_AFTER_THREAT = 0.5


@dataclass(frozen=True)
class Sensitivity:
    """How strongly a difficulty level scales escalating and calming moves."""

    escalate: float
    calm: float


#: Easy forgives more and calms sooner; hard reacts 25% more to escalation and 20% less to calming.
DIFFICULTY: dict[Difficulty, Sensitivity] = {
    "easy": Sensitivity(escalate=0.8, calm=1.25),
    "standard": Sensitivity(escalate=1.0, calm=1.0),
    "hard": Sensitivity(escalate=1.25, calm=0.8),
}

# Tone: thresholds where a listener notices a change (DOMAIN.md "What calm delivery measures as").
#: One step of vocal effort is 6–9 dB; 3 dB is the start of a noticeable push.
LEVEL_FREE_DB = 3.0
LEVEL_POINTS_PER_DB = 1.5  # +6 dB over baseline → +4.5 points
LEVEL_MAX = 12.0
#: Tempo changes under ~10% are not noticeable (Quené).
RATE_FREE_PCT = 10.0
RATE_POINTS_PER_PCT = 0.3  # +25% → +4.5 points
RATE_MAX = 8.0
#: Listeners notice F0 differences from ~2–3 semitones.
PITCH_FREE_ST = 2.0
PITCH_POINTS_PER_ST = 1.5
PITCH_MAX = 6.0
#: A calm, consistent tone (CPI paraverbal) earns a small calming credit.
CALM_VOICE_SCORE = 70
CALM_VOICE_CREDIT = 2.0
#: Without baseline deltas the analyser's calm score alone speaks: below 40 sounds tense.
TENSE_SCORE = 40

#: BETA "be concise": a short calming reply is easy to take in; a long one is not when upset.
SHORT_WORDS = 20
LONG_WORDS = 60

_REACTION_ORDER: tuple[tuple[ReactionKind, tuple[Tag, ...]], ...] = (
    ("threatened", ("threat",)),
    ("commanded", ("command",)),
    ("blamed", ("blame", "labeling")),
    ("ruled", ("rule_citing",)),
    ("dismissed", ("dismissal", "sarcasm", "arguing")),
    ("swore", ("profanity",)),
    ("apologized", ("apology",)),
    ("validated", ("validation", "reflection")),
    ("offered", ("offer_choice", "collaboration", "respectful_limit")),
    ("asked", ("open_question",)),
    ("agreed", ("agreement",)),
)


def initial_state(persona: Persona, difficulty: Difficulty = "standard") -> PersonaState:
    """The persona's state before the trainee's first reply."""
    if difficulty not in DIFFICULTY:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTY)}, not {difficulty!r}")
    agitation = persona.start[difficulty]
    return PersonaState(agitation=agitation, stage=persona.thresholds.stage(agitation), difficulty=difficulty)


def phrase_in(phrase: str, text: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words, ignoring case, spacing and apostrophe style."""
    return find_phrase(phrase, text) is not None


def find_phrase(phrase: str, text: str) -> str | None:
    """The words of ``text`` matching ``phrase`` (whole words, case-insensitive), or None."""
    words = _normalise(phrase).split()
    if not words:
        return None
    pattern = r"(?<![\w'])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w'])"
    found = re.search(pattern, _normalise(text))
    return found.group(0) if found else None


def _normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


class _Turn:
    """One turn being worked out: the reasons as they accumulate, split into ups and downs."""

    def __init__(self, persona: Persona, state: PersonaState, wording: WordingReport) -> None:
        sens = DIFFICULTY[state.difficulty]
        self.persona = persona
        self.state = state
        self.text = wording.text.strip()
        self.up_scale = sens.escalate * persona.sensitivity
        self.first: dict[Tag, Technique] = {}
        for technique in wording.techniques:
            self.first.setdefault(technique.tag, technique)  # the first evidence names the tag
        self.threatened = state.threatened or "threat" in self.first
        self.trust = TRUST_AFTER_THREAT if self.threatened else state.trust
        self.calm_scale = sens.calm * self.trust
        self.counts = dict(state.phrase_counts)
        self.met = set(state.needs_met)
        self.newly_met = False
        self.mentioned: set[str] = set()
        self.silent_turns = state.silent_turns + 1 if not self.text else 0
        # "Provoked": the reply itself pushed up (its words, a trigger or its delivery), which
        # halves its calming. An unmet need's penalty or silence does not count.
        self.provoked = any(persona.weights.get(t, DEFAULT_WEIGHTS[t]) > 0 for t in self.first)
        self.up: list[Reason] = []
        self.down: list[Reason] = []
        self.cues: list[Cue] = []

    def add(self, delta: float, text: str) -> None:
        if delta > 0:
            self.up.append(Reason(delta, text))
        elif delta < 0:
            self.down.append(Reason(delta, text))

    def silence(self) -> None:
        """CPI "allow silence": one quiet turn lets an upset person vent; more reads as ignoring."""
        if self.silent_turns == 1 and self.state.stage in ("defensive", "agitated"):
            self.add(
                -2.0, f"you let {self.persona.object_pronoun} vent without interrupting (CPI: allow silence)"
            )
        elif self.silent_turns >= 2:
            self.add(4.0 * self.up_scale, "another silent turn can feel like being ignored")
        if self.silent_turns:
            self.cues.append(Cue("silent"))

    def wording(self) -> None:
        """One reason per tag found; calming stock phrases wear out, threats cost trust."""
        persona = self.persona
        for tag, technique in self.first.items():
            weight = persona.weights.get(tag, DEFAULT_WEIGHTS[tag])
            evidence = " ".join(technique.evidence.text.split()).strip(" .,!?;:")
            if weight > 0:
                self.add(weight * self.up_scale, escalating_text(tag, evidence, persona))
            elif weight < 0:
                key = evidence.lower()
                seen = self.counts.get(key, 0) if tag in DECAYING else 0
                said = calming_text(tag, evidence, persona)
                if seen:
                    said += " (said before, so it counts for less)"
                if self.trust < 1.0:
                    said += " (less effect since the threat)"
                self.add(weight * self.calm_scale / (1 + seen), said)
                if tag in DECAYING:
                    self.counts[key] = seen + 1
        for kind, kind_tags in _REACTION_ORDER:
            hit = next((self.first[t] for t in kind_tags if t in self.first), None)
            if hit is not None:
                self.cues.append(Cue(kind, " ".join(hit.evidence.text.split()).strip(" .,!?;:")))

    def triggers(self) -> None:
        """Each of the persona's triggers counts once a turn, on its first phrase found."""
        for trigger in self.persona.triggers:
            for phrase in trigger.phrases:
                found = find_phrase(phrase, self.text)
                if found:
                    self.add(
                        trigger.weight * self.up_scale,
                        f"'{found}' is a trigger for {self.persona.name}: {trigger.about}",
                    )
                    self.cues.append(Cue("triggered", found))
                    self.provoked = True
                    break

    def needs(self) -> None:
        """A need met brings relief once; a required need ignored past its patience costs."""
        persona = self.persona
        tags = set(self.first)
        self.mentioned = {
            need.id for need in persona.needs if any(phrase_in(p, self.text) for p in need.phrases)
        }
        for need in persona.needs:
            if need.id in self.met:
                continue
            # The concrete words may come in this reply or the one before it: offering the ride
            # line, then "let's make that call together", is one offer.
            said = need.id in self.mentioned or need.id in self.state.just_mentioned
            if (not need.tags or tags & set(need.tags)) and (not need.phrases or said):
                self.met.add(need.id)
                self.newly_met = True
                self.add(
                    -need.relief * self.calm_scale,
                    f"{persona.name} heard what {persona.pronoun} needed: {need.label}",
                )
                self.cues.append(Cue("need_met"))
            elif need.required and self.state.turn + 1 > need.patience:
                self.add(need.penalty * self.up_scale, f"{persona.name} still hasn't heard {need.label}")

    def length(self) -> None:
        """BETA "be concise and repeat": short calming replies land, long ones don't when upset."""
        words = len(self.text.split())
        if self.text and words <= SHORT_WORDS and self.down and not self.provoked:
            self.add(-1.0 * self.calm_scale, "short and simple, easy to take in (BETA: be concise)")
        elif words > LONG_WORDS and self.state.stage in ("defensive", "agitated", "crisis"):
            self.add(
                2.0 * self.up_scale,
                f"a long reply is hard to take in when {self.persona.they('is', 'are')} this upset",
            )

    def tone(self, tone: ToneReport) -> None:
        """Delivery against the trainee's own baseline (or population norms when there is none)."""
        if _tone_reasons(tone, self, self.up_scale, self.calm_scale):
            self.provoked = True

    def reasons(self) -> list[Reason]:
        """The slow-calming rules applied; pushes first, then pulls, biggest first."""
        total = -sum(r.delta for r in self.down)
        factor = 0.5 if self.provoked else 1.0  # the same reply also pushed up: care is half heard
        if total * factor > self.persona.max_calm_per_turn:
            factor = self.persona.max_calm_per_turn / total  # people calm down slowly
        down = [Reason(r.delta * factor, r.text) for r in self.down] if factor != 1.0 else self.down
        return [*sorted(self.up, key=lambda r: -r.delta), *sorted(down, key=lambda r: r.delta)]


def next_state(
    persona: Persona,
    state: PersonaState,
    wording: WordingReport,
    tone: ToneReport | None,
    *,
    max_turns: int | None = None,
) -> StateUpdate:
    """Move the persona one turn in response to a trainee reply. Pure and deterministic.

    ``tone`` is None for typed replies. When ``max_turns`` is given and this turn reaches it
    without another outcome, the outcome is ``unresolved``.
    """
    turn = _Turn(persona, state, wording)
    turn.silence()
    turn.wording()
    turn.triggers()
    turn.needs()
    if tone is not None:
        turn.tone(tone)
    turn.length()
    reasons = turn.reasons()

    before = state.agitation
    after = before + sum(r.delta for r in reasons)
    unmet = next((n for n in persona.needs if n.required and n.id not in turn.met), None)
    if unmet is not None:
        # Ignoring the stated need keeps agitation up: no settling below the resolve level (or
        # the anxious stage) until it is met, though never pushed above where it already was.
        floor = min(
            max(persona.resolve_below, persona.thresholds.anxious), max(before, persona.resolve_below)
        )
        if after < floor:
            reasons.append(
                Reason(
                    floor - after,
                    f"{persona.name} won't settle until {persona.they('hears', 'hear')} {unmet.label}",
                )
            )
            after = floor
    after = min(100.0, max(0.0, after))
    stage = persona.thresholds.stage(after)
    calm_turns = state.calm_turns + 1 if after < persona.resolve_below else 0

    outcome: Outcome | None = None
    if stage == "crisis":
        outcome = "escalated"  # BARS 7: the scenario ends with a safety step
    elif after < persona.resolve_below and (calm_turns >= 2 or turn.newly_met):
        outcome = "resolved"  # settled for two turns, or settled by hearing what they needed
    elif max_turns is not None and state.turn + 1 >= max_turns:
        outcome = "unresolved"

    new_state = replace(
        state,
        agitation=after,
        stage=stage,
        turn=state.turn + 1,
        trust=turn.trust,
        calm_turns=calm_turns,
        needs_met=frozenset(turn.met),
        threatened=turn.threatened,
        phrase_counts=tuple(sorted(turn.counts.items())),
        silent_turns=turn.silent_turns,
        just_mentioned=frozenset(turn.mentioned),
    )
    return StateUpdate(
        before=state,
        after=new_state,
        reasons=tuple(reasons),
        outcome=outcome,
        cues=tuple(sorted(turn.cues, key=lambda c: _CUE_RANK[c.kind])),
        safety_step=persona.safety_step if outcome == "escalated" else None,
    )


def final_outcome(update: StateUpdate | None) -> Outcome:
    """The session's outcome once replies run out: the last update's, else ``unresolved``."""
    if update is not None and update.outcome is not None:
        return update.outcome
    return "unresolved"


#: Most provoking first: an upset person hears the attack before the care.
_CUE_RANK: dict[ReactionKind, int] = {kind: i for i, kind in enumerate(REACTION_KINDS)}


def _tone_reasons(tone: ToneReport, tally: _Turn, up_scale: float, calm_scale: float) -> bool:
    """Add the delivery's reasons; True when the delivery pushed agitation up."""
    than = "your baseline" if tone.baseline == "trainee" else "a typical calm voice"
    level, rate, pitch = tone.level_db_vs_baseline, tone.rate_pct_vs_baseline, tone.pitch_st_vs_baseline
    pushed = False
    if level is not None and level > LEVEL_FREE_DB:
        points = min(LEVEL_MAX, (level - LEVEL_FREE_DB) * LEVEL_POINTS_PER_DB + 0.5)
        tally.add(points * up_scale, f"you were {level:.0f} dB louder than {than}")
        pushed = True
    if rate is not None and rate > RATE_FREE_PCT:
        points = min(RATE_MAX, (rate - RATE_FREE_PCT) * RATE_POINTS_PER_PCT)
        tally.add(points * up_scale, f"you spoke {rate:.0f}% faster than {than}")
        pushed = True
    if pitch is not None and pitch > PITCH_FREE_ST:
        points = min(PITCH_MAX, (pitch - PITCH_FREE_ST) * PITCH_POINTS_PER_ST)
        tally.add(points * up_scale, f"your pitch was {pitch:.1f} semitones above {than}")
        pushed = True
    if level is None and rate is None and pitch is None and tone.calm_score < TENSE_SCORE:
        tally.add(
            (TENSE_SCORE - tone.calm_score) / 5 * up_scale,
            f"your delivery sounded tense (calm {tone.calm_score}/100)",
        )
        pushed = True
    if not pushed and tone.calm_score >= CALM_VOICE_SCORE:
        tally.add(
            -CALM_VOICE_CREDIT * calm_scale, "your voice stayed calm and steady (CPI: calm, consistent tone)"
        )
    return pushed
