"""A private PulseAudio server with a virtual microphone and speaker, for live end-to-end tests
and benchmarks on machines without sound hardware (CI included).

The microphone is ``module-pipe-source`` fed from a FIFO; :class:`MicFeeder` writes audio into it
in real time (silence between replies, as a room would). The speaker is ``module-null-sink``;
:class:`SpeakerMonitor` records its monitor with ``parec`` so a test can hear what the persona
said and when. Clients find the server through ``PULSE_SERVER`` (see :attr:`client_env`).
Needs the Debian packages pulseaudio, pulseaudio-utils and libasound2-plugins.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from voicecoach.audio.clip import to_pcm16
from voicecoach.types import AudioClip

#: The virtual microphone's format (what Whisper and Silero VAD want).
MIC_RATE = 16_000
#: Chunk written to the FIFO at a time: small enough to keep real-time pacing tight.
CHUNK_S = 0.02


class VirtualAudioError(RuntimeError):
    """PulseAudio is not installed or would not start here."""


class VirtualAudioServer:
    """Start with ``with VirtualAudioServer(folder) as server:``; stopped by its pid on exit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.fifo = folder / "mic.fifo"
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def missing_programs() -> list[str]:
        """Programs this needs that are not installed."""
        return [p for p in ("pulseaudio", "pactl", "parec") if shutil.which(p) is None]

    @property
    def client_env(self) -> dict[str, str]:
        """Environment variables that point PortAudio (through ALSA's pulse plugin) at this server."""
        return {"PULSE_SERVER": f"unix:{self.socket}"}

    def __enter__(self) -> VirtualAudioServer:
        missing = self.missing_programs()
        if missing:
            raise VirtualAudioError(f"not installed: {', '.join(missing)}")
        self.folder.mkdir(parents=True, exist_ok=True)
        script = self.folder / "voicecoach.pa"
        script.write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            "load-module module-null-sink sink_name=speaker "
            "sink_properties=device.description=VirtualSpeaker\n"
            f"load-module module-pipe-source source_name=mic file={self.fifo} format=s16le "
            f"rate={MIC_RATE} channels=1\n"
            "set-default-sink speaker\n"
            "set-default-source mic\n"
        )
        env = {**os.environ, "HOME": str(self.folder), "XDG_RUNTIME_DIR": str(self.folder)}
        env.pop("PULSE_SERVER", None)
        self._process = subprocess.Popen(
            [
                "pulseaudio",
                "-n",
                "-F",
                str(script),
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "--log-target=file:" + str(self.folder / "pulse.log"),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise VirtualAudioError(f"pulseaudio exited; see {self.folder / 'pulse.log'}")
            if self.socket.exists() and self.fifo.exists() and self._ready():
                return self
            time.sleep(0.1)
        self.stop()
        raise VirtualAudioError(f"pulseaudio did not start in 10 s; see {self.folder / 'pulse.log'}")

    def _ready(self) -> bool:
        done = subprocess.run(
            ["pactl", "info"], env={**os.environ, **self.client_env}, capture_output=True, check=False
        )
        return done.returncode == 0 and b"Default Source: mic" in done.stdout

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server (by its pid) and wait for it."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None


class MicFeeder:
    """Writes audio into the virtual microphone in real time; silence when nothing is queued.

    ``say(clip)`` queues a clip; ``spoken_until`` is the monotonic time the last queued audio will
    have been written, so a caller can wait for a reply to be "said".
    """

    def __init__(self, fifo: Path) -> None:
        self._queue: queue.Queue[bytes] = queue.Queue()
        self._stop = threading.Event()
        self._fd = os.open(fifo, os.O_WRONLY)  # blocks until the server's reader is open
        self.samples_written = 0
        self.last_voice_written_at: float | None = None
        self._thread = threading.Thread(target=self._run, name="mic-feeder", daemon=True)
        self._thread.start()

    def say(self, clip: AudioClip) -> float:
        """Queue ``clip`` (16 kHz mono); return its length in seconds."""
        if clip.sample_rate != MIC_RATE:
            raise ValueError(f"the virtual microphone takes {MIC_RATE} Hz audio")
        self._queue.put(to_pcm16(clip))
        return clip.duration_s

    def idle(self) -> bool:
        """Whether everything queued has been written."""
        return self._queue.empty() and self._pending == b""

    _pending = b""

    def _run(self) -> None:
        chunk_bytes = int(MIC_RATE * CHUNK_S) * 2
        silence = b"\x00" * chunk_bytes
        start = time.monotonic()
        written_s = 0.0
        while not self._stop.is_set():
            if not self._pending:
                with contextlib.suppress(queue.Empty):
                    self._pending = self._queue.get_nowait()
            if self._pending:
                data, self._pending = self._pending[:chunk_bytes], self._pending[chunk_bytes:]
                if np.any(np.frombuffer(data, dtype="<i2")):
                    self.last_voice_written_at = time.monotonic()
            else:
                data = silence
            try:
                os.write(self._fd, data.ljust(chunk_bytes, b"\x00"))
            except OSError:
                return  # the server went away
            self.samples_written += chunk_bytes // 2
            written_s += CHUNK_S
            # Pace to real time: never more than one chunk ahead of the clock.
            ahead = written_s - (time.monotonic() - start)
            if ahead > CHUNK_S:
                time.sleep(ahead - CHUNK_S)

    def close(self) -> None:
        """Stop writing and close the FIFO."""
        self._stop.set()
        self._thread.join(timeout=2)
        with contextlib.suppress(OSError):
            os.close(self._fd)


#: Sample level (of full scale 1.0) below which the virtual speaker counts as silent: its
#: silence is digital zero, and the persona's quietest speech is far above this.
SILENCE = 1e-3


class SpeakerMonitor:
    """Records the virtual speaker (``parec`` on its monitor) into memory."""

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen(
            [
                "parec",
                "--device=speaker.monitor",
                "--format=s16le",
                f"--rate={MIC_RATE}",
                "--channels=1",
                "--raw",
                "--latency-msec=20",
            ],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="speaker-monitor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._process.stdout is not None
        while True:
            data = self._process.stdout.read(640)
            if not data:
                return
            with self._lock:
                self._chunks.append(data)

    def samples(self) -> npt.NDArray[np.float32]:
        """Everything recorded so far, as floats."""
        with self._lock:
            data = b"".join(self._chunks)
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0

    def sounded_since(self, sample: int, threshold: float = SILENCE) -> bool:
        """Whether the speaker made any sound after the first ``sample`` samples recorded."""
        return float(np.max(np.abs(self.samples()[sample:]), initial=0.0)) >= threshold

    def quiet_for(self, seconds: float, threshold: float = SILENCE) -> bool:
        """Whether the last ``seconds`` of the speaker held no sound."""
        tail = self.samples()[-int(seconds * MIC_RATE) :]
        return tail.size >= int(seconds * MIC_RATE) and float(np.max(np.abs(tail), initial=0.0)) < threshold

    def close(self) -> None:
        """Stop recording."""
        self._process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=2)
        self._thread.join(timeout=2)
