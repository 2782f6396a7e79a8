"""Assembling the live loop from real devices and models (used by the CLI and the benchmark)."""

from __future__ import annotations

from collections.abc import Callable

from voicecoach.config import TurnOptions
from voicecoach.live.capture import MicStream
from voicecoach.live.conversation import LiveAudio
from voicecoach.live.keys import KeyReader
from voicecoach.live.listener import Listener
from voicecoach.live.native_logs import route_alsa_logs
from voicecoach.live.player import Player
from voicecoach.ports import Transcriber
from voicecoach.types import AudioClip, Reply, ToneReport, Transcript
from voicecoach.vad import make_detector


def open_live_audio(
    transcriber: Transcriber,
    *,
    input_device: str | int | None = None,
    output_device: str | int | None = None,
    playback: bool = True,
    options: TurnOptions = TurnOptions(),
    keys: KeyReader | None = None,
    on_level: Callable[[float, str], None] | None = None,
    tone_of: Callable[[AudioClip, Transcript], ToneReport] | None = None,
    detector: str = "silero",
) -> LiveAudio:
    """Open the microphone (and speaker, with ``playback``) as the session's source and sink."""
    route_alsa_logs()
    player = Player(output_device) if playback else None
    mic = MicStream(input_device)
    mic.start()
    try:
        if player is not None:
            player.open()
    except Exception:
        mic.close()
        raise
    listener = Listener(
        mic,
        transcriber,
        make_detector(detector),
        options,
        player=player,
        keys=keys,
        on_level=on_level,
        tone_of=tone_of,
    )
    return LiveAudio(listener, player)


def record_reply(
    transcriber: Transcriber,
    *,
    input_device: str | int | None = None,
    options: TurnOptions = TurnOptions(),
    on_level: Callable[[float, str], None] | None = None,
) -> tuple[AudioClip, Reply]:
    """Listen on the microphone for one reply (e.g. the calibration passage) and return it."""
    route_alsa_logs()
    mic = MicStream(input_device)
    mic.start()
    listener = Listener(mic, transcriber, make_detector(), options, on_level=on_level)
    try:
        reply = listener.listen()
    finally:
        listener.close()
        mic.close()
    assert reply.clip is not None  # a live reply always carries its audio
    return reply.clip, reply
