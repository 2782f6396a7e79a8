"""Crash-safe, private file writes for session folders.

A session holds recordings of a person's voice, so folders are created 0700 and files 0600, and
every file is written to a temporary name, flushed, fsynced and renamed over the target: a crash
leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from voicecoach.errors import SessionStorageError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable only by the owner; return it."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        path.chmod(PRIVATE_DIR_MODE)
    except OSError as e:
        raise SessionStorageError(f"{path}: cannot create folder ({e.strerror or e})") from e
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably, mode 0600."""
    _replace_atomically(path, lambda tmp: tmp.write(data))


def write_chunks_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write ``chunks`` of text as UTF-8, atomically, without holding them all in memory."""
    _replace_atomically(path, lambda tmp: tmp.writelines(chunk.encode("utf-8") for chunk in chunks))


def _replace_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            write(tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, PRIVATE_FILE_MODE)
        os.replace(tmp_name, path)
        _fsync_dir(path.parent)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise SessionStorageError(f"{path}: cannot write ({e.strerror or e})") from e


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write ``payload`` as pretty UTF-8 JSON, atomically."""
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8, atomically."""
    write_atomic(path, text.encode("utf-8"))


#: How ``write_atomic`` names its temporary files: ``.NAME.RANDOM.tmp`` beside the target.
TEMP_GLOB = ".*.tmp"
LOCK_NAME = ".lock"


class FolderLock:
    """An advisory lock that says "a VoiceCoach process is writing this folder".

    It is an ``flock`` on ``FOLDER/.lock``: the kernel drops it when the holder's process ends
    in any way, SIGKILL and power loss included, so a lock that can be taken means no writer is
    alive and any temporary file left in the folder is debris from an interrupted write.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        except OSError as e:
            raise SessionStorageError(f"{self.path}: cannot create ({e.strerror or e})") from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Let go of the lock (closing the descriptor releases the flock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete the temporary files an interrupted ``write_atomic`` left in ``folder`` and below.

    Only call this while holding the folder's ``FolderLock``: a live writer's temporary file
    must not vanish before its rename.
    """
    removed = []
    for path in sorted(folder.rglob(TEMP_GLOB)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
