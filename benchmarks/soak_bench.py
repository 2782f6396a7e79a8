#!/usr/bin/env python3
"""Soak benchmark (issue 8): memory growth and latency drift over a long session, in one process.

1. scripted: ``--turns`` (200) replies through the real per-turn work of ``run_session``, in one
   session: faster-whisper tiny.en transcription (30 s window, as recorded practice uses), tone
   and wording analysis, the persona's move and answer (Marcus), pyttsx3 synthesis and crash-safe
   storage (``SessionStore`` in a temporary folder, session.json rewritten every turn), no
   playback. Replies cycle the committed recordings in audio_fixtures/demo/replies and
   audio_fixtures/unskilled. The persona is driven turn by turn with ``process_turn``; when it
   resolves or escalates, its state starts again and the same session goes on. Per turn: wall
   time of each stage and the process RSS (VmRSS). Memory growth = RSS at the last turn against
   RSS after the warm-up turns; drift = p50 turn time of the last 50 turns against the first 50.
2. live: ``--minutes`` (30) of the real live loop (``run_session`` over the microphone: Silero
   VAD, speculative fitted-window transcription, analysis, persona, pyttsx3, storage, PortAudio
   output played out in full) on a private PulseAudio server. A trainee thread says the fixture
   recordings and the ../shared/realspeech recordings of 2-15 s in real time, each after the
   persona's line has played; a session that ends (resolved, escalated, ``--max-turns``) is
   followed by a new one in the same process. RSS, CPU and load are sampled every 10 s; each
   turn's voice-to-voice latency (last voiced sample to the first persona sample at the output)
   is kept. Memory growth = the maximum and the final RSS against RSS at the end of the warm-up
   (the first 2 minutes); drift = p50 of the last block (5 minutes) against the first.

Targets: memory growth after warm-up at most 10%; latency drift within 10% (reported, the
machine's load shows in the table: other jobs share the cores). Like the other benchmarks this
prints Markdown tables with a pass column and exits 0.

Usage: .venv/bin/python benchmarks/soak_bench.py [--part scripted|live|both] [--turns 200]
       [--minutes 30] [--warmup-turns 20] [--warmup-minutes 2] [--block-minutes 5]
Live needs pulseaudio, pulseaudio-utils, libasound2-plugins and espeak-ng.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import os
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from live_bench import GIVE_UP_S, REALSPEECH, last_voiced_s, percentile, realspeech_files  # noqa: E402

if TYPE_CHECKING:
    from voicecoach.live.conversation import LiveAudio
    from voicecoach.types import AudioClip, Reply, TurnResult

FIXTURE_DIRS = (ROOT / "audio_fixtures" / "demo" / "replies", ROOT / "audio_fixtures" / "unskilled")
#: Memory may grow at most this much after warm-up; latency p50 may drift at most this much.
GROWTH_LIMIT_PCT = 10.0
DRIFT_LIMIT_PCT = 10.0
#: Seconds between RSS / CPU samples in the live part.
SAMPLE_EVERY_S = 10.0
PERSONA = "marcus"


# ---------------------------------------------------------------- measuring the process


def rss_mb() -> float:
    """Resident set size of this process now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Highest resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load1() -> float:
    """The machine's 1-minute load average."""
    return os.getloadavg()[0]


def finite(values: list[float]) -> list[float]:
    """``values`` without NaN (an answer whose output start was never seen has no latency)."""
    return [v for v in values if not np.isnan(v)]


def change_pct(before: float, after: float) -> float:
    return 100.0 * (after - before) / before if before else float("nan")


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def fixture_clips() -> list[tuple[str, AudioClip]]:
    """The committed reply recordings, named ``folder/file``."""
    from voicecoach.audio.clip import read_audio

    paths = [p for folder in FIXTURE_DIRS for p in sorted(folder.glob("*.wav"))]
    return [(f"{p.parent.name}/{p.name}", read_audio(p)) for p in paths]


# ---------------------------------------------------------------- part 1: scripted


