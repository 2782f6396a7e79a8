"""What each ``voicecoach`` subcommand does, given parsed arguments (see ``cli.py``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from voicecoach.config import HOME_ENV, AsrOptions, SessionOptions, TurnOptions
from voicecoach.errors import UsageError, VoiceCoachError
from voicecoach.types import Baseline, Reply, SessionReport, TurnResult

#: The demo: a persona, a trainee's recorded replies and their calm reading, all in the repo.
DEMO_PERSONA = "marcus"
FIXTURES = Path(__file__).resolve().parent.parent / "audio_fixtures"
DEMO_REPLIES = FIXTURES / "demo" / "replies"
DEMO_BASELINE = FIXTURES / "demo" / "baseline.wav"


def _asr_options(args: argparse.Namespace) -> AsrOptions:
    if args.beam_size < 1 or args.beam_size > 10:
        raise UsageError("--beam-size must be between 1 and 10")
    return AsrOptions(model=args.model, beam_size=args.beam_size)


def _home() -> Path:
    default = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "voicecoach"
    return Path(os.environ.get(HOME_ENV, default))


def _baseline_path(trainee: str) -> Path:
    safe = "".join(ch for ch in trainee if ch.isalnum() or ch in "-_.").strip(".")
    if not safe:
        raise UsageError(f"--trainee {trainee!r}: use letters, digits, '-', '_' or '.'")
    return _home() / "baselines" / f"{safe}.json"


def _load_baseline(args: argparse.Namespace) -> Baseline | None:
    from voicecoach.analysis.baseline import load_baseline

    if getattr(args, "baseline", None) and getattr(args, "trainee", None):
        raise UsageError("give --baseline FILE or --trainee NAME, not both")
    if getattr(args, "baseline", None):
        return load_baseline(args.baseline)
    if getattr(args, "trainee", None):
        return load_baseline(_baseline_path(args.trainee))
    return None


# --- sessions -----------------------------------------------------------------------------------


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


def _run(
    args: argparse.Namespace,
    console: Console,
    *,
    persona_name: str,
    replies: Iterator[Reply],
    baseline: Baseline | None,
    live: bool,
) -> int:
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.audio.devices import NullSink, SpeakerSink, has_output_device
    from voicecoach.persona.schema import get_persona
    from voicecoach.session import Engines, SessionContext, run_session
    from voicecoach.store import SessionStore
    from voicecoach.tts import Pyttsx3Synthesizer

    if args.max_turns < 1:
        raise UsageError("--max-turns must be at least 1")
    persona = get_persona(persona_name)
    transcriber = WhisperTranscriber(_asr_options(args))
    if args.no_playback or not has_output_device(args.output_device):
        if not args.no_playback:
            console.print("[dim]no speaker found: persona audio is saved in the session folder[/]")
        sink: Any = NullSink()
    else:
        sink = SpeakerSink(args.output_device)
    options = SessionOptions(
        max_turns=args.max_turns,
        seed=args.seed,
        playback=not args.no_playback,
        keep_audio=not args.no_keep_audio,
        difficulty=args.difficulty,
    )
    ctx = SessionContext(persona, Engines(transcriber, Pyttsx3Synthesizer(), sink), options, baseline)
    folder = _session_folder(args, persona.id)
    store = SessionStore(folder, keep_audio=options.keep_audio)
    console.print(f"[bold]{persona.name}[/] · {persona.title} · session folder {folder}", highlight=False)
    if live:
        console.print("[dim]Speak when you are ready; a pause ends your turn. Ctrl-C ends the session.[/]")
    try:
        report = run_session(ctx, replies, store, _ConsoleObserver(console, persona.name))
    except (VoiceCoachError, KeyboardInterrupt):
        store.finish(None, "stopped")
        console.print(f"[yellow]Session stopped; the completed turns are kept in {folder}[/]")
        raise
    store.finish(report, "complete")
    _print_summary(console, report, folder)
    if args.json:
        _print_json(report.to_dict())
    return 0


def _print_summary(console: Console, report: SessionReport, folder: Path) -> None:
    colour = {"resolved": "green", "escalated": "red"}.get(report.outcome, "yellow")
    console.rule("Feedback")
    console.print(f"Outcome: [{colour}]{report.outcome}[/] after {len(report.turns)} replies")
    console.print(f"Calm presence: [bold]{report.calm_presence}/100[/]")
    for reason in report.calm_presence_reasons:
        console.print(f"  · {reason}", markup=False)
    if report.safety_step:
        console.print("Safety step: ", end="")
        console.print(report.safety_step, markup=False)
    console.print(f"Reports: {folder / 'report.html'} and {folder / 'report.md'}", highlight=False)


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def demo(args: argparse.Namespace, console: Console) -> int:
    """A complete session on the bundled recordings."""
    from voicecoach.analysis.baseline import baseline_from_clip
    from voicecoach.audio.clip import read_audio
    from voicecoach.replies import FolderReplies

    baseline = _load_baseline(args)
    if baseline is None:
        baseline = baseline_from_clip(read_audio(DEMO_BASELINE), source_file=str(DEMO_BASELINE))
    replies = FolderReplies(DEMO_REPLIES).replies()
    return _run(args, console, persona_name=DEMO_PERSONA, replies=replies, baseline=baseline, live=False)


def practice(args: argparse.Namespace, console: Console) -> int:
    """Practise with a persona, live or from recorded replies."""
    from voicecoach.replies import open_replies

    baseline = _load_baseline(args)
    if args.replies:
        replies = open_replies(Path(args.replies)).replies()
        return _run(args, console, persona_name=args.persona, replies=replies, baseline=baseline, live=False)
    from voicecoach.audio.devices import MicrophoneSource
    from voicecoach.persona.schema import get_persona

    get_persona(args.persona)  # an unknown persona is reported before the microphone is opened
    if args.end_silence <= 0.1 or args.end_silence > 10:
        raise UsageError("--end-silence must be between 0.1 and 10 seconds")
    mic = MicrophoneSource(args.input_device, TurnOptions(end_silence_s=args.end_silence))
    return _run(args, console, persona_name=args.persona, replies=mic.replies(), baseline=baseline, live=True)


# --- analysis -----------------------------------------------------------------------------------


def analyze(args: argparse.Namespace, console: Console) -> int:
    """Analyse audio files, a text, or a JSON-lines file of texts."""
    modes = sum(bool(x) for x in (args.files, args.text is not None, args.text_jsonl))
    if modes != 1:
        raise UsageError("give audio FILEs, --text TEXT, or --text-jsonl FILE (exactly one)")
    if args.context is not None and args.text is None:
        raise UsageError("--context goes with --text")
    from voicecoach.analysis.wording import analyze_wording

    if args.text is not None:
        _print_json(analyze_wording(args.text, context=args.context).to_dict())
        return 0
    if args.text_jsonl:
        return _analyze_jsonl(args.text_jsonl, console)
    return _analyze_files(args, console)


def _analyze_jsonl(source: str, console: Console) -> int:
    from voicecoach.analysis.wording import analyze_wording

    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as e:
        raise UsageError(f"--text-jsonl {source}: cannot read ({e.strerror or e})") from e
    failed = 0
    with stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise ValueError('each line must be an object with a "text" string')
                context = item.get("context")
                context = context if isinstance(context, str) else None
            except ValueError as e:
                failed += 1
                console.print(f"voicecoach: error: {source}:{number}: {e}", markup=False)
                _print_json({"line": number, "error": str(e)})
                continue
            _print_json(analyze_wording(item["text"], context=context).to_dict())
    return 1 if failed else 0


def _analyze_files(args: argparse.Namespace, console: Console) -> int:
    from voicecoach.analysis.tone import analyze_tone
    from voicecoach.analysis.wording import analyze_wording
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.audio.clip import read_audio

    baseline = _load_baseline(args)
    transcriber = WhisperTranscriber(_asr_options(args))
    failed = 0
    with console.status("analysing…") as status:
        for i, name in enumerate(args.files, start=1):
            status.update(f"analysing {i}/{len(args.files)}: {name}")
            try:
                clip = read_audio(name)
                transcript = transcriber.transcribe(clip)
                tone = analyze_tone(clip, transcript, baseline)
                if not transcript.text.strip():
                    raise VoiceCoachError(f"{name}: no speech was heard in this recording")
            except VoiceCoachError as e:
                failed += 1
                console.print(f"voicecoach: error: {e}", markup=False)
                continue
            wording = analyze_wording(transcript.text)
            _print_json(
                {
                    "file": name,
                    "transcript": transcript.text,
                    "tone": tone.to_dict(),
                    "wording": wording.to_dict(),
                }
            )
    return 1 if failed else 0


# --- personas, calibration, lexicon, devices ----------------------------------------------------


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


def calibrate(args: argparse.Namespace, console: Console) -> int:
    """Measure a calm reading passage and store it as the trainee's baseline."""
    from voicecoach.analysis.baseline import baseline_from_clip, save_baseline
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.audio.clip import read_audio

    target = Path(args.out) if args.out else _baseline_path(args.trainee)
    if args.file:
        clip = read_audio(args.file)
        source = args.file
    else:
        from voicecoach.audio.devices import MicrophoneSource

        console.print(CALIBRATION_PASSAGE, markup=False)
        console.print("[dim]Read the passage above aloud in your calm, everyday voice.[/]")
        # A reading passage has sentence pauses; only a long silence ends it.
        clip = MicrophoneSource(args.input_device, TurnOptions(end_silence_s=2.0)).listen_once()
        source = "microphone"
    transcript = WhisperTranscriber(_asr_options(args)).transcribe(clip)
    baseline = baseline_from_clip(clip, transcript, trainee=args.trainee, source_file=source)
    save_baseline(target, baseline)
    console.print(
        f"Calm baseline for {args.trainee}: {baseline.level_dbfs:.1f} dBFS, "
        f"{baseline.pitch_hz_median:.0f} Hz, {baseline.articulation_rate_sps:.1f} syllables/s "
        f"→ {target}",
        markup=False,
    )
    return 0


#: Phonetically varied, emotionally neutral prose written for VoiceCoach (about 25 s read calmly).
CALIBRATION_PASSAGE = (
    "The bus stops at the corner by the library every twenty minutes. On Tuesdays I take it to "
    "the market, where the fruit stands open early and the bakery sells warm bread. If the weather "
    "is fine, I walk home along the river and watch the boats go by. It is a quiet, easy trip, and "
    "I usually get back before lunch."
)


def lexicon(args: argparse.Namespace, console: Console) -> int:
    """Validate a wording pattern file."""
    from voicecoach.analysis.lexicon import check_lexicon

    sys.stdout.write(check_lexicon(Path(args.file)) + "\n")
    return 0


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
