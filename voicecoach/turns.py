"""Deciding when the trainee has finished speaking.

Two separate concerns (GUIDE.md point 5): a *detector* (``voicecoach.vad``) says how likely each
frame is speech; this pure *state machine* turns those probabilities into turns. Time is a
sample index passed in, never a clock read here, so the logic is tested by feeding numbers.

    quiet --speech--> starting --enough speech--> speaking --silence--> stopping
      ^                  |  silence                  ^  speech            |  silence long enough
      +------------------+                           +--------------------+--> TurnEnded

Silence alone is a poor judge: people pause 0.8-1.5 s mid-sentence while thinking, yet expect
an answer within a few hundred ms when they have finished. So once a pause reaches
``speculate_after_s`` the machine emits ``PauseStarted``; the caller transcribes what was said so
far and reports whether it reads as a finished thought (:func:`thought_hint`). A finished
thought ends the turn after ``complete_silence_s``; one that trails off ("…and", "because",
"I think") waits ``incomplete_silence_s``; without a hint, ``end_silence_s`` applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from voicecoach.config import TurnOptions

Phase = Literal["quiet", "starting", "speaking", "stopping"]
Hint = Literal["unknown", "complete", "incomplete"]
EndReason = Literal["silence", "finished_thought", "max_length"]


@dataclass(frozen=True)
class EndpointState:
    """Where the end-of-turn state machine stands, in samples since listening began."""

    phase: Phase = "quiet"
    turn_start: int = 0
    speech_samples: int = 0
    silence_start: int = 0
    hint: Hint = "unknown"
    speculated: bool = False


@dataclass(frozen=True)
class PauseStarted:
    """The trainee has been silent ``speculate_after_s``: a good moment to transcribe so far."""

    turn_start: int
    silence_start: int


@dataclass(frozen=True)
class TurnEnded:
    """A finished turn: audio from ``start`` to ``end`` (samples) holds the reply."""

    start: int
    end: int
    speech_samples: int
    reason: EndReason


Event = PauseStarted | TurnEnded


def step(
    state: EndpointState,
    probability: float,
    frame_start: int,
    frame_samples: int,
    *,
    sample_rate: int,
    options: TurnOptions,
) -> tuple[EndpointState, Event | None]:
    """Advance the state machine by one frame whose speech probability is ``probability``."""
    frame_end = frame_start + frame_samples
    is_speech = probability >= options.speech_threshold
    seconds = 1.0 / sample_rate

    if state.phase == "quiet":
        if not is_speech:
            return state, None
        state = EndpointState("starting", frame_start, 0)
        if frame_samples * seconds < options.max_turn_s:
            return replace(state, speech_samples=frame_samples), None

    # The length cap is checked on every frame of a turn, the first and the starting ones too, so
    # no turn outruns max_turn_s by more than one frame whatever the frame size and start_speech_s
    # (with the defaults a turn is long past "starting" when it nears the cap).
    if (frame_end - state.turn_start) * seconds >= options.max_turn_s:
        speech = state.speech_samples + (frame_samples if is_speech else 0)
        ended = _ended(
            state.turn_start, frame_end, speech, "max_length", options=options, sample_rate=sample_rate
        )
        return EndpointState(), ended

    if state.phase == "starting":
        if not is_speech:
            # A click or a cough too short to be a reply: back to listening.
            return EndpointState(), None
        speech = state.speech_samples + frame_samples
        phase: Phase = "speaking" if speech * seconds >= options.start_speech_s else "starting"
        return replace(state, phase=phase, speech_samples=speech), None

    if is_speech:
        # Speech again: whatever was guessed about the pause no longer holds.
        speaking = replace(state, phase="speaking", hint="unknown", speculated=False)
        return replace(speaking, speech_samples=state.speech_samples + frame_samples), None

    if state.phase == "speaking":
        state = replace(state, phase="stopping", silence_start=frame_start)
    return check_end(state, frame_end, sample_rate=sample_rate, options=options)


def check_end(
    state: EndpointState, position: int, *, sample_rate: int, options: TurnOptions
) -> tuple[EndpointState, Event | None]:
    """In a pause at sample ``position``: end the turn, ask for a hint, or keep waiting."""
    if state.phase != "stopping":
        return state, None
    silence_s = (position - state.silence_start) / sample_rate
    if silence_s >= required_silence(state.hint, options):
        reason: EndReason = "finished_thought" if state.hint == "complete" else "silence"
        ended = _ended(
            state.turn_start,
            state.silence_start,
            state.speech_samples,
            reason,
            options=options,
            sample_rate=sample_rate,
        )
        return EndpointState(), ended
    if not state.speculated and silence_s >= options.speculate_after_s:
        return replace(state, speculated=True), PauseStarted(state.turn_start, state.silence_start)
    return state, None


def with_hint(state: EndpointState, silence_start: int, hint: Hint) -> EndpointState:
    """Apply a hint about the pause that began at ``silence_start`` (stale hints are ignored)."""
    if state.phase == "stopping" and state.silence_start == silence_start:
        return replace(state, hint=hint)
    return state


def required_silence(hint: Hint, options: TurnOptions) -> float:
    """Seconds of silence that end a turn, given what the words so far suggest."""
    if hint == "complete":
        return min(options.complete_silence_s, options.end_silence_s)
    if hint == "incomplete":
        return max(options.incomplete_silence_s, options.end_silence_s)
    return options.end_silence_s


def _ended(
    start: int, end: int, speech: int, reason: EndReason, *, options: TurnOptions, sample_rate: int
) -> TurnEnded | None:
    # A "turn" with too little voiced audio is noise that crossed the threshold, not a reply.
    if speech < options.min_turn_speech_s * sample_rate:
        return None
    return TurnEnded(start, end, speech, reason)


#: Words that leave a thought hanging when they come last: conjunctions, articles,
#: prepositions, fillers, subject pronouns and possessives. Objects ("you", "it"), auxiliaries
#: ("…than he was", "…I think so, I do") and most verbs can end a sentence, so they are not here.
_HANGING_WORDS = frozenset(
    """and but or so because cause cos since although though unless if when whenever while
    then than that which whose where the a an to of for with from about into onto at by
    like um uh er erm ah hmm mm my your our their i we they he she i'm we're they're
    it's there's just also really very maybe as""".split()
)
#: Two-word endings that trail off ("…and I think", "…kind of").
_HANGING_PAIRS = frozenset({("i", "think"), ("i", "mean"), ("kind", "of"), ("sort", "of"), ("you", "know")})
#: A final "is"/"was" hangs ("the thing is…") unless a pronoun carries it ("…than he was").
_COPULAS = frozenset({"is", "are", "was", "were"})
_PRONOUNS = frozenset("i you he she it we they that this there who what which".split())
#: Words that open a subordinate clause: a sentence that starts with one and has no comma is
#: still waiting for its main clause ("If the shelter is full tonight." -> "…we can call the
#: church"), however tiny.en punctuates it. Questions ("When did it close?") are left alone, and
#: so is "because", which opens whole answers in speech ("Because the sheet says otherwise.").
_SUBORDINATORS = frozenset(
    """if when whenever before after since although though unless while once until
    whatever whoever wherever""".split()
)
_SUBORDINATOR_PAIRS = frozenset({("now", "that"), ("even", "if"), ("even", "though"), ("as", "soon")})
#: A subject after the clause's own opening words starts the main clause even without a comma
#: ("If you keep calling I'll have the number blocked").
_SUBJECTS = frozenset(
    """i i'm i'll i've i'd you you'll you're you'd we we'll we're we'd he he'll she she'll they
    they'll they're it it's it'll there's that's im youre theyre""".split()
)
_WORD = re.compile(r"[a-z0-9']+")
_SENTENCE_END = re.compile(r"[.?!\u2026]+")


def thought_hint(text: str) -> Hint:
    """Whether a transcript so far reads as a finished thought.

    Whisper punctuates what it hears: a final ``.``, ``?`` or ``!`` after a word that can end a
    sentence reads as complete; a hanging word, a comma, an ellipsis, or a last sentence that is
    only a subordinate clause ("When you got here and the window was closed.") as incomplete.
    """
    stripped = text.strip()
    words = _WORD.findall(stripped.lower())
    if not words:
        return "unknown"
    if words[-1] in _HANGING_WORDS or tuple(words[-2:]) in _HANGING_PAIRS:
        return "incomplete"
    if words[-1] in _COPULAS and (len(words) < 2 or words[-2] not in _PRONOUNS):
        return "incomplete"  # "what I'm hearing is…", but "…than he was." is complete
    if stripped.endswith(("...", "\u2026", ",", "-", "\u2014", ";", ":")):
        return "incomplete"
    if _only_a_subordinate_clause(stripped):
        return "incomplete"
    if stripped.endswith((".", "?", "!")):
        return "complete"
    return "unknown"


def _only_a_subordinate_clause(text: str) -> bool:
    """Whether the last sentence of ``text`` opens a subordinate clause and never reaches its main
    clause (no comma, no second subject): "Before we call anyone." but not "If you want, we can"
    or "If you keep calling I'll block the number"."""
    if text.endswith("?"):
        return False
    sentences = [part for part in _SENTENCE_END.split(text) if _WORD.search(part.lower())]
    if not sentences:
        return False
    last = sentences[-1]
    words = _WORD.findall(last.lower())
    opening = 1 if words[0] in _SUBORDINATORS else 2 if tuple(words[:2]) in _SUBORDINATOR_PAIRS else 0
    # The clause's own subject follows its opening; a subject after that starts the main clause.
    main_clause = "," in last or any(word in _SUBJECTS for word in words[opening + 1 :])
    return opening > 0 and not main_clause
