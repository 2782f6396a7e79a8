"""Recorded replies instead of a microphone: a folder of audio files, or a text file of typed lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from voicecoach.audio.clip import read_audio
from voicecoach.errors import UsageError
from voicecoach.types import Reply

#: Containers read as replies from a folder (anything PyAV decodes; these are the common ones).
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
#: A typed reply longer than this is cut: a spoken reply of 2 minutes is ~300 words.
MAX_TYPED_CHARS = 5_000
#: Terminal escape sequences (colour, cursor, window title), removed whole so "\x1b[31m" leaves
#: no "[31m" behind to be read as words: CSI (ESC [ or 8-bit U+009B), OSC (ESC ] ... BEL or ST),
#: and the short ESC sequences (ESC c reset, ESC ( B character set...).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]"
)
#: Format characters kept in a typed reply: the zero-width joiner and non-joiner hold emoji
#: sequences and some scripts together. Other non-printable characters (controls, bidi
#: overrides that could reorder a terminal line) are dropped.
_KEPT_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
#: Characters that separate words or lines (tab, a lone carriage return, form feed, U+2028...):
#: inside a reply they read as a space.
_SEPARATORS = frozenset("\t\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


class FolderReplies:
    """Each audio file of a folder, in name order, is one spoken reply."""

    def __init__(self, folder: Path) -> None:
        self.files = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
        if not self.files:
            raise UsageError(f"{folder}: no audio replies found ({', '.join(AUDIO_SUFFIXES)})")

    def replies(self) -> Iterator[Reply]:
        """Decode each file only when its turn comes, so a bad file stops the session there."""
        for path in self.files:
            yield Reply(str(path), clip=read_audio(path))


class TextReplies:
    """Each non-blank line of a UTF-8 text file is one typed reply (tone is skipped).

    Lines end at "\n" (with or without "\r" before it), as editors number them; a lone "\r",
    a form feed or U+2028 inside a line does not split the reply.
    """

    def __init__(self, path: Path) -> None:
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise UsageError(f"{path}: cannot read ({e.strerror or e})") from e
        text = raw.decode("utf-8", errors="replace")
        self.lines = [
            (number, _printable(line)[:MAX_TYPED_CHARS])
            for number, line in enumerate(text.split("\n"), start=1)
            if line.strip()
        ]
        if not self.lines:
            raise UsageError(f"{path}: no replies (the file has no non-blank lines)")
        self.path = path

    def replies(self) -> Iterator[Reply]:
        """Yield each typed line."""
        for number, line in self.lines:
            yield Reply(f"{self.path}:{number}", text=line)


def _printable(line: str) -> str:
    # Control characters are never meant as words; a separator may stand between two of them.
    line = _ESCAPE_SEQUENCE.sub("", line)
    kept = "".join(
        " " if ch in _SEPARATORS else ch
        for ch in line
        if ch in _SEPARATORS or ch in _KEPT_FORMAT_CHARACTERS or ch.isprintable()
    )
    return " ".join(kept.split())


def open_replies(path: Path) -> FolderReplies | TextReplies:
    """The reply source ``--replies PATH`` names: a folder of audio, or a ``.txt`` file."""
    if path.is_dir():
        return FolderReplies(path)
    if path.is_file() and path.suffix.lower() == ".txt":
        return TextReplies(path)
    if not path.exists():
        raise UsageError(f"--replies {path}: no such file or folder")
    raise UsageError(f"--replies {path}: expected a folder of audio files or a .txt file of typed replies")
