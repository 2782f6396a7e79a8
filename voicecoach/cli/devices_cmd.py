"""``voicecoach devices``: the microphones and speakers PortAudio sees."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console


def add_parsers(sub: Any) -> None:
    """Register ``devices``."""
    p = sub.add_parser("devices", help="list audio input and output devices")
    p.set_defaults(handler=devices)


def devices(args: argparse.Namespace, console: Console) -> int:
    """List audio devices."""
    from voicecoach.audio.devices import list_devices

    found = list_devices()
    if not found:
        console.print("no audio devices found")
        return 1
    for d in found:
        marks = ("<in " if d.is_default_input else "") + ("<out" if d.is_default_output else "")
        channels = f"in:{d.inputs:<2} out:{d.outputs:<2}"
        sys.stdout.write(f"{d.index:>3}  {d.name:<40} {channels} {d.default_rate:>7.0f} Hz {marks}\n")
    return 0
