"""The ``voicecoach`` command: the only place that reads argv, configures logging and picks adapters.

Every user-fixable problem is a ``VoiceCoachError``, printed as one line on stderr with a non-zero
exit (1: the input or environment; 2: the command line). Progress and messages go to stderr, so
``--json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from rich.console import Console

from voicecoach import __version__
from voicecoach.errors import UsageError, VoiceCoachError

log = logging.getLogger("voicecoach")

#: Exit codes.
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line, like every other VoiceCoach error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="PATH",
        help="CTranslate2 Whisper model folder (default: $VOICECOACH_MODEL, else the embedded tiny.en)",
    )
    p.add_argument("--beam-size", type=int, default=1, help="decoding beam (1: fast, live; 5: review)")


def _add_session_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="DIR", help="session folder (default: sessions/<time>-<persona>)")
    p.add_argument("--json", action="store_true", help="print the session summary as JSON on stdout")
    p.add_argument("--seed", type=int, default=0, help="seed for the persona's choices (default 0)")
    p.add_argument("--no-playback", action="store_true", help="save persona audio without playing it")
    p.add_argument("--no-keep-audio", action="store_true", help="keep only numbers and text, no recordings")
    p.add_argument("--max-turns", type=int, default=12, help="turns before the session ends unresolved")
    p.add_argument("--difficulty", choices=("easy", "standard", "hard"), default="standard")
    p.add_argument("--baseline", metavar="FILE", help="calm baseline JSON (from `voicecoach calibrate`)")
    p.add_argument("--trainee", metavar="NAME", help="use the stored calm baseline of this trainee")
    p.add_argument("--output-device", metavar="DEV", help="speaker (name or index; see `voicecoach devices`)")
    _add_model_options(p)


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    parser = _Parser(
        prog="voicecoach",
        description="Practise de-escalation aloud with a simulated client, offline.",
    )
    parser.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="a complete session from recorded replies, no microphone needed")
    _add_session_options(demo)

    practice = sub.add_parser("practice", help="practise with a persona (microphone, or --replies)")
    practice.add_argument("--persona", required=True, metavar="NAME", help="persona file stem, e.g. marcus")
    practice.add_argument(
        "--replies", metavar="PATH", help="folder of recorded replies, or a .txt file of typed replies"
    )
    practice.add_argument("--input-device", metavar="DEV", help="microphone (name or index)")
    practice.add_argument("--end-silence", type=float, default=0.7, help="seconds of silence that end a turn")
    _add_session_options(practice)

    analyze = sub.add_parser("analyze", help="analyse recordings or text; one JSON line per input")
    analyze.add_argument("files", nargs="*", metavar="FILE", help="audio files (WAV, FLAC, MP3, M4A...)")
    analyze.add_argument("--text", help="analyse this text's wording only")
    analyze.add_argument("--context", help="what the persona just said (for reflections)")
    analyze.add_argument(
        "--text-jsonl", metavar="FILE", help='JSON lines {"text": ..., "context": ...}; - for stdin'
    )
    analyze.add_argument("--baseline", metavar="FILE", help="calm baseline JSON for relative tone")
    analyze.add_argument("--trainee", metavar="NAME", help="use this trainee's stored calm baseline")
    _add_model_options(analyze)

    personas = sub.add_parser("personas", help="list personas; `check FILE`; `show NAME`")
    personas.add_argument("action", nargs="?", choices=("list", "check", "show"), default="list")
    personas.add_argument("target", nargs="?", help="a persona file (check) or name (show)")

    calibrate = sub.add_parser("calibrate", help="record a calm reading passage as your baseline")
    calibrate.add_argument("--file", metavar="FILE", help="use a recording instead of the microphone")
    calibrate.add_argument(
        "--trainee", default="default", metavar="NAME", help="whose baseline (default: default)"
    )
    calibrate.add_argument("--out", metavar="FILE", help="where to store it (default: the trainee's profile)")
    calibrate.add_argument("--input-device", metavar="DEV", help="microphone (name or index)")
    _add_model_options(calibrate)

    lexicon = sub.add_parser("lexicon", help="validate an edited wording pattern file")
    lexicon.add_argument("action", choices=("check",))
    lexicon.add_argument("file", metavar="FILE")

    sub.add_parser("devices", help="list audio input and output devices")
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``voicecoach`` command; returns the exit code."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as e:
        err.print(f"voicecoach: error: {e}", markup=False)
        return EXIT_USAGE
    _configure_logging(args.verbose)
    if not args.command:
        build_parser().print_help(sys.stderr)
        return EXIT_USAGE
    from voicecoach import commands

    handlers: dict[str, Callable[[argparse.Namespace, Console], int]] = {
        "demo": commands.demo,
        "practice": commands.practice,
        "analyze": commands.analyze,
        "personas": commands.personas,
        "calibrate": commands.calibrate,
        "lexicon": commands.lexicon,
        "devices": commands.devices,
    }
    try:
        return handlers[args.command](args, err)
    except UsageError as e:
        err.print(f"voicecoach: error: {e}", markup=False)
        return EXIT_USAGE
    except VoiceCoachError as e:
        err.print(f"voicecoach: error: {e}", markup=False)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("voicecoach: stopped", markup=False)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # stdout closed early (e.g. piped into `head`): not an error worth a traceback.
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
