#!/usr/bin/env python3
"""Live-loop benchmark: voice-to-voice latency, thinking pauses, live WER, memory and CPU.

Runs the real live loop (Silero VAD, speculative fitted-window transcription with the embedded
tiny.en, wording/tone analysis, persona, pyttsx3, session storage, PortAudio output) against a
private PulseAudio server whose microphone is fed in real time:

1. replies: every ../shared/realspeech recording of 2-15 s (real people), one turn each.
   Latency = from the arrival of the trainee's last voiced frame to the first sample of persona
   audio handed to the output, split into end-of-turn wait, final transcription (after the end
   was decided), analysis + persona, synthesis, storage + output start. The same turns give the
   live word error rate, against offline transcription of the same files (30 s window, beam 1).
2. thinking: synthetic replies with a 0.8-1.5 s pause after "and", "because", "I think", "so",
   or at the comma after an opening clause ("If the overflow shelter is full tonight, ...");
   a reply split into two turns was cut off early.
3. idle: 10 s of silence while listening: CPU use of the process.

Usage: .venv/bin/python benchmarks/live_bench.py [--limit N] [--thinking N]
Needs pulseaudio, pulseaudio-utils, libasound2-plugins, espeak-ng and sox.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REALSPEECH = ROOT.parent / "shared" / "realspeech"
sys.path.insert(0, str(ROOT))


#: Seconds after a reply's last voiced sample before a reply that never became a turn is given up.
GIVE_UP_S = 5.0


@dataclass
class TurnTiming:
    name: str
    duration_s: float
    mid_sentence: bool
    end_wait: float
    final_asr: float
    analysis: float
    synthesis: float
    output: float
    total: float
    transcript: str


@dataclass
class Results:
    turns: list[TurnTiming] = field(default_factory=list)
    wer_live: list[tuple[int, float]] = field(default_factory=list)
    wer_offline: list[tuple[int, float]] = field(default_factory=list)
    thinking_total: int = 0
    thinking_early: int = 0
    missed: list[str] = field(default_factory=list)
    cpu_idle_pct: float = 0.0
    peak_rss_mb: float = 0.0


def realspeech_files(limit: int | None) -> list[tuple[Path, str, float]]:
    rows = list(csv.DictReader((REALSPEECH / "MANIFEST.tsv").open(), delimiter="\t"))
    chosen = [
        (REALSPEECH / r["path"], r["transcript"], float(r["duration_s"]))
        for r in rows
        if 2.0 <= float(r["duration_s"]) <= 15.0 and "stereo" not in r["path"]
    ]
    return chosen[:limit] if limit else chosen


def stops_mid_sentence(reference: str) -> bool:
    """Whether a recording is an excerpt that stops mid-sentence: its reference transcript is
    punctuated yet does not end a sentence (LJSpeech cuts its readings at pauses: "..., as an
    example of fine typography,"). Such a recording is not a whole reply, and the listener is
    right to wait there as after "and"; the latency table shows these turns apart. References
    without punctuation (MFA, LibriVox) cannot tell and count as whole replies."""
    text = reference.rstrip().rstrip('"\u201d)')
    punctuated = any(mark in text for mark in ",.;:?!")
    return punctuated and not text.endswith((".", "?", "!"))


THINKING = [
    ("I know you waited all day for that bed, and", "nobody even called you to say it was gone."),
    ("I'm asking because", "I want to understand what happened with the bus."),
    ("I think", "we could call the overflow shelter together right now."),
    ("So", "what would help most tonight, a bed or the appeal?"),
    ("It sounds like you kept every rule, and", "one late bus cost you the bed."),
    ("We can try the warming center, or maybe, I think", "the grievance line first."),
    ("You said the clinic closed early, and", "you were already feeling sick."),
    ("I want to be honest with you because", "I can't reopen the window today."),
    ("So what I'm hearing is", "you feel nobody is listening to you."),
    ("I think", "it makes sense that you're angry about this."),
    # A clause that waits for its main clause, paused at its comma (no hanging word).
    ("If the overflow shelter is full tonight,", "we can call the church on Fifth together."),
    ("When you got here and the window was closed,", "what was going through your head?"),
    ("Before we call anyone,", "I want to hear what you think would help."),
    ("Now that you've told me what happened at the desk,", "I can see why you're so upset."),
]


def espeak(text: str, folder: Path, name: str) -> np.ndarray:
    from voicecoach.audio.clip import read_audio
    from voicecoach.testing import Delivery, speak_with_espeak

    speak_with_espeak(text, folder / f"{name}.wav", Delivery(speed=150))
    return read_audio(folder / f"{name}.wav").samples


def offline_transcripts(paths: list[Path]) -> dict[str, str]:
    """Offline transcription (30 s window, beam 1) of ``paths`` in a separate process, so its model
    does not count in this process's peak memory."""
    done = subprocess.run(
        [sys.executable, "-m", "voicecoach", "analyze", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    import json

    return {item["file"]: item["transcript"] for item in map(json.loads, done.stdout.splitlines())}


def last_voiced_s(clip: np.ndarray) -> float:
    """Seconds from the start of ``clip`` to the end of its last 32 ms frame within 30 dB of its peak."""
    frames = clip[: len(clip) // 512 * 512].reshape(-1, 512)
    level = 20 * np.log10(np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-9)
    voiced = np.nonzero(level > level.max() - 30)[0]
    return (int(voiced[-1]) + 1) * 512 / 16_000 if voiced.size else 0.0


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


class LiveRig:
    """The live loop wired to the virtual audio server, answering like the product does."""

    def __init__(self, server_fifo: Path, folder: Path, results: Results) -> None:
        from voicecoach.analysis.tone import analyze_tone
        from voicecoach.asr import WhisperTranscriber
        from voicecoach.config import AsrOptions, SessionOptions
        from voicecoach.live.build import open_live_audio
        from voicecoach.persona.schema import get_persona
        from voicecoach.persona.state import initial_state
        from voicecoach.session import Engines, SessionContext, process_turn, speak
        from voicecoach.store import SessionStore
        from voicecoach.tts import Pyttsx3Synthesizer
        from voicecoach.types import Reply
        from voicecoach.virtual_audio import MicFeeder

        self.results = results
        self.feeder = MicFeeder(server_fifo)
        transcriber = WhisperTranscriber(AsrOptions(window="fit"))
        transcriber.warm_up()
        self.live = open_live_audio(transcriber, tone_of=analyze_tone)
        self.persona = get_persona("marcus")
        engines = Engines(transcriber, Pyttsx3Synthesizer(), self.live)
        self.ctx = SessionContext(self.persona, engines, SessionOptions(max_turns=10_000))
        self.store = SessionStore(folder)
        self.rng = random.Random(0)
        self.state = initial_state(self.persona)
        # Warm the analysis path once so the first timed turn is not a cold start.
        warm = Reply("warm-up", text="What happened?")
        process_turn(self.ctx, 0, warm, self.state, persona_line="Hi.", rng=self.rng)
        speak(self.ctx, "Okay.", self.state)

    def answer(self, reply: Any, name: str, duration_s: float, mid_sentence: bool) -> None:
        """Take one heard reply through the rest of the loop, as the product does, and time it."""
        from voicecoach.persona.state import initial_state
        from voicecoach.session import build_report, process_turn, speak

        turn, after = process_turn(self.ctx, 1, reply, self.state, persona_line="", rng=self.rng)
        replied = time.monotonic()
        persona_clip = speak(self.ctx, turn.persona_reply, after)
        spoken = time.monotonic()
        self.store.save_turn(turn, reply, persona_clip, build_report(self.ctx, "", [turn], "unresolved"))
        self.live.play(persona_clip)
        first_out = self.live.output_started[-1] or time.monotonic()
        self.state = after if turn.update.outcome is None else initial_state(self.persona)
        t = reply.times
        ended, heard = t["end_detected"], t["transcribed"]
        self.results.turns.append(
            TurnTiming(
                name,
                duration_s,
                mid_sentence,
                end_wait=ended - t["last_voice"],
                final_asr=max(0.0, heard - ended),
                analysis=replied - max(ended, heard),
                synthesis=spoken - replied,
                output=first_out - spoken,
                total=first_out - t["last_voice"],
                transcript=reply.transcript.text if reply.transcript else "",
            )
        )

    def say(self, clip: np.ndarray, name: str, mid_sentence: bool = False) -> tuple[str, int]:
        """Say ``clip`` into the microphone; answer each turn the live loop makes of it.

        Returns the reply's transcript and how many times the loop ended a turn in it (a
        continued turn counts: the persona had begun to answer).
        """
        from voicecoach.types import AudioClip

        if self.live.player is not None:
            # Like a trainee, wait for the client to finish before the next reply. Within a
            # reply, the client answering a pause is talked over (barge-in), as people do.
            self.live.player.wait(60)
        fed_at = time.monotonic()
        self.feeder.say(AudioClip(clip.astype(np.float32), 16_000))
        speech_ends_at = fed_at + last_voiced_s(clip)
        texts: list[str] = []
        ended = 0
        while True:
            reply = self.live.listener.listen_until(speech_ends_at + GIVE_UP_S)
            if reply is None:
                break
            ended += 1
            text = reply.transcript.text if reply.transcript else ""
            if reply.continues and texts:
                texts[-1] = text  # the reply went on: it replaces the turn it continues
            else:
                texts.append(text)
            self.answer(reply, name, len(clip) / 16_000, mid_sentence)
            # A turn that ended while the reply was still being spoken was cut off early; the
            # rest arrives as another turn.
            if time.monotonic() >= speech_ends_at - 0.2:
                break
        if not texts:
            self.results.missed.append(name)  # the detector never heard a reply in it
        time.sleep(0.3)
        return " ".join(texts), ended

    def idle_cpu_pct(self, seconds: float = 10.0) -> float:
        """CPU use of this process while the listener hears only room silence."""
        stop = threading.Event()

        def listen_idle() -> None:
            while not stop.is_set():
                frame = self.live.listener.mic.read()
                self.live.listener.detector.speech_probability_of(frame.samples)

        cpu0, wall0 = time.process_time(), time.monotonic()
        thread = threading.Thread(target=listen_idle, daemon=True)
        thread.start()
        time.sleep(seconds)
        stop.set()
        thread.join(timeout=2)
        return 100.0 * (time.process_time() - cpu0) / (time.monotonic() - wall0)

    def close(self) -> None:
        """Release devices and the feeder."""
        self.live.close()
        self.feeder.close()


def run_replies(rig: LiveRig, files: list[tuple[Path, str, float]], offline: dict[str, str]) -> None:
    """Every realspeech reply through the live loop, with its WER live and offline."""
    from voicecoach.audio.clip import read_audio
    from voicecoach.evaluation import normalise_words, word_error_rate

    for i, (path, reference, _duration) in enumerate(files, start=1):
        text, _ = rig.say(read_audio(path).samples, path.name, stops_mid_sentence(reference))
        n = len(normalise_words(reference))
        rig.results.wer_live.append((n, word_error_rate(reference, text)))
        rig.results.wer_offline.append((n, word_error_rate(reference, offline.get(str(path), ""))))
        if os.environ.get("LIVE_BENCH_VERBOSE"):
            print(f"\n{path.name}: {text} | {reference}", file=sys.stderr)
        print(f"\r  replies {i}/{len(files)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def run_thinking(rig: LiveRig, count: int, folder: Path) -> None:
    """Replies with a 0.8-1.5 s thinking pause mid-sentence: each must stay one turn."""
    folder.mkdir()
    pauses = np.linspace(0.8, 1.5, max(1, count))
    for i in range(count):
        first, second = THINKING[i % len(THINKING)]
        gap = np.zeros(int(pauses[i] * 16_000), dtype=np.float32)
        clip = np.concatenate([espeak(first, folder, f"a{i}"), gap, espeak(second, folder, f"b{i}")])
        text, turns_heard = rig.say(clip, f"thinking-{i}")
        if os.environ.get("LIVE_BENCH_VERBOSE"):
            print(f"\nthinking-{i} ({pauses[i]:.2f} s pause): {turns_heard} turn(s): {text}", file=sys.stderr)
        rig.results.thinking_total += 1
        rig.results.thinking_early += int(turns_heard > 1)
        print(f"\r  thinking {i + 1}/{count}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def run(limit: int | None, thinking: int) -> Results:
    """All three parts of the benchmark, on a private audio server."""
    from voicecoach.virtual_audio import VirtualAudioServer

    results = Results()
    files = realspeech_files(limit)
    offline = offline_transcripts([path for path, _, _ in files])
    with tempfile.TemporaryDirectory() as tmp, VirtualAudioServer(Path(tmp) / "pulse") as server:
        os.environ.update(server.client_env)  # before PortAudio is first loaded
        rig = LiveRig(server.fifo, Path(tmp) / "session", results)
        try:
            run_replies(rig, files, offline)
            run_thinking(rig, thinking, Path(tmp) / "thinking")
            results.cpu_idle_pct = rig.idle_cpu_pct()
            results.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        finally:
            rig.close()
    return results


def table(results: Results) -> str:
    def row(label: str, values: list[float]) -> str:
        ms = [v * 1000 for v in values]
        p50, p95, top = percentile(ms, 50), percentile(ms, 95), max(ms, default=0)
        return f"| {label} | {len(ms)} | {p50:.0f} | {p95:.0f} | {top:.0f} |"

    mid = [t for t in results.turns if 5.0 <= t.duration_s <= 10.0 and not t.name.startswith("thinking")]
    every = [t for t in results.turns if not t.name.startswith("thinking")]
    whole = [t for t in mid if not t.mid_sentence]
    lines = [
        "| voice-to-voice latency (ms) | turns | p50 | p95 | max |",
        "|---|---|---|---|---|",
        row("total, replies of 5-10 s", [t.total for t in mid]),
        row("· of them, recordings that end a sentence", [t.total for t in whole]),
        row("· of them, excerpts that stop mid-sentence", [t.total for t in mid if t.mid_sentence]),
        row("total, all replies of 2-15 s", [t.total for t in every]),
        row("· end-of-turn wait", [t.end_wait for t in every]),
        row("· final transcription (after the end was decided)", [t.final_asr for t in every]),
        row("· analysis + persona", [t.analysis for t in every]),
        row("· synthesis (pyttsx3)", [t.synthesis for t in every]),
        row("· storage + output start", [t.output for t in every]),
        "",
    ]
    words = sum(n for n, _ in results.wer_live)
    live = sum(n * w for n, w in results.wer_live) / words if words else float("nan")
    off = sum(n * w for n, w in results.wer_offline) / words if words else float("nan")
    lines += [
        "| measure | result | target |",
        "|---|---|---|",
        f"| live WER on realspeech ({len(results.wer_live)} files, {words} words) | {100 * live:.1f}% "
        "| within 1 point of offline |",
        f"| offline WER, same files (30 s window, beam 1) | {100 * off:.1f}% | |",
        f"| replies never heard as a turn | {len(results.missed)} "
        f"({', '.join(results.missed) or 'none'}) | 0 |",
        f"| thinking pauses cut off early | {results.thinking_early} of {results.thinking_total} "
        "| at most 1 in 20 |",
        f"| peak RSS of the live process | {results.peak_rss_mb:.0f} MB | ≤ 500 MB |",
        f"| CPU while listening (idle room) | {results.cpu_idle_pct:.1f}% of one core | |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N realspeech files")
    parser.add_argument("--thinking", type=int, default=20, help="number of thinking-pause replies")
    args = parser.parse_args()
    if not (REALSPEECH / "MANIFEST.tsv").is_file():
        sys.exit(f"live_bench: {REALSPEECH} not found (clone with ../shared beside the repo)")
    started = time.monotonic()
    results = run(args.limit, args.thinking)
    print(table(results))
    print(f"\n({time.monotonic() - started:.0f} s; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
