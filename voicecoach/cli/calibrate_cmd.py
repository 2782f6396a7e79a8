"""``voicecoach calibrate``: measure a trainee's calm reading voice as their baseline."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from voicecoach.cli.common import DEFAULT_TRAINEE, add_model_options, asr_options, baseline_path
from voicecoach.config import TurnOptions


def add_parsers(sub: Any) -> None:
    """Register ``calibrate``."""
    p = sub.add_parser("calibrate", help="record a calm reading passage as your baseline")
    p.add_argument("--file", metavar="FILE", help="use a recording instead of the microphone")
    p.add_argument(
        "--trainee",
        default=DEFAULT_TRAINEE,
        metavar="NAME",
        help=f"whose baseline (default: {DEFAULT_TRAINEE!r}, used when the other commands get no --trainee)",
    )
    p.add_argument("--out", metavar="FILE", help="where to store it (default: the trainee's profile)")
    p.add_argument("--input-device", metavar="DEV", help="microphone (name or index)")
    add_model_options(p)
    p.set_defaults(handler=calibrate)


def calibrate(args: argparse.Namespace, console: Console) -> int:
    """Measure a calm reading passage and store it as the trainee's baseline."""
    from voicecoach.analysis.baseline import baseline_from_clip, save_baseline
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.audio.clip import read_audio

    target = Path(args.out) if args.out else baseline_path(args.trainee)
    if args.file:
        clip = read_audio(args.file)
        source = args.file
    else:
        from voicecoach.live.build import record_reply

        console.print(CALIBRATION_PASSAGE, markup=False)
        console.print("[dim]Read the passage above aloud in your calm, everyday voice.[/]")
        # A reading passage has sentence pauses; only a long silence ends it.
        passage = TurnOptions(end_silence_s=2.0, complete_silence_s=2.0, max_turn_s=120.0)
        clip, _ = record_reply(
            WhisperTranscriber(asr_options(args)), input_device=args.input_device, options=passage
        )
        source = "microphone"
    transcript = WhisperTranscriber(asr_options(args)).transcribe(clip)
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
