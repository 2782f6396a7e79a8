"""The practice loop: a thin, synchronous driver over the pure stages.

``process_turn`` takes one reply through transcription, tone, wording, the persona's move, the
persona's answer and the calm-presence score. ``run_session`` alternates the persona and the
trainee until the scenario resolves, escalates or runs out of turns, storing each completed turn
(``SessionStore``) before the persona answers aloud, so nothing is lost if the program stops.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from voicecoach.analysis.tone import analyze_tone
from voicecoach.analysis.wording import analyze_wording
from voicecoach.audio.clip import resample
from voicecoach.config import SessionOptions
from voicecoach.errors import AudioFileError
from voicecoach.feedback.score import DEFAULT_RUBRIC, Rubric, score_session, score_turn
from voicecoach.persona.reply import choose_reply, opening_line, voice_for
from voicecoach.persona.schema import Persona
from voicecoach.persona.state import initial_state, next_state
from voicecoach.ports import AudioSink, Synthesizer, Transcriber
from voicecoach.types import (
    ANALYSIS_RATE,
    AudioClip,
    Baseline,
    Outcome,
    PersonaState,
    Reply,
    SessionReport,
    Transcript,
    TurnResult,
)


@dataclass(frozen=True)
class Engines:
    """The adapters a session talks through (real ones from the CLI, fakes in tests)."""

    transcriber: Transcriber
    synthesizer: Synthesizer
    sink: AudioSink


class SessionObserver(Protocol):
    """What a front end hears of a session as it happens (progress, screens)."""

    def persona_said(self, line: str, stage: str) -> None:
        """The persona is about to speak ``line``."""

    def turn_done(self, turn: TurnResult) -> None:
        """A reply has been processed and stored."""


class TurnStore(Protocol):
    """Where completed turns go as soon as they exist (``voicecoach.store.SessionStore``)."""

    def save_opening(self, line: str, clip: AudioClip, report: SessionReport) -> str:
        """Keep the persona's opening audio and the empty session; return the audio's file name."""
        ...

    def save_turn(
        self, turn: TurnResult, reply: Reply, persona_clip: AudioClip, report: SessionReport
    ) -> TurnResult:
        """Keep a completed turn and the session so far; return the turn with its file names."""
        ...


@dataclass
class _Quiet:
    def persona_said(self, line: str, stage: str) -> None:
        pass

    def turn_done(self, turn: TurnResult) -> None:
        pass


@dataclass
class SessionContext:
    """Everything fixed for one session."""

    persona: Persona
    engines: Engines
    options: SessionOptions = field(default_factory=SessionOptions)
    baseline: Baseline | None = None
    rubric: Rubric = DEFAULT_RUBRIC


def speak(ctx: SessionContext, line: str, state: PersonaState) -> AudioClip:
    """Synthesise a persona line in the voice of its current stage."""
    voice = voice_for(ctx.persona, state.stage)
    return ctx.engines.synthesizer.synthesize(line, rate=voice.rate, volume=voice.volume, pitch=voice.pitch)


def process_turn(
    ctx: SessionContext,
    index: int,
    reply: Reply,
    state: PersonaState,
    *,
    persona_line: str,
    rng: random.Random,
) -> tuple[TurnResult, PersonaState]:
    """Take one reply through every stage; return the turn and the persona's new state."""
    if reply.clip is not None:
        clip = resample(reply.clip, ANALYSIS_RATE)
        transcript = reply.transcript or ctx.engines.transcriber.transcribe(clip)
        if not transcript.text.strip():
            raise AudioFileError(f"{reply.label}: no speech was heard in this recording")
        tone = reply.tone or analyze_tone(clip, transcript, ctx.baseline)
    else:
        transcript = Transcript(text=reply.text or "", model="typed")
        tone = None
    wording = analyze_wording(transcript.text, context=persona_line)
    update = next_state(ctx.persona, state, wording, tone, max_turns=ctx.options.max_turns)
    line, after = choose_reply(ctx.persona, update, wording, rng)
    score = score_turn(tone, wording, update, ctx.rubric)
    turn = TurnResult(
        index=index,
        transcript=transcript,
        tone=tone,
        wording=wording,
        update=update,
        persona_reply=line,
        score=score,
    )
    return turn, after


