"""``voicecoach demo`` and ``voicecoach practice``: run a whole practice session."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from voicecoach.cli.common import (
    add_baseline_options,
    add_model_options,
    asr_options,
    load_baseline_option,
    print_json,
    terminal_safe,
)
from voicecoach.config import SessionOptions, TurnOptions
from voicecoach.errors import UsageError, VoiceCoachError
from voicecoach.types import Baseline, Reply, SessionReport, TurnResult

if TYPE_CHECKING:  # imported for annotations only: `voicecoach --help` stays fast
    from voicecoach.persona.schema import Persona
    from voicecoach.ports import AudioSink, Transcriber
    from voicecoach.session import SessionObserver
    from voicecoach.store import SessionStore

#: The demo: a persona, a trainee's recorded replies and their calm reading, all in the repo.
DEMO_PERSONA = "marcus"
FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures"
DEMO_REPLIES = FIXTURES / "demo" / "replies"
DEMO_BASELINE = FIXTURES / "demo" / "baseline.wav"


def add_parsers(sub: Any) -> None:
    """Register ``demo`` and ``practice``."""
    demo_parser = sub.add_parser(
        "demo", help="a complete session from recorded replies, no microphone needed"
    )
    _add_session_options(demo_parser)
    demo_parser.set_defaults(handler=demo)

    practice_parser = sub.add_parser("practice", help="practise with a persona (microphone, or --replies)")
    practice_parser.add_argument(
        "--persona", required=True, metavar="NAME", help="persona file stem, e.g. marcus"
    )
    practice_parser.add_argument(
        "--replies", metavar="PATH", help="folder of recorded replies, or a .txt file of typed replies"
    )
    practice_parser.add_argument("--input-device", metavar="DEV", help="microphone (name or index)")
    practice_parser.add_argument(
        "--end-silence", type=float, default=0.7, help="seconds of silence that end a turn (default 0.7)"
    )
    _add_session_options(practice_parser)
    practice_parser.set_defaults(handler=practice)


def _add_session_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="DIR", help="session folder (default: sessions/<time>-<persona>)")
    p.add_argument("--json", action="store_true", help="print the session summary as JSON on stdout")
    p.add_argument("--seed", type=int, default=0, help="seed for the persona's choices (default 0)")
    p.add_argument("--no-playback", action="store_true", help="save persona audio without playing it")
    p.add_argument("--no-keep-audio", action="store_true", help="keep only numbers and text, no recordings")
    p.add_argument("--max-turns", type=int, default=12, help="turns before the session ends unresolved")
    p.add_argument("--difficulty", choices=("easy", "standard", "hard"), default="standard")
    p.add_argument("--output-device", metavar="DEV", help="speaker (name or index; see `voicecoach devices`)")
    p.add_argument("--open", action="store_true", help="open report.html in the web browser at the end")
    add_baseline_options(p)
    add_model_options(p)


class _ConsoleObserver:
    """Shows the conversation on stderr as it happens."""

    def __init__(self, console: Console, persona_name: str) -> None:
        self.console = console
        self.name = persona_name

    def persona_said(self, line: str, stage: str) -> None:
        self.console.print(f"[bold]{self.name}[/] [dim]({stage})[/]: ", end="")
        self.console.print(line, markup=False, highlight=False)

    def turn_done(self, turn: TurnResult) -> None:
        self.console.print("[bold]You[/]: ", end="")
        self.console.print(turn.transcript.text, markup=False, highlight=False)
        delta = turn.update.after.agitation - turn.update.before.agitation
        colour = "green" if delta < 0 else "red" if delta > 0 else "yellow"
        self.console.print(
            f"  [dim]calm presence {turn.score.score}/100 · agitation "
            f"{turn.update.before.agitation:.0f} → [{colour}]{turn.update.after.agitation:.0f}[/][/]"
        )
        for reason in turn.update.reasons:
            self.console.print(f"    [dim]{reason}[/]", markup=True, highlight=False)


def _session_folder(args: argparse.Namespace, persona_id: str) -> Path:
    if args.out:
        return Path(args.out)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("sessions") / f"{stamp}-{persona_id}"


@dataclass
class _Front:
    """How a session meets the trainee: where replies come from, where the persona speaks."""

    replies: Iterable[Reply]
    sink: AudioSink
    observer: SessionObserver
    close: Callable[[bool], None] = lambda _completed: None


def _check_session_options(args: argparse.Namespace) -> None:
    if args.max_turns < 1:
        raise UsageError("--max-turns must be at least 1")


def _run(
    args: argparse.Namespace,
    console: Console,
    *,
    persona: Persona,
    baseline: Baseline | None,
    transcriber: Transcriber,
    front: _Front,
) -> int:
    from voicecoach.session import Engines, SessionContext, run_session
    from voicecoach.store import SessionStore
    from voicecoach.tts import Pyttsx3Synthesizer

    options = SessionOptions(
        max_turns=args.max_turns,
        seed=args.seed,
        playback=not args.no_playback,
        keep_audio=not args.no_keep_audio,
        difficulty=args.difficulty,
    )
    ctx = SessionContext(persona, Engines(transcriber, Pyttsx3Synthesizer(), front.sink), options, baseline)
    folder = _session_folder(args, persona.id)
    store = SessionStore(folder, keep_audio=options.keep_audio)
    console.print(f"[bold]{persona.name}[/] · {persona.title} · session folder {folder}", highlight=False)
    try:
        report = run_session(ctx, front.replies, store, front.observer)
    except (VoiceCoachError, KeyboardInterrupt):
        front.close(False)
        _finish_stopped(console, store, folder)
        raise
    front.close(True)
    store.finish(report, "complete")
    _print_summary(console, report, folder)
    if args.open:
        from voicecoach.cli.review_cmd import open_report

        open_report(folder / "report.html", console)
    if args.json:
        print_json(report.to_dict())
    return 0


def _finish_stopped(console: Console, store: SessionStore, folder: Path) -> None:
    """Mark a session that ended early as stopped, and say what was kept.

    The error that stopped the session is the one worth reporting: when the disk is full, writing
    the reports fails too, and that second error must not replace the first.
    """
    from rich.markup import escape

    from voicecoach.store import SESSION_FILE

    try:
        store.finish(None, "stopped")
    except VoiceCoachError as e:
        console.print(f"[dim]Could not finish the session folder: {escape(terminal_safe(str(e)))}[/]")
    if (folder / SESSION_FILE).is_file():
        shown = escape(terminal_safe(str(folder)))
        console.print(f"[yellow]Session stopped; the completed turns are kept in {shown}[/]", highlight=False)
    else:
        console.print("[yellow]Session stopped before anything could be saved.[/]")


def _recorded_front(
    args: argparse.Namespace, console: Console, persona: Persona, replies: Iterable[Reply]
) -> _Front:
    from voicecoach.audio.devices import NullSink, SpeakerSink, has_output_device

    if args.no_playback or not has_output_device(args.output_device):
        if not args.no_playback:
            console.print("[dim]no speaker found: persona audio is saved in the session folder[/]")
        sink: AudioSink = NullSink()
    else:
        sink = SpeakerSink(args.output_device)
    return _Front(replies, sink, _ConsoleObserver(console, persona.name))


def _run_recorded(
    args: argparse.Namespace,
    console: Console,
    persona_name: str,
    replies: Iterable[Reply],
    baseline: Baseline | None,
) -> int:
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.persona.schema import get_persona

    _check_session_options(args)
    persona = get_persona(persona_name)
    transcriber = WhisperTranscriber(asr_options(args))
    front = _recorded_front(args, console, persona, replies)
    return _run(args, console, persona=persona, baseline=baseline, transcriber=transcriber, front=front)


def _run_live(args: argparse.Namespace, console: Console, baseline: Baseline | None) -> int:
    from voicecoach.analysis.tone import analyze_tone
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.live.build import open_live_audio
    from voicecoach.live.keys import KeyReader
    from voicecoach.live.screen import LiveScreen
    from voicecoach.persona.schema import get_persona

    _check_session_options(args)
    persona = get_persona(args.persona)  # an unknown persona is reported before any device opens
    if not 0.1 < args.end_silence <= 10:
        raise UsageError("--end-silence must be more than 0.1 and at most 10 seconds")
    # Live: a window fitted to each reply (same accuracy on realspeech, 2-3x faster).
    transcriber = WhisperTranscriber(dataclasses.replace(asr_options(args), window="fit"))
    with console.status("loading the speech model…"):
        transcriber.warm_up()
    with contextlib.ExitStack() as stack:
        keys = KeyReader() if KeyReader.available() else None
        if keys is not None:
            stack.callback(keys.close)
        screen = LiveScreen(console, persona.name) if console.is_terminal else None
        live = open_live_audio(
            transcriber,
            input_device=args.input_device,
            output_device=args.output_device,
            playback=not args.no_playback,
            options=TurnOptions(end_silence_s=args.end_silence),
            keys=keys,
            on_level=screen.level if screen is not None else None,
            tone_of=lambda clip, transcript: analyze_tone(clip, transcript, baseline),
        )
        if screen is not None:
            stack.enter_context(screen)
        else:
            console.print(
                "[dim]Speak when you are ready; a pause ends your turn. Ctrl-C ends the session.[/]"
            )
        observer: SessionObserver = screen if screen is not None else _ConsoleObserver(console, persona.name)
        front = _Front(live.replies(), live, observer, lambda done: live.finish() if done else live.close())
        return _run(args, console, persona=persona, baseline=baseline, transcriber=transcriber, front=front)
    raise AssertionError("unreachable")  # pragma: no cover - the with block returns or raises


def _print_summary(console: Console, report: SessionReport, folder: Path) -> None:
    """The end-of-session debrief, from the feedback the reports were built from."""
    from voicecoach.report.debrief import debrief
    from voicecoach.store import load_session

    try:
        session = load_session(folder)
    except VoiceCoachError:  # the folder vanished after the session: debrief from memory
        session = report.to_dict()
    console.print(debrief(session, folder), highlight=False)


def demo(args: argparse.Namespace, console: Console) -> int:
    """A complete session on the bundled recordings."""
    from voicecoach.analysis.baseline import baseline_from_clip
    from voicecoach.audio.clip import read_audio
    from voicecoach.replies import FolderReplies

    baseline = load_baseline_option(args)
    if baseline is None:
        baseline = baseline_from_clip(read_audio(DEMO_BASELINE), source_file=str(DEMO_BASELINE))
    replies = FolderReplies(DEMO_REPLIES).replies()
    return _run_recorded(args, console, DEMO_PERSONA, replies, baseline)


def practice(args: argparse.Namespace, console: Console) -> int:
    """Practise with a persona, live or from recorded replies."""
    from voicecoach.replies import open_replies

    baseline = load_baseline_option(args)
    if args.replies:
        return _run_recorded(
            args, console, args.persona, open_replies(Path(args.replies)).replies(), baseline
        )
    return _run_live(args, console, baseline)
