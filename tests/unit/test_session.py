"""The session loop with fakes: order of storage and playback, outcomes, silent replies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voicecoach.config import SessionOptions
from voicecoach.errors import AudioFileError
from voicecoach.persona.schema import get_persona
from voicecoach.session import Engines, SessionContext, run_session
from voicecoach.testing import MemoryStore, RecordingSink, ScriptedTranscriber, ToneSynthesizer
from voicecoach.types import AudioClip, Reply

pytestmark = pytest.mark.unit

SKILLED = [
    "That sounds like an awful night, and it makes sense that you're angry.",
    "What happened last night?",
    "I'm sorry. Let's figure out tonight together: we could call the overflow shelter, or start the appeal.",
    "Let's make that call together right now.",
]
UNSKILLED = [
    "Calm down. Rules are rules.",
    "That's your own fault.",
    "If you keep yelling I'm calling security.",
    "Sit down and stop shouting.",
]


def context(texts: list[str], **options: object) -> tuple[SessionContext, RecordingSink]:
    sink = RecordingSink()
    engines = Engines(ScriptedTranscriber(texts), ToneSynthesizer(), sink)
    return SessionContext(get_persona("marcus"), engines, SessionOptions(**options)), sink  # type: ignore[arg-type]


def typed(texts: list[str]) -> list[Reply]:
    return [Reply(f"line {i}", text=t) for i, t in enumerate(texts, start=1)]


def test_skilled_replies_resolve_and_unskilled_escalate() -> None:
    ctx, _ = context([])
    calm = run_session(ctx, typed(SKILLED), MemoryStore())
    assert calm.outcome == "resolved"
    assert calm.turns[-1].update.after.agitation < calm.turns[0].update.before.agitation
    assert calm.calm_presence >= 70
    ctx, _ = context([])
    tense = run_session(ctx, typed(UNSKILLED), MemoryStore())
    assert tense.outcome == "escalated"
    assert tense.safety_step
    assert tense.calm_presence < calm.calm_presence - 30


def test_each_turn_is_stored_before_the_persona_answers_it() -> None:
    store = MemoryStore()

    class CheckingSink(RecordingSink):
        def play(self, clip: AudioClip) -> None:
            # The opening plays first; every later clip answers a turn that must already be stored.
            assert len(store.turns) == len(self.played)
            super().play(clip)

    sink = CheckingSink()
    ctx = SessionContext(
        get_persona("marcus"), Engines(ScriptedTranscriber([]), ToneSynthesizer(), sink), SessionOptions()
    )
    report = run_session(ctx, typed(SKILLED), store)
    assert len(sink.played) == 1 + len(report.turns)


def test_turn_limit_ends_unresolved() -> None:
    ctx, _ = context([], max_turns=2)
    report = run_session(ctx, typed(["Okay.", "Okay.", "Okay."]), MemoryStore())
    assert report.outcome == "unresolved"
    assert len(report.turns) == 2


def test_spoken_replies_go_through_the_transcriber_and_tone() -> None:
    t = np.arange(32_000) / 16_000
    voice = (0.2 * np.sin(2 * np.pi * 150 * t) * (np.sin(2 * np.pi * 4 * t) > 0)).astype(np.float32)
    ctx, _ = context(["What happened last night?"])
    report = run_session(ctx, [Reply("spoken", clip=AudioClip(voice, 16_000))], MemoryStore())
    turn = report.turns[0]
    assert turn.transcript.text == "What happened last night?"
    assert turn.tone is not None and turn.tone.duration_s == pytest.approx(2.0)


def test_a_recording_with_no_speech_is_an_error_naming_it() -> None:
    ctx, _ = context([""])
    silent = Reply("take3.wav", clip=AudioClip(np.zeros(16_000, dtype=np.float32), 16_000))
    with pytest.raises(AudioFileError, match=r"take3\.wav: no speech"):
        run_session(ctx, [silent], MemoryStore())


def test_same_seed_same_lines() -> None:
    first = run_session(context([], seed=3)[0], typed(SKILLED), MemoryStore())
    second = run_session(context([], seed=3)[0], typed(SKILLED), MemoryStore())
    assert [t.persona_reply for t in first.turns] == [t.persona_reply for t in second.turns]
    assert first.opening_line == second.opening_line


def test_a_continued_reply_replaces_the_last_turn_as_if_the_persona_had_waited() -> None:
    # The trainee said the first half, the turn ended, then they went on: the live loop hands
    # over the whole reply marked `continues`. The session must end up exactly as if the persona
    # had waited for the whole reply: same turns, same agitation, same lines.
    half = Reply("mic 1", text="That sounds like an awful night.")
    whole = Reply("mic 1", text=SKILLED[0], continues=True)
    rest = typed(SKILLED[1:])
    store = MemoryStore()
    heard = run_session(context([], seed=5)[0], [half, whole, *rest], store)
    waited = run_session(context([], seed=5)[0], [Reply("mic 1", text=SKILLED[0]), *rest], MemoryStore())
    assert [t.index for t in heard.turns] == list(range(1, len(waited.turns) + 1))
    assert heard.turns[0].transcript.text == SKILLED[0]
    assert [t.persona_reply for t in heard.turns] == [t.persona_reply for t in waited.turns]
    assert [t.update.after.agitation for t in heard.turns] == [t.update.after.agitation for t in waited.turns]
    assert [t.index for t in store.turns] == [t.index for t in heard.turns]  # turn 1 stored once


def test_a_continued_reply_is_stored_once_in_the_session_folder(tmp_path: Path) -> None:
    from voicecoach.store import SessionStore, load_session

    replies = [
        Reply("mic 1", text="That sounds like an awful night."),
        Reply("mic 1", text=SKILLED[0], continues=True),
    ]
    store = SessionStore(tmp_path / "s")
    run_session(context([], seed=5)[0], [*replies, *typed(SKILLED[1:2])], store)
    stored = load_session(tmp_path / "s")["turns"]
    assert [t["index"] for t in stored] == [1, 2]
    assert stored[0]["transcript"] == SKILLED[0]
    waited_store = SessionStore(tmp_path / "w")
    run_session(context([], seed=5)[0], [Reply("mic 1", text=SKILLED[0]), *typed(SKILLED[1:2])], waited_store)
    waited = load_session(tmp_path / "w")["turns"]
    # Times in the recording as if the client had waited: the replaced turn's clock was rewound.
    assert [t["start_s"] for t in stored] == [t["start_s"] for t in waited]
