"""Single-key commands from the terminal while a live session runs (p: pause, r: repeat, q: end).

Active only when stdin is a terminal; the terminal is put in cbreak mode (keys arrive without
Enter, Ctrl-C still works) and restored on close.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import sys
import threading
from typing import Any

KEYS_HELP = "[p] pause/resume   [r] repeat the client's line   [q] end the session"


class KeyReader:
    """Collects key presses on a daemon thread; ``pressed()`` drains them."""

    def __init__(self) -> None:
        self._keys: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._saved: Any = None
        self._fd = sys.stdin.fileno()
        import termios
        import tty

        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        self._thread = threading.Thread(target=self._run, name="voicecoach-keys", daemon=True)
        self._thread.start()

    @staticmethod
    def available() -> bool:
        """Whether keys can be read (stdin is an interactive terminal on a POSIX system)."""
        try:
            return os.name == "posix" and sys.stdin.isatty()
        except (AttributeError, ValueError):
            return False

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.1)
            if ready:
                char = os.read(self._fd, 1).decode("utf-8", errors="ignore").lower()
                if char:
                    self._keys.put(char)

    def pressed(self) -> list[str]:
        """Keys pressed since the last call."""
        out = []
        with contextlib.suppress(queue.Empty):
            while True:
                out.append(self._keys.get_nowait())
        return out

    def close(self) -> None:
        """Stop reading and restore the terminal."""
        self._stop.set()
        self._thread.join(timeout=0.5)
        if self._saved is not None:
            import termios

            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._saved = None
