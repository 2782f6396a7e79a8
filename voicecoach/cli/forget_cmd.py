"""``voicecoach forget``: remove a session, or everything stored about a trainee.

    voicecoach forget SESSION_DIR
    voicecoach forget --trainee NAME [--in DIR ...] [--dry-run | --yes]

It lists what it will remove, asks on a terminal (``--yes`` skips the question; without a
terminal ``--yes`` is required), then prints each item as it goes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from voicecoach.cli.common import baseline_path, terminal_safe
from voicecoach.errors import UsageError

DEFAULT_ROOT = Path("sessions")


def add_parsers(sub: Any) -> None:
    """Register ``forget``."""
    p = sub.add_parser(
        "forget",
        help="remove a session folder, or everything stored about a trainee (privacy requests)",
        description="Remove a session folder, or everything VoiceCoach stores about a trainee: "
        "their calm baseline profile; the session folders under each --in folder (default: "
        "./sessions) practised with --trainee NAME; and, in each grade output under them (a "
        "folder with journal.json), the trainee's graded sessions and cohort rows (cohort.csv and "
        "index.html are rebuilt) and their folder in the class folder that was graded. It lists "
        "what it will remove and asks first. Finding nothing about a trainee is not an error "
        "(exit 0): the trainee is already forgotten, so a repeated request succeeds. Files are "
        "deleted, not overwritten; copies made outside VoiceCoach (backups, --baseline files "
        "saved with calibrate --out) are not found. Do not run it while `grade` writes an --in "
        "output.",
    )
    p.add_argument("session", nargs="?", metavar="SESSION_DIR", help="a session folder (with session.json)")
    p.add_argument("--trainee", metavar="NAME", help="forget everything stored about this trainee")
    p.add_argument(
        "--in",
        dest="roots",
        action="append",
        metavar="DIR",
        help="with --trainee: a folder to search for their sessions and grade outputs "
        "(repeatable; default: ./sessions when it exists)",
    )
    p.add_argument("--dry-run", action="store_true", help="list what would be removed; remove nothing")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=forget)


def forget(args: argparse.Namespace, console: Console) -> int:
    """Plan, show, confirm, remove."""
    from voicecoach.forget import (
        apply_plan,
        ensure_not_busy,
        is_safe_trainee_name,
        plan_session,
        plan_trainee,
    )

    if (args.session is None) == (args.trainee is None):
        raise UsageError("give a SESSION_DIR or --trainee NAME (one of them)")
    if args.roots and args.trainee is None:
        raise UsageError("--in goes with --trainee NAME")
    if args.dry_run and args.yes:
        raise UsageError("give --dry-run or --yes, not both")
    if args.trainee is not None:
        if not is_safe_trainee_name(args.trainee):
            raise UsageError(f"--trainee {args.trainee!r}: use letters, digits, '-', '_' or '.'")
        roots = [Path(r) for r in args.roots] if args.roots else [r for r in [DEFAULT_ROOT] if r.is_dir()]
        plan = plan_trainee(args.trainee, baseline_path(args.trainee), roots)
        subject = f"trainee {args.trainee}"
        searched = ", ".join(str(r) for r in roots) or f"no folders ({DEFAULT_ROOT} does not exist)"
    else:
        plan = plan_session(Path(args.session))
        subject, searched = f"session {args.session}", ""
    for warning in plan.warnings:
        _say(console, f"voicecoach: warning: {warning}")
    if plan.empty:
        _say(
            console,
            f"Nothing stored about {subject} (no profile; nothing under {searched}); nothing removed.",
        )
        return 0
    _say(console, f"{'Would remove' if args.dry_run else 'To remove'}, for {subject}:")
    for line in plan.lines():
        _say(console, f"  {line}")
    if args.dry_run:
        _say(console, "Dry run: nothing removed.")
        return 0
    ensure_not_busy(plan)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("no terminal to ask for confirmation: nothing removed; add --yes to confirm")
        try:
            answer = console.input("Remove all of this for good? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            _say(console, "Nothing removed.")
            return 1
    apply_plan(plan, lambda line: _say(console, f"removed  {line}"))
    _say(console, f"Forgot {subject}: {len(plan.lines())} items removed.")
    return 0


def _say(console: Console, text: str) -> None:
    console.print(terminal_safe(text), markup=False, highlight=False)
