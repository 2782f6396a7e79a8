"""Route ALSA's own error printing into Python logging (DEBUG).

alsa-lib writes straight to the process's stderr ("ALSA lib pcm.c: underrun occurred"), which
tears the live terminal screen apart and says nothing a trainee can act on. Real failures still
surface: PortAudio reports them to sounddevice, which raises, and the listener notices a silent
microphone. (Debian's PortAudio prints its own "Expression ... failed" diagnostics under heavy
load through a hook it does not export, so those cannot be routed.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Any

log = logging.getLogger(__name__)

_ALSA_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)
_installed: list[Any] = []  # keeps the callbacks alive as long as the libraries may call them


def _alsa(file: bytes | None, line: int, function: bytes | None, err: int, fmt: bytes | None) -> None:
    log.debug("alsa %s:%s %s: %s", file, line, function, fmt)


def route_alsa_logs() -> None:
    """Install the handler once per process; without alsa-lib there is nothing to route."""
    if _installed:
        return
    alsa_name = ctypes.util.find_library("asound")
    if alsa_name:
        try:
            handler = _ALSA_HANDLER(_alsa)
            ctypes.CDLL(alsa_name).snd_lib_error_set_handler(handler)
            _installed.append(handler)
        except (OSError, AttributeError) as e:
            log.debug("cannot route ALSA messages: %s", e)
    _installed.append(True)
