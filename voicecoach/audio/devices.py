"""Microphone and speakers through sounddevice (PortAudio). The only module that imports it.

``import sounddevice`` raises OSError on a machine without PortAudio, so it is imported lazily
and turned into an AudioDeviceError that names the fix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from voicecoach.errors import AudioDeviceError
from voicecoach.types import AudioClip

log = logging.getLogger(__name__)

_PORTAUDIO_HINT = "apt-get install libportaudio2"


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


def resolve_device(device: str | int | None, kind: str) -> Any:
    """PortAudio's description of the device, or an AudioDeviceError naming what is missing."""
    sd = sounddevice_module()
    try:
        return sd.query_devices(device, kind=kind)
    except (sd.PortAudioError, ValueError) as e:
        what = "microphone" if kind == "input" else "speaker"
        if device is None:
            raise AudioDeviceError(
                f"no {what} found: connect one (see `voicecoach devices`)"
                + (
                    ", or practise from recordings with --replies PATH"
                    if kind == "input"
                    else ", or practise without sound with --no-playback (the client's lines are saved)"
                )
            ) from e
        raise AudioDeviceError(f"{what} {device!r} not found: see `voicecoach devices`") from e


def has_output_device(device: str | int | None = None) -> bool:
    """Whether a speaker is available (without raising)."""
    try:
        resolve_device(device, "output")
    except AudioDeviceError:
        return False
    return True


def close_stream(stream: Any, what: str) -> None:
    """Stop and close a PortAudio stream; a device already lost cannot make this raise."""
    try:
        stream.stop()
        stream.close()
    except Exception as e:  # closing a lost device must not mask the error that lost it
        log.debug("closing the %s: %s", what, e)


class SpeakerSink:
    """The AudioSink port on the default (or a chosen) output device."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        self._info = resolve_device(device, "output")

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
