"""The live listener's logic with fakes: a scripted microphone, detector and transcriber."""

from __future__ import annotations

from concurrent.futures import Executor, Future

import numpy as np
import pytest

from voicecoach.config import TurnOptions
from voicecoach.errors import AudioDeviceError
from voicecoach.live.capture import Frame
from voicecoach.live.listener import Listener
from voicecoach.types import AudioClip, Transcript

pytestmark = pytest.mark.unit

RATE = 16_000
FRAME = 512


class ScriptedMic:
    """Frames from a list of (is_speech, seconds) spans; then the 'device' is lost."""

    def __init__(self, spans: list[tuple[bool, float]]) -> None:
        samples = []
        for speech, seconds in spans:
            n = round(seconds * RATE / FRAME) * FRAME
            t = np.arange(n) / RATE
            samples.append(
                (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32) if speech else np.zeros(n, np.float32)
            )
        self.audio = np.concatenate(samples)
        self.position = 0

    def read(self) -> Frame:
        if self.position >= self.audio.size:
            raise AudioDeviceError("the microphone stopped sending audio (disconnected?)")
        frame = Frame(self.audio[self.position : self.position + FRAME], self.position, self.position / RATE)
        self.position += FRAME
        return frame

    def drain(self) -> None:
        pass


class LoudIsSpeech:
    frame_samples = FRAME

    def speech_probability_of(self, frame: np.ndarray) -> float:
        return 1.0 if float(np.max(np.abs(frame))) > 0.1 else 0.0


class ByLength:
    """Transcribes a clip by its length: a finished thought when it is long, hanging when short."""

    def __init__(self, hanging_below_s: float = 0.0) -> None:
        self.calls: list[float] = []
        self.hanging_below_s = hanging_below_s

    def transcribe(self, clip: AudioClip) -> Transcript:
        self.calls.append(clip.duration_s)
        if clip.duration_s < self.hanging_below_s:
            return Transcript("You waited all day and")
        return Transcript("What happened last night?")


class Immediately(Executor):
    """Runs each job at once, so the test does not race the worker thread."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        future: Future[object] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def listener(spans: list[tuple[bool, float]], asr: ByLength, **options: float) -> Listener:
    mic = ScriptedMic(spans)
    return Listener(mic, asr, LoudIsSpeech(), TurnOptions(**options), executor=Immediately())  # type: ignore[arg-type]


def test_a_finished_thought_is_transcribed_once_ahead_of_the_end() -> None:
    asr = ByLength()
    live = listener([(False, 0.5), (True, 2.0), (False, 2.0)], asr)
    reply = live.listen()
    assert reply.transcript is not None and reply.transcript.text == "What happened last night?"
    assert len(asr.calls) == 1  # the speculative transcript was used, not redone
    assert reply.clip is not None and reply.clip.duration_s == pytest.approx(2.0 + 0.5 + 0.1, abs=0.05)
    # It ended after the short wait for a finished thought (0.5 s), not the full silence (0.7 s).
    waited = live.mic.position / RATE - 2.5  # type: ignore[attr-defined]
    assert waited == pytest.approx(TurnOptions().complete_silence_s, abs=0.05)


def test_a_hanging_thought_waits_through_a_thinking_pause() -> None:
    asr = ByLength(hanging_below_s=2.0)
    reply = listener([(True, 1.0), (False, 1.3), (True, 1.5), (False, 3.0)], asr).listen()
    assert reply.clip is not None and reply.clip.duration_s > 3.5  # both halves in one turn
    assert reply.transcript is not None and reply.transcript.text == "What happened last night?"


def test_noise_that_yields_no_words_is_not_a_turn() -> None:
    class Nothing(ByLength):
        def transcribe(self, clip: AudioClip) -> Transcript:
            self.calls.append(clip.duration_s)
            return Transcript("") if len(self.calls) == 1 else Transcript("Okay.")

    asr = Nothing()
    reply = listener([(True, 0.5), (False, 1.5), (True, 1.0), (False, 1.5)], asr).listen()
    assert reply.transcript is not None and reply.transcript.text == "Okay."


def test_a_lost_microphone_is_an_error() -> None:
    with pytest.raises(AudioDeviceError, match="stopped sending audio"):
        listener([(False, 1.0)], ByLength()).listen()


def test_speech_soon_after_a_reply_continues_it_and_later_speech_does_not() -> None:
    # A reader pauses 0.9 s after a full sentence: the turn has ended (finished thought, 0.5 s),
    # but the next words come within a second of that end, so they continue the same reply.
    asr = ByLength()
    live = listener([(True, 1.5), (False, 0.9), (True, 1.5), (False, 3.0), (True, 1.0), (False, 2.0)], asr)
    first, second, third = live.listen(), live.listen(), live.listen()
    assert not first.continues and second.continues and not third.continues
    assert first.clip is not None and second.clip is not None and third.clip is not None
    # The continuation carries the first part's audio too: both are transcribed as one.
    # (first part, up to 0.5 s of the pause between them, the second part and its 0.1 s tail)
    assert first.clip.duration_s + 1.6 < second.clip.duration_s <= first.clip.duration_s + 2.1
    assert asr.calls[-2] == pytest.approx(second.clip.duration_s, abs=0.05)
    assert third.clip.duration_s < 2.0  # 2.5 s after the continuation ended: a reply of its own
    assert {first.label, second.label} == {"microphone reply 1"} and third.label == "microphone reply 2"


class PlayingUntil:
    """A persona line that starts right after the first reply (2.0 s) and plays until ``seconds``
    into the stream, or until stopped."""

    def __init__(self, mic: ScriptedMic, seconds: float) -> None:
        self.mic, self.until = mic, seconds

    @property
    def playing(self) -> bool:
        return 2.05 <= self.mic.position / RATE < self.until

    def stop(self) -> None:
        self.until = 0.0


@pytest.mark.parametrize(("line_ends_s", "continues"), [(3.0, True), (2.2, False)])
def test_with_a_speaker_only_speech_that_cuts_the_persona_off_continues_a_reply(
    line_ends_s: float, continues: bool
) -> None:
    # The first reply ends at ~2.0 s; the trainee speaks again at 2.4 s. If the persona is still
    # talking then, it answered too soon: the reply continues. If its (short) line was already
    # over, the trainee is answering it: a new reply.
    mic = ScriptedMic([(True, 1.5), (False, 0.9), (True, 1.5), (False, 3.0)])
    player = PlayingUntil(mic, line_ends_s)
    live = Listener(mic, ByLength(), LoudIsSpeech(), TurnOptions(), player=player, executor=Immediately())  # type: ignore[arg-type]
    live.listen()
    second = live.listen()
    assert second.continues is continues and second.barge_in is False
