"""Microphone and speakers through sounddevice (PortAudio). The only module that imports it.

``import sounddevice`` raises OSError on a machine without PortAudio, so it is imported lazily
and turned into an AudioDeviceError that names the fix.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from voicecoach.audio.clip import resample
from voicecoach.config import TurnOptions
from voicecoach.errors import AudioDeviceError
from voicecoach.turns import EndpointState, EnergyDetector, step
from voicecoach.types import ANALYSIS_RATE, AudioClip, Reply

log = logging.getLogger(__name__)

_PORTAUDIO_HINT = "apt-get install libportaudio2"
#: Seconds without any block from the microphone before it is declared lost.
DEVICE_TIMEOUT_S = 5.0


def sounddevice_module() -> Any:
    """Import sounddevice, or explain how to get PortAudio."""
    try:
        import sounddevice
    except OSError as e:
        raise AudioDeviceError(f"audio devices need PortAudio: {_PORTAUDIO_HINT}") from e
    return sounddevice


@dataclass(frozen=True)
class DeviceInfo:
    """One audio device as PortAudio sees it."""

    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[DeviceInfo]:
    """Every input and output device PortAudio knows."""
    sd = sounddevice_module()
    try:
        devices = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as e:
        raise AudioDeviceError(f"cannot list audio devices ({e})") from e
    return [
        DeviceInfo(
            index=i,
            name=str(d["name"]),
            inputs=int(d["max_input_channels"]),
            outputs=int(d["max_output_channels"]),
            default_rate=float(d["default_samplerate"]),
            is_default_input=i == default_in,
            is_default_output=i == default_out,
        )
        for i, d in enumerate(devices)
    ]


def _resolve(device: str | int | None, kind: str) -> Any:
    sd = sounddevice_module()
    try:
        return sd.query_devices(device, kind=kind)
    except (sd.PortAudioError, ValueError) as e:
        what = "microphone" if kind == "input" else "speaker"
        if device is None:
            raise AudioDeviceError(
                f"no {what} found: connect one (see `voicecoach devices`)"
                + (", or practise from recordings with --replies PATH" if kind == "input" else "")
            ) from e
        raise AudioDeviceError(f"{what} {device!r} not found: see `voicecoach devices`") from e


def has_output_device(device: str | int | None = None) -> bool:
    """Whether a speaker is available (without raising)."""
    try:
        _resolve(device, "output")
    except AudioDeviceError:
        return False
    return True


class SpeakerSink:
    """The AudioSink port on the default (or a chosen) output device."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        self._info = _resolve(device, "output")

    def play(self, clip: AudioClip) -> None:
        """Play ``clip`` and wait until it has finished."""
        sd = sounddevice_module()
        try:
            sd.play(clip.samples, clip.sample_rate, device=self.device, blocking=True)
        except sd.PortAudioError as e:
            raise AudioDeviceError(f"speaker failed: {e}") from e


class NullSink:
    """An AudioSink that plays nothing (persona audio is still saved in the session folder)."""

    def play(self, clip: AudioClip) -> None:
        """Discard ``clip``."""


class MicrophoneSource:
    """The AudioSource port on a microphone: one clip per reply, ended by silence.

    A sounddevice callback pushes blocks into a queue (the only thread); the reading loop feeds
    the energy detector and the pure end-of-turn state machine in ``voicecoach.turns``.
    """

    def __init__(self, device: str | int | None = None, options: TurnOptions = TurnOptions()) -> None:
        self.device = device
        self.options = options
        info = _resolve(device, "input")
        self.rate = int(info["default_samplerate"]) if info["default_samplerate"] else ANALYSIS_RATE

    def replies(self) -> Iterator[Reply]:
        """Listen for each reply in turn (the stream is closed while the persona speaks)."""
        count = 0
        while True:
            count += 1
            yield Reply(f"microphone reply {count}", clip=self.listen_once())

    def listen_once(self) -> AudioClip:
        """Block until the trainee has spoken one whole reply; return it at 16 kHz."""
        sd = sounddevice_module()
        blocks: queue.Queue[npt.NDArray[np.float32]] = queue.Queue()
        frame = int(self.rate * 0.032)

        def on_audio(data: Any, _frames: int, _time: Any, status: Any) -> None:
            if status:
                log.debug("input status: %s", status)
            blocks.put(data[:, 0].copy())

        try:
            stream = sd.InputStream(
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                blocksize=frame,
                device=self.device,
                callback=on_audio,
            )
        except (sd.PortAudioError, ValueError) as e:
            raise AudioDeviceError(f"microphone refused to open at {self.rate} Hz: {e}") from e
        detector = EnergyDetector(frame_samples=frame)
        state = EndpointState()
        kept: list[npt.NDArray[np.float32]] = []
        position = 0
        with stream:
            while True:
                try:
                    block = blocks.get(timeout=DEVICE_TIMEOUT_S)
                except queue.Empty as e:
                    raise AudioDeviceError("the microphone stopped sending audio (disconnected?)") from e
                kept.append(block)
                probability = detector.speech_probability_of(block)
                state, ended = step(
                    state, probability, position, block.size, sample_rate=self.rate, options=self.options
                )
                position += block.size
                if ended is not None:
                    audio = np.concatenate(kept)
                    offset = position - audio.size
                    start = max(0, ended.start - int(self.options.pre_roll_s * self.rate) - offset)
                    return resample(AudioClip(audio[start : ended.end - offset], self.rate), ANALYSIS_RATE)
                if state.phase == "quiet" and len(kept) > 64:
                    # Keep only recent audio while nobody speaks (enough for the pre-roll).
                    kept = kept[-16:]