def live_latency(times: dict[str, float], replied: float, spoken: float) -> dict[str, float]:
    """Where the time went between the trainee's last voiced sample and the persona's audio.

    ``times`` are the live loop's clock readings (see ``Reply.times``); ``replied`` is when
    analysis and the persona's choice were done, ``spoken`` when synthesis was.
    """
    last = times["last_voice"]
    ended = times.get("end_detected", last)
    heard = times.get("transcribed", ended)
    return {
        "end_of_turn_wait_s": ended - last,
        "final_transcription_s": max(0.0, heard - ended),
        "analysis_persona_s": replied - max(ended, heard),
        "synthesis_s": spoken - replied,
        "to_synthesis_s": spoken - last,
    }


def build_report(
    ctx: SessionContext, opening: str, turns: Iterable[TurnResult], outcome: Outcome
) -> SessionReport:
    """The session so far as a report."""
    done = tuple(turns)
    calm, reasons = score_session(done)
    safety = done[-1].update.safety_step if done and outcome == "escalated" else None
    return SessionReport(
        persona=ctx.persona.id,
        outcome=outcome,
        calm_presence=calm,
        turns=done,
        opening_line=opening,
        calm_presence_reasons=reasons,
        baseline="trainee" if ctx.baseline else "population",
        safety_step=safety,
        settings=_settings(ctx),
    )


def _settings(ctx: SessionContext) -> dict[str, Any]:
    options = ctx.options
    return {
        "seed": options.seed,
        "difficulty": options.difficulty,
        "max_turns": options.max_turns,
        "rubric": ctx.rubric.name,
        "baseline_trainee": ctx.baseline.trainee if ctx.baseline else None,
    }


@dataclass(frozen=True)
class _Before:
    """Where the session stood before a turn, so a continued reply can be heard again from there."""

    state: PersonaState
    persona_line: str
    rng: Any  # random.Random.getstate()


def run_session(
    ctx: SessionContext,
    replies: Iterable[Reply],
    store: TurnStore,
    observer: SessionObserver | None = None,
) -> SessionReport:
    """Run a whole session; every completed turn is stored before the persona answers it.

    A reply marked ``continues`` (the live trainee went on right after the persona began to
    answer) replaces the last turn: the persona's state and choices rewind to before it.
    An exception from a reply (a corrupt file, a lost microphone) propagates after the turns
    before it have been stored.
    """
    watch = observer or _Quiet()
    rng = random.Random(ctx.options.seed)
    state = initial_state(ctx.persona, ctx.options.difficulty)
    opening = opening_line(ctx.persona, rng)
    watch.persona_said(opening, state.stage)
    opening_clip = speak(ctx, opening, state)
    store.save_opening(opening, opening_clip, build_report(ctx, opening, [], "unresolved"))
    ctx.engines.sink.play(opening_clip)

    turns: list[TurnResult] = []
    last_line = opening
    outcome: Outcome = "unresolved"
    before = _Before(state, last_line, rng.getstate())
    for reply in replies:
        if reply.continues and turns:
            # The trainee went on right after the last reply: hear both as that one turn, as if
            # the persona had waited (its answer to the first part is withdrawn).
            turns.pop()
            state, last_line = before.state, before.persona_line
            rng.setstate(before.rng)
        else:
            before = _Before(state, last_line, rng.getstate())
        index = len(turns) + 1
        turn, state = process_turn(ctx, index, reply, state, persona_line=last_line, rng=rng)
        replied = time.monotonic()
        final = turn.update.outcome
        persona_clip = speak(ctx, turn.persona_reply, state)
        if reply.times:
            latency = live_latency(reply.times, replied, time.monotonic())
            turn = dataclasses.replace(turn, latency=latency, barge_in=reply.barge_in)
        report = build_report(ctx, opening, [*turns, turn], final or "unresolved")
        turn = store.save_turn(turn, reply, persona_clip, report)
        turns.append(turn)
        watch.turn_done(turn)
        watch.persona_said(turn.persona_reply, state.stage)
        ctx.engines.sink.play(persona_clip)
        last_line = turn.persona_reply
        if final is not None:
            outcome = final
            break
    return build_report(ctx, opening, turns, outcome)