@dataclass
class ScriptedTurn:
    index: int
    clip: str
    transcribe: float
    analysis: float
    synthesis: float
    storage: float
    total: float
    cpu: float  # CPU seconds of the whole process (all threads): less sensitive to other load
    rss_mb: float
    load: float


class TimedTranscriber:
    """The real transcriber, remembering how long its last call took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last_s = 0.0

    def transcribe(self, clip: AudioClip) -> Any:
        started = time.perf_counter()
        try:
            return self.inner.transcribe(clip)
        finally:
            self.last_s = time.perf_counter() - started


@dataclass
class ScriptedRun:
    turns: list[ScriptedTurn] = field(default_factory=list)
    restarts: int = 0
    finish_s: float = 0.0
    peak_before_finish_mb: float = 0.0
    rss_after_finish_mb: float = 0.0
    session_json_kb: float = 0.0
    peak_mb: float = 0.0
    cycle: int = 1  # replies in one round of the fixture recordings


class ScriptedSession:
    """One session driven reply by reply, doing each turn's work in ``run_session``'s order."""

    def __init__(self, folder: Path, turns: int) -> None:
        from voicecoach.asr import WhisperTranscriber
        from voicecoach.audio.devices import NullSink
        from voicecoach.config import SessionOptions
        from voicecoach.persona.reply import opening_line
        from voicecoach.persona.schema import get_persona
        from voicecoach.persona.state import initial_state
        from voicecoach.session import Engines, SessionContext, speak
        from voicecoach.store import SessionStore
        from voicecoach.tts import Pyttsx3Synthesizer

        whisper = WhisperTranscriber()  # the 30 s window that recorded practice uses
        whisper.warm_up()
        self.timed = TimedTranscriber(whisper)
        persona = get_persona(PERSONA)
        engines = Engines(self.timed, Pyttsx3Synthesizer(), NullSink())
        self.ctx = SessionContext(persona, engines, SessionOptions(max_turns=turns))
        self.turns = turns
        self.rng = random.Random(0)
        self.state = initial_state(persona)
        self.done: list[TurnResult] = []
        self.restarts = 0
        self.store = SessionStore(folder)
        self.opening = opening_line(persona, self.rng)
        self.last_line = self.opening
        opening_clip = speak(self.ctx, self.opening, self.state)
        save_opening(self.store, self.ctx, self.opening, opening_clip)
        engines.sink.play(opening_clip)

    def turn(self, index: int, name: str, clip: AudioClip) -> ScriptedTurn:
        """Transcribe, analyse, move the persona, synthesise, store and play one reply; time it."""
        from voicecoach.persona.state import initial_state
        from voicecoach.session import build_report, process_turn, speak
        from voicecoach.types import Reply

        reply = Reply(name, clip=clip)
        cpu0, t0 = time.process_time(), time.perf_counter()
        turn, after = process_turn(
            self.ctx, index, reply, self.state, persona_line=self.last_line, rng=self.rng
        )
        t1 = time.perf_counter()
        persona_clip = speak(self.ctx, turn.persona_reply, after)
        t2 = time.perf_counter()
        report = build_report(self.ctx, self.opening, [*self.done, turn], turn.update.outcome or "unresolved")
        turn = self.store.save_turn(turn, reply, persona_clip, report)
        self.ctx.engines.sink.play(persona_clip)
        t3 = time.perf_counter()
        self.done.append(turn)
        self.last_line, self.state = turn.persona_reply, after
        if turn.update.outcome is not None and index < self.turns:
            self.restarts += 1  # the scenario ended: the persona starts again, same session
            self.state = initial_state(self.ctx.persona)
        transcribe = self.timed.last_s
        return ScriptedTurn(
            index,
            name,
            transcribe=transcribe,
            analysis=(t1 - t0) - transcribe,
            synthesis=t2 - t1,
            storage=t3 - t2,
            total=t3 - t0,
            cpu=time.process_time() - cpu0,
            rss_mb=rss_mb(),
            load=load1(),
        )

    def finish(self) -> float:
        """Close the session as ``complete`` (renders report.md/html); return the seconds it took."""
        from voicecoach.session import build_report

        started = time.perf_counter()
        self.store.finish(build_report(self.ctx, self.opening, self.done, "unresolved"), "complete")
        return time.perf_counter() - started


def save_opening(store: Any, ctx: Any, line: str, clip: AudioClip) -> None:
    """Store the opening line. ``SessionStore.save_opening`` is gaining the empty session report
    (crash safety work in progress beside this benchmark): call whichever signature it has."""
    from voicecoach.session import build_report

    if "report" in inspect.signature(store.save_opening).parameters:
        store.save_opening(line, clip, build_report(ctx, line, [], "unresolved"))
    else:
        store.save_opening(line, clip)


def run_scripted(turns: int) -> ScriptedRun:
    """``turns`` replies, cycling the fixture recordings, through one session in a temp folder."""
    run = ScriptedRun()
    fixtures = fixture_clips()
    run.cycle = len(fixtures)
    clips = itertools.cycle(fixtures)
    with tempfile.TemporaryDirectory(prefix="soak-scripted-") as tmp:
        session = ScriptedSession(Path(tmp) / "session", turns)
        for index in range(1, turns + 1):
            name, clip = next(clips)
            run.turns.append(session.turn(index, name, clip))
            print(f"\r  scripted turn {index}/{turns}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        run.peak_before_finish_mb = peak_rss_mb()
        run.finish_s = session.finish()
        run.rss_after_finish_mb = rss_mb()
        run.restarts = session.restarts
        run.session_json_kb = (session.store.folder / "session.json").stat().st_size / 1024
    run.peak_mb = peak_rss_mb()
    return run


def p50_ms(turns: list[ScriptedTurn], stage: str) -> float:
    """Median of one stage's time over ``turns``, in ms."""
    return 1000 * percentile([getattr(t, stage) for t in turns], 50)


