"""Text to speech with pyttsx3 driving espeak-ng, returned as an AudioClip.

pyttsx3's espeak driver can only write a WAV file (``save_to_file`` + ``runAndWait``), so each
line goes through a private temporary file that is read back and deleted.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
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

    def synthesize(
        self, text: str, *, rate: float = 1.0, volume: float = 1.0, pitch: float = 1.0
    ) -> AudioClip:
        """Speak ``text`` with the voice's rate, volume and pitch scaled by the multipliers."""
        with _ENGINE_LOCK:
            engine = _load_engine()
            driver = _espeak_driver()
            # Set on the driver, not through engine.setProperty: pyttsx3 queues those while its
            # loop is busy (always before the first line) and runs them just before its
            # end-of-loop stop(), which cancels them in espeak-ng's queue if they are still
            # pending there, so the line kept the old rate.
            if self.voice:
                with contextlib.suppress(ValueError):
                    driver.setProperty("voice", self.voice)
            driver.setProperty("rate", int(min(MAX_RATE_WPM, BASE_RATE_WPM * rate)))
            driver.setProperty("volume", max(0.0, min(1.0, volume)))
            driver.setProperty("pitch", int(min(MAX_PITCH, BASE_PITCH * pitch)))
            # espeak-ng applies parameter changes on its own thread; pyttsx3 cancels that queue
            # when a run starts while it is non-empty (about half of alternating rate changes
            # were lost). Draining the queue first applies them.
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


@functools.cache
def _load_engine() -> Any:
    """The process's one engine, held until exit (a failure is not cached, so it is retried).

    pyttsx3 keeps engines only weakly, and an engine that is garbage-collected unregisters
    espeak-ng's single synth callback (its driver's ``destroy``), which would leave a newer
    engine's lines silent or cut short.
    """
    try:
        import pyttsx3

        engine = pyttsx3.init("espeak")
    except (ImportError, OSError, RuntimeError) as e:
        raise ModelError(f"the persona voice needs espeak-ng: {_INSTALL_HINT} ({e})") from e
    # Let it go before the interpreter tears modules down: pyttsx3's finaliser needs them (it
    # printed "Exception ignored in DriverProxy.__del__" at the end of a full test run).
    atexit.register(_load_engine.cache_clear)
    return engine


def _espeak_driver() -> Any:
    """pyttsx3's espeak driver class: its ``setProperty`` is a static method on espeak-ng's one
    global voice state, so no driver instance is needed (or made) to change rate or voice."""
    from pyttsx3.drivers.espeak import EspeakDriver

    return EspeakDriver


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
