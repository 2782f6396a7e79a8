"""``voicecoach analyze``: recordings or text in, one JSON line per input out."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console
from rich.text import Text

from voicecoach.cli.common import (
    add_baseline_options,
    add_model_options,
    asr_options,
    load_baseline_option,
    print_error,
    print_json,
    replace_undecodable,
    terminal_safe,
)
from voicecoach.errors import UsageError, VoiceCoachError


def add_parsers(sub: Any) -> None:
    """Register ``analyze``."""
    p = sub.add_parser("analyze", help="analyse recordings or text; one JSON line per input")
    p.add_argument("files", nargs="*", metavar="FILE", help="audio files (WAV, FLAC, MP3, M4A...)")
    p.add_argument("--text", help="analyse this text's wording only")
    p.add_argument("--context", help="what the persona just said (for reflections)")
    p.add_argument(
        "--text-jsonl", metavar="FILE", help='JSON lines {"text": ..., "context": ...}; - for stdin'
    )
    add_baseline_options(p)
    add_model_options(p)
    p.set_defaults(handler=analyze)


def analyze(args: argparse.Namespace, console: Console) -> int:
    """Analyse audio files, a text, or a JSON-lines file of texts."""
    modes = sum(bool(x) for x in (args.files, args.text is not None, args.text_jsonl))
    if modes != 1:
        raise UsageError("give audio FILEs, --text TEXT, or --text-jsonl FILE (exactly one)")
    if args.context is not None and args.text is None:
        raise UsageError("--context goes with --text")
    from voicecoach.analysis.wording import analyze_wording

    if args.text is not None:
        # Bytes that are not UTF-8 reach Python as lone surrogates, which JSON output cannot encode.
        context = None if args.context is None else replace_undecodable(args.context)
        print_json(analyze_wording(replace_undecodable(args.text), context=context).to_dict())
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
                print_error(console, f"{source}:{number}: {e}")
                print_json({"line": number, "error": str(e)})
                continue
            print_json(analyze_wording(item["text"], context=context).to_dict())
    return 1 if failed else 0


def _analyze_files(args: argparse.Namespace, console: Console) -> int:
    from voicecoach.analysis.tone import analyze_tone
    from voicecoach.analysis.wording import analyze_wording
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.audio.clip import read_audio

    baseline = load_baseline_option(args)
    transcriber = WhisperTranscriber(asr_options(args))
    failed = 0
    with console.status("analysing…") as status:
        for i, name in enumerate(args.files, start=1):
            status.update(Text(f"analysing {i}/{len(args.files)}: {terminal_safe(name)}"))
            try:
                clip = read_audio(name)
                transcript = transcriber.transcribe(clip)
                tone = analyze_tone(clip, transcript, baseline)
                if not transcript.text.strip():
                    raise VoiceCoachError(f"{name}: no speech was heard in this recording")
            except VoiceCoachError as e:
                failed += 1
                print_error(console, e)
                continue
            wording = analyze_wording(transcript.text)
            print_json(
                {
                    "file": name,
                    "transcript": transcript.text,
                    "tone": tone.to_dict(),
                    "wording": wording.to_dict(),
                }
            )
    return 1 if failed else 0
