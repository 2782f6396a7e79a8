"""Device errors become one clear message (sounddevice replaced by a fake; no hardware needed)."""

from __future__ import annotations

import builtins
import types
from typing import Any

import pytest

from voicecoach.audio import devices
from voicecoach.errors import AudioDeviceError

pytestmark = pytest.mark.unit


class PortAudioError(Exception):
    pass


def fake_sounddevice(**behaviour: Any) -> types.SimpleNamespace:
    def query_devices(device: Any = None, kind: str | None = None) -> Any:
        if "query" in behaviour:
            return behaviour["query"](device, kind)
        raise PortAudioError("Error querying device -1")

    return types.SimpleNamespace(PortAudioError=PortAudioError, query_devices=query_devices)


def test_no_microphone_points_to_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "sounddevice_module", fake_sounddevice)
    with pytest.raises(AudioDeviceError, match=r"no microphone found.*--replies PATH"):
        devices.resolve_device(None, "input")
    assert devices.has_output_device() is False
    with pytest.raises(AudioDeviceError, match=r"no speaker found.*--no-playback"):
        devices.resolve_device(None, "output")


def test_named_device_that_does_not_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    def query(device: Any, kind: str | None) -> Any:
        raise ValueError(f"No input device matching {device!r}")

    monkeypatch.setattr(devices, "sounddevice_module", lambda: fake_sounddevice(query=query))
    with pytest.raises(AudioDeviceError, match="microphone 'USB' not found"):
        devices.resolve_device("USB", "input")


def test_missing_portaudio_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_portaudio(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(AudioDeviceError, match="apt-get install libportaudio2"):
        devices.sounddevice_module()


def test_a_refused_sample_rate_falls_back_then_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    from voicecoach.live import capture

    opened: list[int] = []

    class Refusing:
        def __init__(self, samplerate: int, **_: Any) -> None:
            opened.append(samplerate)
            raise PortAudioError("Invalid sample rate")

    def query(device: Any, kind: str | None) -> Any:
        return {"default_samplerate": 44100.0, "max_input_channels": 1}

    fake = fake_sounddevice(query=query)
    fake.InputStream = Refusing
    monkeypatch.setattr(capture, "sounddevice_module", lambda: fake)
    monkeypatch.setattr(devices, "sounddevice_module", lambda: fake)
    with pytest.raises(AudioDeviceError, match=r"refused every sample rate tried \[16000, 44100\]"):
        capture.MicStream().start()
    assert opened == [16000, 44100]