def scripted_tables(run: ScriptedRun, warmup: int) -> str:
    """Blocks of 25 turns, then the memory and drift verdicts."""
    turns = run.turns
    lines = [
        "| turns | p50 turn (ms) | p95 turn | CPU p50 | transcribe p50 | analysis p50 | synthesis p50 "
        "| storage p50 | RSS at end (MB) | load avg (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for start in range(0, len(turns), 25):
        block = turns[start : start + 25]
        lines.append(
            f"| {block[0].index}-{block[-1].index} | {p50_ms(block, 'total'):.0f} "
            f"| {1000 * percentile([t.total for t in block], 95):.0f} | {p50_ms(block, 'cpu'):.0f} "
            f"| {p50_ms(block, 'transcribe'):.0f} | {p50_ms(block, 'analysis'):.0f} "
            f"| {p50_ms(block, 'synthesis'):.0f} | {p50_ms(block, 'storage'):.1f} "
            f"| {block[-1].rss_mb:.0f} | {block[-1].load:.2f} |"
        )
    warm = turns[min(warmup, len(turns)) - 1].rss_mb
    end = turns[-1].rss_mb
    top = max(t.rss_mb for t in turns[warmup:] or turns)
    span = min(50, len(turns) // 2)
    first, last = p50_ms(turns[:span], "total"), p50_ms(turns[-span:], "total")
    growth, drift = change_pct(warm, end), change_pct(first, last)
    # The same replies in both windows: whole rounds of the fixture recordings.
    rounds = span // run.cycle * run.cycle or span
    aligned = len(turns) // run.cycle * run.cycle or len(turns)
    m_first, m_last = p50_ms(turns[:rounds], "total"), p50_ms(turns[aligned - rounds : aligned], "total")
    m_drift = change_pct(m_first, m_last)
    store_first, store_last = p50_ms(turns[:span], "storage"), p50_ms(turns[-span:], "storage")
    cpu_first, cpu_last = p50_ms(turns[:span], "cpu"), p50_ms(turns[-span:], "cpu")
    lines += [
        "",
        "| measure | result | target | pass |",
        "|---|---|---|---|",
        f"| RSS after turn {warmup} → last turn | {warm:.0f} → {end:.0f} MB ({growth:+.1f}%) "
        f"| ≤ +{GROWTH_LIMIT_PCT:.0f}% | {verdict(growth <= GROWTH_LIMIT_PCT)} |",
        f"| highest RSS after warm-up (per turn) / peak RSS before closing the session (getrusage) "
        f"| {top:.0f} / {run.peak_before_finish_mb:.0f} MB | | — |",
        f"| peak RSS after closing (report.md + report.html) / RSS after | {run.peak_mb:.0f} / "
        f"{run.rss_after_finish_mb:.0f} MB | | — |",
        f"| p50 turn time, first {span} → last {span} turns | {first:.0f} → {last:.0f} ms ({drift:+.1f}%) "
        f"| within ±{DRIFT_LIMIT_PCT:.0f}% | {verdict(abs(drift) <= DRIFT_LIMIT_PCT)} |",
        f"| same, whole rounds of the {run.cycle} replies: first {rounds} → turns "
        f"{aligned - rounds + 1}-{aligned} | {m_first:.0f} → {m_last:.0f} ms ({m_drift:+.1f}%) "
        f"| within ±{DRIFT_LIMIT_PCT:.0f}% | {verdict(abs(m_drift) <= DRIFT_LIMIT_PCT)} |",
        f"| p50 CPU time per turn, first {span} → last {span} turns | {cpu_first:.0f} → {cpu_last:.0f} ms "
        f"({change_pct(cpu_first, cpu_last):+.1f}%) | within ±{DRIFT_LIMIT_PCT:.0f}% "
        f"| {verdict(abs(change_pct(cpu_first, cpu_last)) <= DRIFT_LIMIT_PCT)} |",
        f"| p50 storage, first {span} → last {span} turns | {store_first:.1f} → {store_last:.1f} ms | | — |",
        f"| session.json at the end / final report rendering | {run.session_json_kb:.0f} kB / "
        f"{run.finish_s:.2f} s | | — |",
        f"| persona restarts (resolved / escalated) within the session | {run.restarts} | | — |",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- part 2: live


@dataclass
class LiveTurn:
    at_s: float
    session: int
    total: float
    end_wait: float
    analysis: float
    synthesis: float
    storage: float
    output: float
    rss_mb: float


@dataclass
class Sample:
    at_s: float
    rss_mb: float
    cpu_pct: float
    load: float


@dataclass
class LiveRun:
    turns: list[LiveTurn] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    sessions: int = 0
    said: int = 0
    unanswered: int = 0
    peak_mb: float = 0.0


class SoakRig:
    """The live loop as the product runs it, a trainee thread speaking into it, and the records.

    The persona's lines reach the output through :meth:`play` (the session's sink), which notes
    when each answer started so the trainee knows it may speak again once it has played out.
    """

    def __init__(self, live: LiveAudio, feeder: Any, started: float) -> None:
        self.live = live
        self.feeder = feeder
        self.started = started
        self.run = LiveRun()
        self.plays = 0
        self.answered = threading.Condition()
        self.accepting = threading.Event()  # cleared between sessions (reports, next opening)
        self._pending: TurnResult | None = None
        self.details = False
        self.stopped = False

    # The session's observer and sink.
    def persona_said(self, line: str, stage: str) -> None:
        pass

    def turn_done(self, turn: TurnResult) -> None:
        self._pending = turn

    def play(self, clip: AudioClip) -> None:
        entered = time.monotonic()
        self.live.play(clip)
        out = self.live.output_started[-1] if self.live.output_started else None
        turn, self._pending = self._pending, None
        if turn is not None and turn.latency:
            self._record(turn.latency, entered, out)
        with self.answered:
            self.plays += 1
            self.answered.notify_all()
        self.accepting.set()

    def _record(self, latency: dict[str, float], entered: float, out: float | None) -> None:
        """One turn's voice-to-voice split: ``entered`` is when the session handed its answer to
        the sink (after storage), ``out`` when the answer's first samples reached the output."""
        assert self._last_reply is not None  # a turn always follows a heard reply
        last_voice = self._last_reply.times["last_voice"]
        out_at = float("nan") if out is None else out
        turn = LiveTurn(
            at_s=time.monotonic() - self.started,
            session=self.run.sessions,
            total=out_at - last_voice,
            end_wait=latency["end_of_turn_wait_s"] + latency["final_transcription_s"],
            analysis=latency["analysis_persona_s"],
            synthesis=latency["synthesis_s"],
            storage=entered - (last_voice + latency["to_synthesis_s"]),
            output=out_at - entered,
            rss_mb=rss_mb(),
        )
        self.run.turns.append(turn)
        if self.details:
            print(f"\n  {turn}", file=sys.stderr)

    _last_reply: Reply | None = None

    def replies_until(self, stop_at: float) -> Iterator[Reply]:
        """The microphone's replies until ``stop_at`` (monotonic): the session's reply source."""
        while True:
            reply = self.live.listener.listen_until(stop_at)
            if reply is None:
                return
            self._last_reply = reply
            yield reply

    def speak(self, clips: list[tuple[str, AudioClip]], stop_at: float) -> None:
        """The trainee: say each clip in turn once the persona has finished, until ``stop_at``."""
        rng = random.Random(1)
        for _name, clip in itertools.cycle(clips):
            self.accepting.wait(timeout=60)
            if self.stopped:
                return
            if self.live.player is not None:
                self.live.player.wait(timeout=60)
            time.sleep(rng.uniform(0.4, 1.2))  # the trainee thinks before answering
            if time.monotonic() + clip.duration_s > stop_at:
                return
            with self.answered:
                seen = self.plays
            self.feeder.say(clip)
            voice_ends = time.monotonic() + last_voiced_s(clip.samples)
            self.run.said += 1
            self.run.unanswered += int(not self._wait_answer(seen, voice_ends))

    def _wait_answer(self, seen: int, voice_ends: float) -> bool:
        """Wait for the persona to answer this reply (or its last part: after its last word)."""

        def answered() -> bool:
            return self.stopped or (self.plays > seen and time.monotonic() > voice_ends)

        with self.answered:
            return self.answered.wait_for(answered, timeout=voice_ends - time.monotonic() + GIVE_UP_S + 10)

    def stop(self) -> None:
        """Tell the trainee to stop speaking."""
        self.stopped = True
        self.accepting.set()
        with self.answered:
            self.answered.notify_all()

    def sample(self, stop: threading.Event) -> None:
        """RSS, CPU share and load every SAMPLE_EVERY_S seconds until ``stop``."""
        cpu, wall = time.process_time(), time.monotonic()
        self.run.samples.append(Sample(0.0, rss_mb(), float("nan"), load1()))
        while not stop.wait(SAMPLE_EVERY_S):
            cpu2, wall2 = time.process_time(), time.monotonic()
            share = 100.0 * (cpu2 - cpu) / (wall2 - wall)
            self.run.samples.append(Sample(wall2 - self.started, rss_mb(), share, load1()))
            cpu, wall = cpu2, wall2


def live_clips() -> list[tuple[str, AudioClip]]:
    """Fixture replies, then realspeech recordings of 2-15 s (when ../shared is there), at 16 kHz."""
    from voicecoach.audio.clip import read_audio

    clips = fixture_clips()
    if (REALSPEECH / "MANIFEST.tsv").is_file():
        clips += [(p.name, read_audio(p)) for p, _, _ in realspeech_files(None)]
    return clips


def run_sessions(rig: SoakRig, transcriber: Any, stop_at: float, max_turns: int) -> None:
    """Sessions one after another through ``run_session`` until ``stop_at``."""
    from voicecoach.config import SessionOptions
    from voicecoach.persona.schema import get_persona
    from voicecoach.session import Engines, SessionContext, run_session
    from voicecoach.store import SessionStore
    from voicecoach.tts import Pyttsx3Synthesizer

    persona = get_persona(PERSONA)
    with tempfile.TemporaryDirectory(prefix="soak-live-") as tmp:
        while time.monotonic() < stop_at - 20:  # room for an opening and at least one turn
            rig.run.sessions += 1
            options = SessionOptions(max_turns=max_turns, seed=rig.run.sessions)
            ctx = SessionContext(persona, Engines(transcriber, Pyttsx3Synthesizer(), rig), options)
            store = SessionStore(Path(tmp) / f"session{rig.run.sessions:03d}")
            rig.accepting.clear()
            report = run_session(ctx, rig.replies_until(stop_at), store, rig)
            rig.accepting.clear()
            if rig.live.player is not None:
                rig.live.player.wait(timeout=30)  # the last line plays out, as live.finish() does
            store.finish(report, "complete")
            print(
                f"\r  live {time.monotonic() - rig.started:.0f} s, session {rig.run.sessions}, "
                f"{len(rig.run.turns)} turns",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)


def run_live(minutes: float, max_turns: int, details: bool) -> LiveRun:
    """``minutes`` of live practice on a private audio server, in this process."""
    from voicecoach.analysis.tone import analyze_tone
    from voicecoach.asr import WhisperTranscriber
    from voicecoach.config import AsrOptions
    from voicecoach.live.build import open_live_audio
    from voicecoach.virtual_audio import MicFeeder, VirtualAudioServer

    clips = live_clips()
    with tempfile.TemporaryDirectory(prefix="soak-pulse-") as tmp, VirtualAudioServer(Path(tmp)) as server:
        os.environ.update(server.client_env)  # before PortAudio is first loaded
        feeder = MicFeeder(server.fifo)
        transcriber = WhisperTranscriber(AsrOptions(window="fit"))  # as `practice` does live
        transcriber.warm_up()
        live = open_live_audio(transcriber, tone_of=analyze_tone)
        started = time.monotonic()
        stop_at = started + 60 * minutes
        rig = SoakRig(live, feeder, started)
        rig.details = details
        stop = threading.Event()
        threads = [
            threading.Thread(target=rig.speak, args=(clips, stop_at), name="trainee", daemon=True),
            threading.Thread(target=rig.sample, args=(stop,), name="sampler", daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            run_sessions(rig, transcriber, stop_at, max_turns)
        finally:
            stop.set()
            rig.stop()
            for thread in threads:
                thread.join(timeout=90)
            rig.run.samples.append(Sample(time.monotonic() - started, rss_mb(), float("nan"), load1()))
            live.close()
            feeder.close()
    rig.run.peak_mb = peak_rss_mb()
    return rig.run


def live_tables(run: LiveRun, warmup_s: float, block_s: float, total_s: float) -> str:
    """Latency and memory by block, then the memory and drift verdicts."""
    lines = [
        "| minutes | turns | voice-to-voice p50 (ms) | p95 | end-of-turn wait p50 | synthesis p50 "
        "| storage p50 | output start p50 | RSS at end (MB) | CPU (% of a core) | load avg (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    blocks: list[list[LiveTurn]] = []
    count = max(1, int(np.ceil(total_s / block_s - 1e-6)))
    for lo in np.arange(count) * block_s:
        hi = lo + block_s if lo + block_s < total_s else float("inf")  # the last block takes the tail
        block = [t for t in run.turns if lo <= t.at_s < hi]
        samples = [s for s in run.samples if lo < s.at_s <= hi] or run.samples[-1:]
        cpu = [s.cpu_pct for s in samples if not np.isnan(s.cpu_pct)]
        blocks.append(block)

        def ms(values: list[float], q: float) -> str:
            seen = finite(values)
            return f"{1000 * percentile(seen, q):.0f}" if seen else "–"

        lines.append(
            f"| {lo / 60:g}-{min(hi, total_s) / 60:g} | {len(block)} | {ms([t.total for t in block], 50)} "
            f"| {ms([t.total for t in block], 95)} | {ms([t.end_wait for t in block], 50)} "
            f"| {ms([t.synthesis for t in block], 50)} | {ms([t.storage for t in block], 50)} "
            f"| {ms([t.output for t in block], 50)} "
            f"| {samples[-1].rss_mb:.0f} | {np.mean(cpu) if cpu else float('nan'):.0f} "
            f"| {np.mean([s.load for s in samples]):.2f} |"
        )
    after = [s for s in run.samples if s.at_s >= warmup_s]
    warm = min(run.samples, key=lambda s: abs(s.at_s - warmup_s)).rss_mb
    top, end = max(s.rss_mb for s in after or run.samples), run.samples[-1].rss_mb
    filled = [b for b in blocks if b] or [[]]
    first, last = filled[0], filled[-1]
    p_first = 1000 * percentile(finite([t.total for t in first]), 50)
    p_last = 1000 * percentile(finite([t.total for t in last]), 50)
    unseen = sum(1 for t in run.turns if np.isnan(t.output))
    late = sum(1 for t in run.turns if t.output > 0.5)  # NaN compares False
    grow_max, grow_end, drift = change_pct(warm, top), change_pct(warm, end), change_pct(p_first, p_last)
    loads = [s.load for s in run.samples]
    lines += [
        "",
        "| measure | result | target | pass |",
        "|---|---|---|---|",
        f"| RSS at {warmup_s / 60:g} min → highest after | {warm:.0f} → {top:.0f} MB ({grow_max:+.1f}%) "
        f"| ≤ +{GROWTH_LIMIT_PCT:.0f}% | {verdict(grow_max <= GROWTH_LIMIT_PCT)} |",
        f"| RSS at {warmup_s / 60:g} min → end | {warm:.0f} → {end:.0f} MB ({grow_end:+.1f}%) "
        f"| ≤ +{GROWTH_LIMIT_PCT:.0f}% | {verdict(grow_end <= GROWTH_LIMIT_PCT)} |",
        f"| voice-to-voice p50, first block → last block | {p_first:.0f} → {p_last:.0f} ms ({drift:+.1f}%) "
        f"| within ±{DRIFT_LIMIT_PCT:.0f}% | {verdict(abs(drift) <= DRIFT_LIMIT_PCT)} |",
        f"| peak RSS (getrusage) | {run.peak_mb:.0f} MB | | — |",
        f"| answers whose output start took > 0.5 s / was not seen in the player's 2 s wait "
        f"(left out of the latency figures) | {late} / {unseen} | | — |",
        f"| sessions / turns / replies said / replies never answered | {run.sessions} / {len(run.turns)} "
        f"/ {run.said} / {run.unanswered} | | — |",
        f"| load average (1 min) during the run, min / mean / max | {min(loads):.2f} / "
        f"{np.mean(loads):.2f} / {max(loads):.2f} | | — |",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- command line


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("scripted", "live", "both"), default="both")
    parser.add_argument("--turns", type=int, default=200, help="scripted: replies in the session")
    parser.add_argument("--warmup-turns", type=int, default=20, help="scripted: turns before RSS counts")
    parser.add_argument("--minutes", type=float, default=30.0, help="live: how long to practise")
    parser.add_argument("--warmup-minutes", type=float, default=2.0, help="live: minutes before RSS counts")
    parser.add_argument("--block-minutes", type=float, default=5.0, help="live: latency block length")
    parser.add_argument("--max-turns", type=int, default=12, help="live: turns per session (product default)")
    parser.add_argument("--details", action="store_true", help="live: print each turn on stderr")
    args = parser.parse_args()
    started = time.monotonic()
    print(f"load average at start: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min)")
    if args.part in ("scripted", "both"):
        run = run_scripted(args.turns)
        print(f"\n## Scripted: {args.turns} turns in one session\n")
        print(scripted_tables(run, args.warmup_turns))
    if args.part in ("live", "both"):
        live = run_live(args.minutes, args.max_turns, args.details)
        print(f"\n## Live: {args.minutes:g} minutes on the virtual audio server\n")
        print(live_tables(live, 60 * args.warmup_minutes, 60 * args.block_minutes, 60 * args.minutes))
    print(
        f"\n({time.monotonic() - started:.0f} s; {os.cpu_count()} cores; load average at end "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
