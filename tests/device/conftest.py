"""Device tier: a real PulseAudio server with a virtual microphone and speaker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from voicecoach.virtual_audio import VirtualAudioError, VirtualAudioServer


@pytest.fixture(scope="module")
def audio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualAudioServer]:
    """A private PulseAudio server for this module's tests, stopped by its pid afterwards."""
    missing = VirtualAudioServer.missing_programs()
    if missing:
        pytest.skip(
            f"PulseAudio is not installed here ({', '.join(missing)} missing): apt-get install "
            "pulseaudio pulseaudio-utils libasound2-plugins"
        )
    folder: Path = tmp_path_factory.mktemp("pulse")
    try:
        with VirtualAudioServer(folder) as server:
            yield server
    except VirtualAudioError as e:
        pytest.skip(f"PulseAudio could not start here: {e}")
