"""``voicecoach personas`` and ``voicecoach lexicon``: the files instructors write."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from voicecoach.errors import UsageError


def add_parsers(sub: Any) -> None:
    """Register ``personas`` and ``lexicon``."""
    p = sub.add_parser("personas", help="list personas; `check FILE`; `show NAME`")
    p.add_argument("action", nargs="?", choices=("list", "check", "show"), default="list")
    p.add_argument("target", nargs="?", help="a persona file (check) or name (show)")
    p.set_defaults(handler=personas)

    lex = sub.add_parser("lexicon", help="validate an edited wording pattern file")
    lex.add_argument("action", choices=("check",))
    lex.add_argument("file", metavar="FILE")
    lex.set_defaults(handler=lexicon)


def personas(args: argparse.Namespace, console: Console) -> int:
    """List, check or show personas."""
    from voicecoach.persona.schema import brief, get_persona, list_personas, load_persona, summary

    if args.action == "list":
        if args.target:
            raise UsageError("`personas list` takes no argument")
        for p in list_personas():
            sys.stdout.write(f"{p.id:<12} {p.name} · {p.title}\n")
        return 0
    if not args.target:
        raise UsageError(f"`personas {args.action}` needs a {'FILE' if args.action == 'check' else 'NAME'}")
    if args.action == "check":
        sys.stdout.write(summary(load_persona(args.target)) + "\n")
        return 0
    sys.stdout.write(brief(get_persona(args.target)) + "\n")
    return 0


def lexicon(args: argparse.Namespace, console: Console) -> int:
    """Validate a wording pattern file."""
    from voicecoach.analysis.lexicon import check_lexicon

    sys.stdout.write(check_lexicon(Path(args.file)) + "\n")
    return 0
