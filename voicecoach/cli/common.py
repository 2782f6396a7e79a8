"""Options and helpers shared by several ``voicecoach`` subcommands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

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


def add_baseline_options(p: argparse.ArgumentParser) -> None:
    """``--baseline FILE`` and ``--trainee NAME``."""
    p.add_argument("--baseline", metavar="FILE", help="calm baseline JSON (from `voicecoach calibrate`)")
    p.add_argument("--trainee", metavar="NAME", help="use the stored calm baseline of this trainee")


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
    """The baseline ``--baseline`` or ``--trainee`` names, or None."""
    from voicecoach.analysis.baseline import load_baseline

    if args.baseline and args.trainee:
        raise UsageError("give --baseline FILE or --trainee NAME, not both")
    if args.baseline:
        return load_baseline(args.baseline)
    if args.trainee:
        return load_baseline(baseline_path(args.trainee))
    return None


def print_json(payload: Any) -> None:
    """One JSON document on its own line on stdout."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()
