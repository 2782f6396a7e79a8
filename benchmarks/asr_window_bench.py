#!/usr/bin/env python3
"""Word error rate and time of a fitted encoder window against Whisper's full 30 s window.

On every ../shared/realspeech recording under 29 s (stereo split off), with the embedded tiny.en
at beam 1: faster-whisper's own transcription (30 s window, no VAD filter) against
``voicecoach.asr_window.transcribe_fitted`` with the reply padded by 1, 2 and 3 s of silence.

Usage: .venv/bin/python benchmarks/asr_window_bench.py
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
ROOT = Path(__file__).resolve().parents[1]
REALSPEECH = ROOT.parent / "shared" / "realspeech"
sys.path.insert(0, str(ROOT))

PADS_S = (1.0, 2.0, 3.0)


def main() -> None:
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.asr_window import transcribe_fitted
    from voicecoach.audio.clip import read_audio
    from voicecoach.evaluation import normalise_words, word_error_rate

    if not (REALSPEECH / "MANIFEST.tsv").is_file():
        sys.exit(f"asr_window_bench: {REALSPEECH} not found")
    transcriber = WhisperTranscriber()
    model = transcriber._load()  # the loaded faster-whisper model, shared by both paths
    rows = [
        r
        for r in csv.DictReader((REALSPEECH / "MANIFEST.tsv").open(), delimiter="\t")
        if "stereo" not in r["path"] and float(r["duration_s"]) < 29
    ]
    errors = {name: 0.0 for name in ["full", *(f"fit+{p:g}s" for p in PADS_S)]}
    seconds = dict.fromkeys(errors, 0.0)
    words = 0
    for row in rows:
        clip = read_audio(REALSPEECH / row["path"])
        n = len(normalise_words(row["transcript"]))
        words += n
        started = time.perf_counter()
        segments, _ = model.transcribe(
            clip.samples,
            language="en",
            beam_size=1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        text = " ".join(s.text for s in segments)
        seconds["full"] += time.perf_counter() - started
        errors["full"] += n * word_error_rate(row["transcript"], text)
        for pad in PADS_S:
            started = time.perf_counter()
            text = transcribe_fitted(model, clip.samples, clip.sample_rate, beam_size=1, pad_s=pad)
            seconds[f"fit+{pad:g}s"] += time.perf_counter() - started
            errors[f"fit+{pad:g}s"] += n * word_error_rate(row["transcript"], text)
    print(f"{len(rows)} recordings, {words} words, tiny.en int8, beam 1, {os.cpu_count()} cores\n")
    print("| encoder window | WER | time (s) | time vs full |")
    print("|---|---|---|---|")
    for name, error in errors.items():
        print(
            f"| {name} | {100 * error / words:.1f}% | {seconds[name]:.1f} "
            f"| {seconds[name] / seconds['full']:.2f}x |"
        )


if __name__ == "__main__":
    main()
