"""Hearing one reply at a time, with as little work as possible left for after the trainee stops.

The loop reads 32 ms frames, asks the speech detector for a probability, and feeds the pure
end-of-turn state machine (``voicecoach.turns``). When a pause reaches 200 ms, the reply so far
is transcribed speculatively on a worker thread with a window fitted to its length
(``voicecoach.asr_window``); if the words read as a finished thought the turn ends after a short
silence, and the transcript is already there. If the trainee goes on speaking, the guess is
dropped. While the persona is speaking, clear sustained speech stops it (barge-in). Speech that
interrupts the persona within ``continue_within_s`` of the last reply's end continues that reply
(the persona answered too soon): the reply returned is the two heard as one, marked
``continues``. Without a player (no playback) timing alone decides.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from voicecoach.config import TurnOptions
from voicecoach.live.capture import Frame, MicStream
from voicecoach.live.keys import KeyReader
from voicecoach.live.player import Player
from voicecoach.ports import SpeechDetector, Transcriber
from voicecoach.turns import EndpointState, PauseStarted, TurnEnded, check_end, step, thought_hint, with_hint
from voicecoach.types import ANALYSIS_RATE, AudioClip, Reply, ToneReport, Transcript

log = logging.getLogger(__name__)

#: Audio kept after the last voiced frame, so a soft final consonant is not cut.
TAIL_S = 0.1
#: Audio kept while nobody speaks (for the pre-roll of the next turn), in frames.
IDLE_FRAMES = 32


@dataclass(frozen=True)
class _Heard:
    frame: Frame
    probability: float


@dataclass(frozen=True)
class _Returned:
    """The last reply handed out: where it ended in the stream, and its audio."""

    end: int
    clip: AudioClip


@dataclass(frozen=True)
class _Guess:
    transcript: Transcript
    tone: ToneReport | None
    done_at: float


class EndSession(Exception):  # noqa: N818 - a signal, not an error
    """The trainee asked to end the session (the ``q`` key)."""


class Listener:
    """Turns a microphone stream into replies, one ``listen()`` call per reply."""

    def __init__(
        self,
        mic: MicStream,
        transcriber: Transcriber,
        detector: SpeechDetector,
        options: TurnOptions = TurnOptions(),
        *,
        player: Player | None = None,
        keys: KeyReader | None = None,
        on_level: Callable[[float, str], None] | None = None,
        tone_of: Callable[[AudioClip, Transcript], ToneReport] | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.mic = mic
        self.transcriber = transcriber
        self.detector = detector
        self.options = options
        self.player = player
        self.keys = keys
        self.on_level = on_level or (lambda _db, _status: None)
        # Tone analysis runs with the speculative transcription, so it is ready at the end too.
        self.tone_of = tone_of
        # One worker: speculative jobs run in order, and the model is never used concurrently.
        self._worker = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="voicecoach-asr")
        self._count = 0
        self._returned: _Returned | None = None
        self.paused = False

    def close(self) -> None:
        """Stop the transcription worker."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    def listen(self) -> Reply:
        """Block until the trainee has said one whole reply; return it, transcribed.

        Raises EndSession when the trainee presses ``q``.
        """
        reply = self.listen_until(None)
        assert reply is not None  # without a deadline, listening only ends with a reply
        return reply

    def listen_until(self, deadline: float | None) -> Reply | None:
        """Like ``listen``, but give up (None) if no reply has begun by ``deadline`` (monotonic)."""
        frames: list[_Heard] = []
        state = EndpointState()
        guesses: dict[int, Future[_Guess]] = {}
        barge_in = False
        interrupt_speech = 0
        while True:
            self._handle_keys()
            frame = self.mic.read()
            if deadline is not None and state.phase == "quiet" and frame.arrived > deadline:
                return None
            if self.paused:
                self.on_level(_level_db(frame), "paused")
                frames.clear()
                state = EndpointState()
                continue
            probability = self.detector.speech_probability_of(frame.samples)
            frames.append(_Heard(frame, probability))
            self.on_level(
                _level_db(frame), "listening" if state.phase in ("quiet", "starting") else "hearing you"
            )

            if self.player is not None and self.player.playing:
                # Barge-in: only clear, sustained speech stops the persona.
                strong = probability >= self.options.barge_in_threshold
                interrupt_speech = interrupt_speech + len(frame.samples) if strong else 0
                if interrupt_speech < self.options.barge_in_speech_s * ANALYSIS_RATE:
                    frames = frames[-IDLE_FRAMES:]
                    continue
                self.player.stop()
                barge_in = True
                state = self._replay(frames[-(interrupt_speech // len(frame.samples)) - 1 : -1])

            state, event = step(
                state,
                probability,
                frame.position,
                len(frame.samples),
                sample_rate=ANALYSIS_RATE,
                options=self.options,
            )
            if state.phase == "quiet" and event is None and len(frames) > IDLE_FRAMES:
                frames = frames[-IDLE_FRAMES:]
            if isinstance(event, PauseStarted):
                continues = self._continues(event.turn_start, barge_in)
                clip = self._reply_clip(frames, event.turn_start, event.silence_start, continues)
                guesses = {event.silence_start: self._worker.submit(self._guess, clip)}
            state, event = self._apply_guess(state, event, guesses, frame)
            if state.phase == "speaking":
                for guess in guesses.values():
                    guess.cancel()  # the trainee went on: the guess no longer covers the reply
                guesses = {}
            if isinstance(event, TurnEnded):
                reply = self._finish(event, frames, guesses, barge_in)
                if reply is not None:
                    return reply
                frames, guesses, barge_in = frames[-IDLE_FRAMES:], {}, False

    def _apply_guess(
        self,
        state: EndpointState,
        event: PauseStarted | TurnEnded | None,
        guesses: dict[int, Future[_Guess]],
        frame: Frame,
    ) -> tuple[EndpointState, PauseStarted | TurnEnded | None]:
        """Use a finished speculative transcript to decide whether the pause ends the turn."""
        guess = guesses.get(state.silence_start)
        if state.phase != "stopping" or guess is None or not guess.done() or state.hint != "unknown":
            return state, event
        hint = thought_hint(guess.result().transcript.text)
        state = with_hint(state, state.silence_start, hint)
        position = frame.position + len(frame.samples)
        ended_state, ended = check_end(state, position, sample_rate=ANALYSIS_RATE, options=self.options)
        if isinstance(ended, TurnEnded):
            return ended_state, ended
        return state, event

    def _finish(
        self, ended: TurnEnded, frames: list[_Heard], guesses: dict[int, Future[_Guess]], barge_in: bool
    ) -> Reply | None:
        end_detected = time.monotonic()
        last_voice = _arrival_of(frames, ended.end)
        guess = guesses.get(ended.end)
        continues = self._continues(ended.start, barge_in)
        clip = self._reply_clip(frames, ended.start, ended.end, continues)
        result = guess.result() if guess is not None and not guess.cancelled() else self._guess(clip)
        if not result.transcript.text.strip():
            log.debug("a turn with no words (noise?) was dropped")
            return None
        if not continues:
            self._count += 1
        self._returned = _Returned(ended.end, clip)
        return Reply(
            f"microphone reply {self._count}",
            clip=clip,
            transcript=result.transcript,
            tone=result.tone,
            times={"last_voice": last_voice, "end_detected": end_detected, "transcribed": result.done_at},
            barge_in=barge_in and not continues,
            continues=continues,
        )

    def _continues(self, start: int, interrupted: bool) -> bool:
        """Whether a turn starting at sample ``start`` goes on with the last reply returned.

        Only speech that cut the persona off counts (or, with no playback, any speech that soon):
        an answer to a short persona line can also come within a second.
        """
        last = self._returned
        soon = last is not None and start - last.end <= self.options.continue_within_s * ANALYSIS_RATE
        return soon and (interrupted or self.player is None)

    def _reply_clip(self, frames: list[_Heard], start: int, end: int, continues: bool) -> AudioClip:
        """The turn's audio; for a continuation, the last reply's audio with it."""
        clip = self._clip(frames, start, end)
        if self._returned is None or not continues:
            return clip
        joined = np.concatenate([self._returned.clip.samples, clip.samples])
        return AudioClip(joined, ANALYSIS_RATE)

    def _guess(self, clip: AudioClip) -> _Guess:
        transcript = self.transcriber.transcribe(clip)
        tone = self.tone_of(clip, transcript) if self.tone_of and transcript.text.strip() else None
        return _Guess(transcript, tone, time.monotonic())

    def _clip(self, frames: list[_Heard], start: int, end: int) -> AudioClip:
        first = frames[0].frame.position
        audio = np.concatenate([h.frame.samples for h in frames])
        lo = max(0, start - int(self.options.pre_roll_s * ANALYSIS_RATE) - first)
        hi = min(audio.size, end + int(TAIL_S * ANALYSIS_RATE) - first)
        return AudioClip(audio[lo:hi].copy(), ANALYSIS_RATE)

    def _replay(self, frames: list[_Heard]) -> EndpointState:
        """Run the frames that interrupted the persona through a fresh state machine."""
        state = EndpointState()
        for heard in frames:
            state, _ = step(
                state,
                heard.probability,
                heard.frame.position,
                len(heard.frame.samples),
                sample_rate=ANALYSIS_RATE,
                options=self.options,
            )
        return state

    def _handle_keys(self) -> None:
        if self.keys is None:
            return
        for key in self.keys.pressed():
            if key == "q":
                raise EndSession
            if key == "p":
                self.paused = not self.paused
                self._returned = None  # speech after a pause is a new reply
                self.mic.drain()
            if key == "r" and self.player is not None and self.player.last_clip is not None:
                self.player.start(self.player.last_clip)


def _arrival_of(frames: list[_Heard], position: int) -> float:
    """When the frame holding sample ``position - 1`` arrived (the last voiced sample)."""
    for heard in reversed(frames):
        if heard.frame.position < position:
            return heard.frame.arrived
    return frames[0].frame.arrived if frames else time.monotonic()


def _level_db(frame: Frame) -> float:
    rms = float(np.sqrt(np.mean(np.square(frame.samples, dtype=np.float64))))
    return 20.0 * float(np.log10(max(rms, 1e-6)))
