"""What the persona says back, and how it sounds.

A reply answers what the persona *heard* (the :class:`~voicecoach.types.Cue` s of the turn, most
provoking first: an upset person hears "calm down" before "I hear you"), falling back to a line for
the current stage. Rules that keep the persona sounding like a person rather than a script:

* no line twice in a session while another fitting line is left (``PersonaState.lines_used``);
* a warm reaction ("validated", "asked"...) is only used when agitation actually fell this turn and
  the persona is below the agitated stage; otherwise they are still too upset to show it, and the
  stage line speaks instead;
* ``{echo}`` in a line is replaced by the trainee's own words ("calm down"), so a line such as
  ``"{echo}"? You don't get to tell me that.`` throws them back. Substitution is a plain text
  replace, never ``str.format``, so an authored line cannot reach into Python objects.

Randomness comes only from the ``random.Random`` passed in: the same seed gives the same session.
"""

from __future__ import annotations

import random
from dataclasses import replace

from voicecoach.persona.schema import Persona
from voicecoach.types import (
    STAGES,
    Cue,
    PersonaState,
    ReactionKind,
    Stage,
    StateUpdate,
    VoiceSettings,
    WordingReport,
)

#: Reactions that show the persona warming; withheld while agitation is still rising or high.
WARM_REACTIONS: frozenset[ReactionKind] = frozenset(
    {"need_met", "apologized", "validated", "offered", "agreed"}
)

#: Voice per stage, as multipliers of the synthesiser's defaults. Anger and arousal raise speech
#: rate, loudness and F0 (Banse & Scherer 1996; Juslin & Laukka 2003, DOMAIN.md). Steps are kept
#: above what a listener notices: ~10% for tempo (Quené), ~2–3 semitones for pitch (a factor of
#: 1.12–1.19), so each stage sounds different from the last.
STAGE_VOICE: dict[Stage, tuple[float, float, float]] = {
    #           rate  volume pitch
    "calm": (0.92, 0.75, 0.95),
    "anxious": (1.0, 0.82, 1.0),
    "defensive": (1.08, 0.88, 1.06),
    "agitated": (1.18, 0.95, 1.14),
    "crisis": (1.28, 1.0, 1.22),
}

ECHO = "{echo}"


def opening_line(persona: Persona, rng: random.Random) -> str:
    """The persona's first words, before the trainee says anything."""
    return rng.choice(persona.replies.opening)


def choose_reply(
    persona: Persona, update: StateUpdate, wording: WordingReport, rng: random.Random
) -> tuple[str, PersonaState]:
    """The persona's answer to this turn, and ``update.after`` with the line marked as used.

    ``wording`` is accepted so a reply can draw on the trainee's text; the cues in ``update``
    already carry the words worth echoing.
    """
    del wording  # the cues carry the evidence; kept in the signature for richer choosers
    state = update.after
    pools = _pools(persona, update)
    used = set(state.lines_used)
    for lines, echo in pools:
        fresh = [line for line in lines if line not in used and _fits(line, echo)]
        if fresh:
            return _say(rng.choice(fresh), echo, state)
    # Everything fitting has been said: repeat the best pool rather than fall silent.
    for lines, echo in pools:
        fitting = [line for line in lines if _fits(line, echo)]
        if fitting:
            return _say(rng.choice(fitting), echo, state)
    # Unreachable for a validated persona (stage lists are non-empty and checked for placeholders),
    # but a plain stage line is always a safe answer.
    return _say(persona.replies.stages[state.stage][0].replace(ECHO, "that"), "", state)


def _pools(persona: Persona, update: StateUpdate) -> list[tuple[tuple[str, ...], str]]:
    """Candidate line lists, best first, each with the words ``{echo}`` stands for."""
    replies = persona.replies
    state = update.after
    if update.outcome == "escalated":
        return [(replies.escalated, _first_echo(update.cues))]
    if update.outcome == "resolved":
        return [(replies.resolved, "")]
    pools: list[tuple[tuple[str, ...], str]] = []
    fell = update.after.agitation < update.before.agitation
    settled_enough = state.stage in ("calm", "anxious", "defensive")
    for cue in update.cues:
        if cue.kind in WARM_REACTIONS and not (fell and settled_enough):
            continue
        if cue.kind == "need_met":
            # The need's own lines first: "You'd really ask the nurse?" beats a generic thanks.
            newly = update.after.needs_met - update.before.needs_met
            pools.extend((n.replies, "") for n in persona.needs if n.id in newly and n.replies)
        lines = replies.reactions.get(cue.kind)
        if lines:
            pools.append((lines, cue.echo))
    echo = _first_echo(update.cues)
    pools.append((replies.stages[state.stage], echo))
    # Before repeating itself the persona borrows from the neighbouring stage, the one it is
    # moving toward first; crisis lines stay reserved for crisis.
    i = STAGES.index(state.stage)
    near = [STAGES[j] for j in ((i - 1, i + 1) if fell else (i + 1, i - 1)) if 0 <= j < len(STAGES)]
    pools.extend((replies.stages[s], echo) for s in near if s != "crisis")
    return pools


def _first_echo(cues: tuple[Cue, ...]) -> str:
    return next((c.echo for c in cues if c.echo), "")


def _fits(line: str, echo: str) -> bool:
    return ECHO not in line or bool(echo)


def _say(line: str, echo: str, state: PersonaState) -> tuple[str, PersonaState]:
    text = line.replace(ECHO, echo.lower()) if echo else line
    return text, replace(state, lines_used=(*state.lines_used, line))


def voice_for(persona: Persona, stage: Stage) -> VoiceSettings:
    """How the persona's voice should sound at ``stage``; louder, faster and higher as agitation rises."""
    rate, volume, pitch = STAGE_VOICE[stage]
    return VoiceSettings(
        rate=round(rate * persona.voice_rate, 3),
        volume=volume,
        pitch=round(pitch * persona.voice_pitch, 3),
        gender=persona.gender,
    )
