"""Microphone capture: a sounddevice callback feeds a queue; the reader takes 32 ms frames.

The callback (PortAudio's thread) only copies the block and stamps its arrival time; all the
work happens in the reading thread. The stream runs at 16 kHz when the device allows it (PulseAudio
always does); otherwise at the device's own rate, resampled block by block.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass
from math import gcd
from typing import Any

import numpy as np
import numpy.typing as npt

from voicecoach.audio.devices import close_stream, resolve_device, sounddevice_module
from voicecoach.errors import AudioDeviceError
from voicecoach.types import ANALYSIS_RATE
from voicecoach.vad import FRAME_SAMPLES

log = logging.getLogger(__name__)

#: Seconds without audio from the microphone before it is declared lost.
DEVICE_TIMEOUT_S = 3.0


@dataclass(frozen=True, eq=False)
class Frame:
    """512 samples at 16 kHz, where they sit in the stream, and when they arrived (monotonic s)."""

    samples: npt.NDArray[np.float32]
    position: int
    arrived: float


class MicStream:
    """An open microphone delivering :class:`Frame` objects."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        self._info = resolve_device(device, "input")
        self._blocks: queue.Queue[tuple[npt.NDArray[np.float32], float]] = queue.Queue()
        self._pending = np.zeros(0, dtype=np.float32)
        self._pending_arrived = 0.0
        self._position = 0
        self._stream: Any = None
        self.rate = ANALYSIS_RATE

    def start(self) -> None:
        """Open the input stream (at 16 kHz, or the device's own rate if it refuses that)."""
        sd = sounddevice_module()
        rates = [ANALYSIS_RATE]
        native = int(self._info["default_samplerate"] or 0)
        if native and native != ANALYSIS_RATE:
            rates.append(native)
        last_error: Exception | None = None
        for rate in rates:
            try:
                stream = sd.InputStream(
                    samplerate=rate,
                    channels=1,
                    dtype="float32",
                    blocksize=int(rate * FRAME_SAMPLES / ANALYSIS_RATE),
                    device=self.device,
                    callback=self._on_audio,
                )
                stream.start()
            except (sd.PortAudioError, ValueError) as e:
                last_error = e
                continue
            self._stream, self.rate = stream, rate
            return
        raise AudioDeviceError(f"the microphone refused every sample rate tried {rates}: {last_error}")

    def _on_audio(self, data: Any, frames: int, time_info: Any, status: Any) -> None:
        if status:
            log.debug("input status: %s", status)
        self._blocks.put((data[:, 0].copy(), time.monotonic()))

    def read(self) -> Frame:
        """The next 32 ms frame; raises AudioDeviceError if the microphone stops sending."""
        while self._pending.size < FRAME_SAMPLES:
            try:
                block, arrived = self._blocks.get(timeout=DEVICE_TIMEOUT_S)
            except queue.Empty as e:
                raise AudioDeviceError("the microphone stopped sending audio (disconnected?)") from e
            if self._stream is not None and not self._stream.active:
                raise AudioDeviceError("the microphone stream stopped (device lost?)")
            self._pending = np.concatenate([self._pending, self._to_16k(block)])
            self._pending_arrived = arrived
        frame = self._pending[:FRAME_SAMPLES]
        self._pending = self._pending[FRAME_SAMPLES:]
        out = Frame(frame, self._position, self._pending_arrived)
        self._position += FRAME_SAMPLES
        return out

    def _to_16k(self, block: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        if self.rate == ANALYSIS_RATE:
            return block
        from scipy.signal import resample_poly

        g = gcd(self.rate, ANALYSIS_RATE)
        return np.asarray(resample_poly(block, ANALYSIS_RATE // g, self.rate // g), dtype=np.float32)

    def drain(self) -> None:
        """Drop audio captured so far (e.g. while paused)."""
        while True:
            try:
                self._blocks.get_nowait()
            except queue.Empty:
                break
        self._pending = np.zeros(0, dtype=np.float32)

    def close(self) -> None:
        """Stop and close the stream."""
        if self._stream is not None:
            close_stream(self._stream, "microphone")
            self._stream = None
