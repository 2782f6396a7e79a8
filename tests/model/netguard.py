"""Run ``voicecoach ARGS`` with every Internet socket operation recorded (issue 8, privacy).

Usage: python netguard.py RECORD_FILE ARGS...  The test runs this inside ``unshare -n`` where it
can, so the process has no network at all; the audit hook catches attempts made from Python even
where it cannot, and writes one line per attempt to RECORD_FILE when the process exits.
"""

from __future__ import annotations

import atexit
import socket
import sys
from pathlib import Path
from typing import Any

from voicecoach.cli import main

#: Audit events (https://docs.python.org/3/library/audit_events.html) that reach a network.
ADDRESS_EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"}
LOOKUP_EVENTS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "urllib.Request"}
INTERNET = (socket.AF_INET, socket.AF_INET6)

attempts: list[str] = []


def audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.__new__" and args[1] in INTERNET:
        attempts.append(f"{event} family={args[1]}")
    elif event in ADDRESS_EVENTS and getattr(args[0], "family", None) in INTERNET:
        attempts.append(f"{event} {args[1]!r}")
    elif event in LOOKUP_EVENTS:
        attempts.append(f"{event} {args[0]!r}")


def save(record: Path) -> None:
    record.write_text("".join(f"{line}\n" for line in attempts))


if __name__ == "__main__":
    record = Path(sys.argv[1])
    atexit.register(save, record)
    sys.addaudithook(audit)
    sys.exit(main(sys.argv[2:]))
