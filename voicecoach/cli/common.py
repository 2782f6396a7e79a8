"""Options and helpers shared by several ``voicecoach`` subcommands."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from voicecoach.config import HOME_ENV, AsrOptions
from voicecoach.errors import UsageError
from voicecoach.types import Baseline


def add_model_options(p: argparse.ArgumentParser) -> None:
    """``--model`` and ``--beam-size``."""
    p.add_argument(
        "--model",
        metavar="PATH",
        help="CTranslate2 Whisper model folder (default: $VOICECOACH_MODEL, else the embedded tiny.en)",
    )
    p.add_argument("--beam-size", type=int, default=1, help="decoding beam (1: fast, live; 5: review)")


#: Whose baseline ``voicecoach calibrate`` stores, and the others use, when no --trainee is given.
DEFAULT_TRAINEE = "default"


def add_baseline_options(p: argparse.ArgumentParser) -> None:
    """``--baseline FILE`` and ``--trainee NAME``."""
    p.add_argument("--baseline", metavar="FILE", help="calm baseline JSON (from `voicecoach calibrate`)")
    p.add_argument(
        "--trainee",
        metavar="NAME",
        help=f"use the stored calm baseline of this trainee (default: the one `voicecoach calibrate` "
        f"stored without --trainee, as {DEFAULT_TRAINEE!r}, if there is one)",
    )


def asr_options(args: argparse.Namespace) -> AsrOptions:
    """Speech-recognition options from the command line."""
    if not 1 <= args.beam_size <= 10:
        raise UsageError("--beam-size must be between 1 and 10")
    return AsrOptions(model=args.model, beam_size=args.beam_size)


def home() -> Path:
    """Where VoiceCoach keeps a user's profiles ($VOICECOACH_HOME, else the XDG data folder)."""
    default = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "voicecoach"
    return Path(os.environ.get(HOME_ENV, default))


def baseline_path(trainee: str) -> Path:
    """The stored baseline file of ``trainee``."""
    safe = "".join(ch for ch in trainee if ch.isalnum() or ch in "-_.").strip(".")
    if not safe:
        raise UsageError(f"--trainee {trainee!r}: use letters, digits, '-', '_' or '.'")
    return home() / "baselines" / f"{safe}.json"


def load_baseline_option(args: argparse.Namespace) -> Baseline | None:
    """The baseline ``--baseline`` or ``--trainee`` names; without either, the default trainee's
    stored baseline if ``voicecoach calibrate`` made one; otherwise None."""
    from voicecoach.analysis.baseline import load_baseline

    if args.baseline and args.trainee:
        raise UsageError("give --baseline FILE or --trainee NAME, not both")
    if args.baseline:
        return load_baseline(args.baseline)
    if args.trainee:
        return load_baseline(baseline_path(args.trainee))
    default = baseline_path(DEFAULT_TRAINEE)
    return load_baseline(default) if default.is_file() else None


#: What a terminal would obey rather than print: C0/C1 controls (ESC starts colour, cursor and
#: title sequences), DEL, and the bidi overrides and isolates that reorder the rest of the line.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), for one line on a terminal.

    Error messages quote file names and values from files the user did not necessarily write, so
    they must not be able to move the cursor, retitle the window or hide the rest of the line.
    Undecodable bytes (surrogates from ``argv`` or a file name) become U+FFFD.
    """
    shown = _TERMINAL_CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )
    return replace_undecodable(shown)


def replace_undecodable(text: str) -> str:
    """``text`` with each byte Python could not decode as UTF-8 (a lone surrogate) as U+FFFD."""
    try:
        # argv and file names keep such bytes as U+DC80..U+DCFF: one replacement per byte.
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def print_error(console: Console, message: object) -> None:
    """One ``voicecoach: error: ...`` line on ``console``, made :func:`terminal_safe`."""
    console.print(f"voicecoach: error: {terminal_safe(str(message))}", markup=False, highlight=False)


def print_json(payload: Any) -> None:
    """One JSON document on its own line on stdout."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()
