"""The ``voicecoach`` command: the only place that reads argv, configures logging and picks adapters.

Each subcommand lives in its own module with an ``add_parsers(sub)`` function that registers its
parser and sets ``handler``; add a module to ``COMMAND_MODULES`` to add a command.

Every user-fixable problem is a ``VoiceCoachError``, printed as one line on stderr with a non-zero
exit (1: the input or environment; 2: the command line). Progress and messages go to stderr, so
``--json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from rich.console import Console

from voicecoach import __version__
from voicecoach.cli.common import print_error
from voicecoach.errors import UsageError, VoiceCoachError

#: Exit codes.
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "voicecoach.cli.session_cmds",
    "voicecoach.cli.analyze_cmd",
    "voicecoach.cli.authoring_cmds",
    "voicecoach.cli.calibrate_cmd",
    "voicecoach.cli.devices_cmd",
    "voicecoach.cli.review_cmd",
    "voicecoach.cli.notes_cmd",
    "voicecoach.cli.grade_cmd",
    "voicecoach.cli.forget_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line, like every other VoiceCoach error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    parser = _Parser(
        prog="voicecoach",
        description="Practise de-escalation aloud with a simulated client, offline.",
    )
    parser.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parsers(sub)
    return parser


def _configure_logging(verbosity: int) -> None:
    # Transcripts are logged at DEBUG only (-vv): they are personal data.
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``voicecoach`` command; returns the exit code."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as e:
        print_error(err, e)
        return EXIT_USAGE
    _configure_logging(args.verbose)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.handler(args, err)
    except UsageError as e:
        print_error(err, e)
        return EXIT_USAGE
    except VoiceCoachError as e:
        print_error(err, e)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("voicecoach: stopped", markup=False)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # stdout closed early (e.g. piped into `head`): not an error worth a traceback.
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
