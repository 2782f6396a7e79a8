"""Interruptible playback on one output stream kept open for the whole session.

Keeping the stream open avoids paying PortAudio's stream start-up on every persona line; the
callback plays the current clip, then silence. ``first_output_at`` is when the callback first
handed samples of the current clip to PortAudio: the end point of voice-to-voice latency.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from voicecoach.audio.clip import resample
from voicecoach.audio.devices import close_stream, resolve_device, sounddevice_module
from voicecoach.errors import AudioDeviceError
from voicecoach.types import AudioClip

log = logging.getLogger(__name__)

#: pyttsx3 + espeak-ng write 22.05 kHz; playing at that rate needs no resampling.
PLAYBACK_RATE = 22_050


class Player:
    """Plays one clip at a time; ``stop()`` cuts it off (barge-in)."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        resolve_device(device, "output")
        self._lock = threading.Lock()
        self._buffer: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._cursor = 0
        self._done = threading.Event()
        self._done.set()
        self._stream: Any = None
        self.first_output_at: float | None = None
        self.last_clip: AudioClip | None = None
        self.rate = PLAYBACK_RATE

    def open(self) -> None:
        """Open the output stream."""
        sd = sounddevice_module()
        try:
            self._stream = sd.OutputStream(
                samplerate=self.rate, channels=1, dtype="float32", device=self.device, callback=self._fill
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as e:
            raise AudioDeviceError(f"the speaker refused to open at {self.rate} Hz: {e}") from e

    def _fill(self, out: Any, frames: int, time_info: Any, status: Any) -> None:
        with self._lock:
            chunk = self._buffer[self._cursor : self._cursor + frames]
            if chunk.size and self._cursor == 0:
                self.first_output_at = time.monotonic()
            self._cursor += chunk.size
            out[: chunk.size, 0] = chunk
            out[chunk.size :, 0] = 0.0
            if self._cursor >= self._buffer.size and not self._done.is_set():
                self._done.set()

    def start(self, clip: AudioClip) -> None:
        """Start playing ``clip`` (replacing anything playing) and return at once."""
        samples = resample(clip, self.rate).samples
        with self._lock:
            self._buffer = samples
            self._cursor = 0
            self.first_output_at = None
            self.last_clip = clip
            self._done.clear()
        if self._stream is None:
            self.open()

    @property
    def playing(self) -> bool:
        """Whether a clip is still playing."""
        return not self._done.is_set()

    def stop(self) -> None:
        """Cut the current clip off."""
        with self._lock:
            self._cursor = self._buffer.size
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the current clip has played; False on timeout."""
        return self._done.wait(timeout)

    def wait_started(self, timeout: float = 2.0) -> float | None:
        """Wait until the first samples of the current clip reached the output; return when."""
        deadline = time.monotonic() + timeout
        while self.first_output_at is None and self.playing and time.monotonic() < deadline:
            time.sleep(0.002)
        return self.first_output_at

    def close(self) -> None:
        """Stop and close the stream."""
        if self._stream is not None:
            close_stream(self._stream, "speaker")
            self._stream = None
