"""``voicecoach review``: rebuild a session's reports, optionally under another rubric."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from voicecoach.cli.common import print_json


def add_parsers(sub: Any) -> None:
    """Register ``review``."""
    p = sub.add_parser(
        "review",
        help="rebuild a session's report.html, report.md and feedback (optionally with another rubric)",
    )
    p.add_argument("session", metavar="SESSION_DIR", help="a session folder (with session.json)")
    p.add_argument("--rubric", metavar="FILE", help="rubric YAML to score with (default: the packaged one)")
    p.add_argument("--json", action="store_true", help="print the rebuilt session.json on stdout")
    p.add_argument("--open", action="store_true", help="open report.html in the web browser afterwards")
    p.set_defaults(handler=review)


def review(args: argparse.Namespace, console: Console) -> int:
    """Re-score a stored session and write its reports again."""
    from voicecoach.feedback.rubric import load_rubric
    from voicecoach.store import load_session, recover_interrupted, write_reports

    folder = Path(args.session)
    rubric = load_rubric(Path(args.rubric) if args.rubric else None)
    load_session(folder)  # not a session folder: one clear line before anything is written
    if recover_interrupted(folder):
        console.print(
            "This session was interrupted; its completed turns are kept and it is now marked stopped.",
            markup=False,
            highlight=False,
        )
    md_path, html_path = write_reports(folder, rubric)
    session = load_session(folder)
    console.print(
        f"Calm presence [bold]{session.get('calm_presence')}/100[/] under the rubric ",
        end="",
    )
    console.print(rubric.name, markup=False, highlight=False)
    console.print(f"Reports: {html_path} and {md_path}", markup=False, highlight=False)
    if args.open:
        open_report(html_path, console)
    if args.json:
        print_json(session)
    return 0


def open_report(path: Path, console: Console) -> None:
    """Open a report in the default web browser; say so when none is available."""
    import webbrowser

    if not webbrowser.open(path.resolve().as_uri()):
        console.print(f"No web browser found: open {path} yourself.", markup=False, highlight=False)
