"""Text to speech with pyttsx3 driving espeak-ng, returned as an AudioClip.

pyttsx3's espeak driver can only write a WAV file (``save_to_file`` + ``runAndWait``), so each
line goes through a private temporary file that is read back and deleted.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import threading
import wave
from pathlib import Path
from typing import Any

from voicecoach.audio.clip import clip_from_pcm16
from voicecoach.errors import ModelError
from voicecoach.types import AudioClip

log = logging.getLogger(__name__)

#: espeak-ng's defaults (words per minute, pitch 0-100); personas scale them with agitation.
BASE_RATE_WPM = 160
BASE_PITCH = 50
#: Highest values espeak-ng accepts without distortion.
MAX_RATE_WPM = 320
MAX_PITCH = 99

_INSTALL_HINT = "apt-get install espeak-ng"
#: pyttsx3 hands every caller the same engine per driver, espeak-ng holds global state, and the
#: event loop is not re-entrant: one synthesis at a time per process.
_ENGINE_LOCK = threading.Lock()


class Pyttsx3Synthesizer:
    """The Synthesizer port on pyttsx3 + espeak-ng."""

    def __init__(self, voice: str | None = "gmw/en-us") -> None:
        self.voice = voice
        self._engine: Any = None

    def _load(self) -> Any:
        if self._engine is None:
            try:
                import pyttsx3

                engine = pyttsx3.init("espeak")
            except (ImportError, OSError, RuntimeError) as e:
                raise ModelError(f"the persona voice needs espeak-ng: {_INSTALL_HINT} ({e})") from e
            if self.voice:
                with contextlib.suppress(ValueError):
                    engine.setProperty("voice", self.voice)
            self._engine = engine
        return self._engine

    def synthesize(
        self, text: str, *, rate: float = 1.0, volume: float = 1.0, pitch: float = 1.0
    ) -> AudioClip:
        """Speak ``text`` with the voice's rate, volume and pitch scaled by the multipliers."""
        with _ENGINE_LOCK:
            engine = self._load()
            engine.setProperty("rate", int(min(MAX_RATE_WPM, BASE_RATE_WPM * rate)))
            engine.setProperty("volume", max(0.0, min(1.0, volume)))
            engine.setProperty("pitch", int(min(MAX_PITCH, BASE_PITCH * pitch)))
            # In pyttsx3's retrieval mode espeak-ng queues parameter changes on its own thread,
            # and pyttsx3 cancels that queue when a run starts while it is non-empty: about half
            # of alternating rate changes were lost here. Draining the queue first applies them.
            _espeak_synchronize()
            fd, name = tempfile.mkstemp(suffix=".wav", prefix="voicecoach-tts-")
            os.close(fd)
            try:
                engine.save_to_file(text, name)
                # pyttsx3 announces every saved file on stdout; keep stdout clean for --json.
                with contextlib.redirect_stdout(io.StringIO()):
                    engine.runAndWait()
                    # runAndWait can return before espeak-ng's thread has delivered the last
                    # samples and written the file; wait for it.
                    _espeak_synchronize()
                return _read_wav(Path(name))
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(name)


def _espeak_synchronize() -> None:
    from pyttsx3.drivers import _espeak

    _espeak.Synchronize()


def _read_wav(path: Path) -> AudioClip:
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise ModelError("espeak-ng wrote an unexpected WAV format")
            return clip_from_pcm16(wav.readframes(wav.getnframes()), wav.getframerate())
    except (wave.Error, EOFError) as e:
        raise ModelError(f"espeak-ng produced no audio ({e})") from e
