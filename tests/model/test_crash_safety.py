"""Crash safety (issue 8): SIGKILL at random points of a 20-turn session, 50 times.

Each run is the real `voicecoach practice --replies` with 20 replies, killed with SIGKILL at a
random moment from start-up to the end of the session: 10 runs on spoken replies (espeak-ng
voice, real tiny.en, reply audio stored) and 40 on the same replies typed, whose turns take a
tenth of the time, so more of each run is spent storing files. Afterwards `voicecoach review`
must turn the folder into reports that hold every turn the program had announced as done, and no
file in the folder may be corrupt: every JSON parses, every WAV decodes, no temporary file is left.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from voicecoach.cli import main
from voicecoach.testing import speak_with_espeak

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
TURNS = 20
#: Information-seeking replies, one naming his night, keep Marcus unresolved for all 20 turns
#: (agitation 37-71 with the analyser of this commit; he resolves below 25 and escalates at 85),
#: so every kill lands inside a session that is still running. Closed questions leave his need
#: for a concrete option unmet (+3 a turn), so the session drifts up slowly.
LINES = (
    "Okay. Tell me more about last night.",
    "What time did you get back to the shelter?",
    "That sounds like a long night.",
    "Who did you talk to at the desk?",
    "Where did you go after that?",
)


@dataclass
class Outcome:
    """What one killed run left behind."""

    announced: int  # "You: …" lines printed, each after its turn was stored
    folder: Path


def spoken_replies(folder: Path) -> Path:
    for index in range(TURNS):
        speak_with_espeak(LINES[index % len(LINES)], folder / f"{index + 1:02d}.wav")
    return folder


def typed_replies(folder: Path) -> Path:
    path = folder / "replies.txt"
    path.write_text("\n".join(LINES[index % len(LINES)] for index in range(TURNS)) + "\n")
    return path


def practice(replies: Path, out: Path) -> subprocess.Popen[str]:
    args = ["--replies", str(replies), "--max-turns", str(TURNS), "--no-playback", "--out", str(out)]
    return subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "practice", "--persona", "marcus", *args],
        cwd=ROOT,
        # Unbuffered: each "You:" line reaches the pipe when printed, so the count is exact.
        env={**os.environ, "VOICECOACH_HOME": str(out.parent / "home"), "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        # The session's running commentary goes to stderr (stdout is kept for --json).
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass(frozen=True)
class KillPoint:
    """Kill ``delay_s`` after the ``after_turns``-th turn was announced (0: after start)."""

    after_turns: int
    delay_s: float


def run_and_kill(replies: Path, out: Path, point: KillPoint) -> Outcome:
    # Counting turns instead of seconds puts the kill in the intended phase however loaded the
    # machine is (two runs share two cores here).
    process = practice(replies, out)
    assert process.stderr is not None
    seen = 0
    while seen < point.after_turns:
        line = process.stderr.readline()
        if not line:
            break  # the session ended by itself
        seen += line.startswith("You: ")
    time.sleep(point.delay_s)
    process.send_signal(signal.SIGKILL)
    _, rest = process.communicate(timeout=30)
    return Outcome(seen + announced(rest), out)


def announced(said: str) -> int:
    return len(re.findall(r"^You: ", said, flags=re.MULTILINE))


def review(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`voicecoach review FOLDER` through the command's own entry point, in this process.

    (Fifty fresh interpreters would add a minute of imports and prove nothing more.)
    """
    code = main(["review", str(folder)])
    return code, capsys.readouterr().err


def assert_no_corrupt_file(folder: Path) -> None:
    for path in folder.rglob("*"):
        assert not path.name.endswith(".tmp"), f"temporary file left: {path}"
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".wav":
            with wave.open(str(path)) as w:
                assert w.getnframes() == len(w.readframes(w.getnframes())) // w.getsampwidth(), path


def check_recovered(outcome: Outcome, capsys: pytest.CaptureFixture[str]) -> int:
    """Review the killed run's folder; return how many turns it kept."""
    folder = outcome.folder
    if not (folder / "session.json").exists():
        # Killed before the persona's opening line was stored: nothing was done, nothing lost.
        assert outcome.announced == 0
        return 0
    code, said = review(folder, capsys)
    assert code == 0, said
    session = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    turns = session["turns"]
    # A turn is stored before it is announced: at most one stored turn went unannounced.
    assert outcome.announced <= len(turns) <= outcome.announced + 1, (outcome.announced, len(turns))
    assert [t["index"] for t in turns] == list(range(1, len(turns) + 1))
    assert session["status"] in ("stopped", "complete")
    report = (folder / "report.md").read_text(encoding="utf-8")
    for turn in turns:
        assert f"### Turn {turn['index']}" in report
        assert turn["transcript"] and turn["wording"]["effect"] and turn["persona_reply"]
        assert (folder / turn["persona_audio_file"]).is_file()
        assert turn["audio_file"] is None or (folder / turn["audio_file"]).is_file()
    assert (folder / "report.html").stat().st_size > 0
    assert_no_corrupt_file(folder)
    return len(turns)


@pytest.mark.parametrize(("make_replies", "kills"), [(spoken_replies, 10), (typed_replies, 40)])
def test_sigkill_at_random_points_never_loses_a_completed_turn(
    make_replies: Callable[[Path], Path], kills: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "replies").mkdir()
    replies = make_replies(tmp_path / "replies")
    # One uninterrupted run measures how long start-up and a turn take here.
    started = time.monotonic()
    whole = practice(replies, tmp_path / "whole")
    _, said = whole.communicate(timeout=300)
    length_s = time.monotonic() - started
    assert whole.returncode == 0 and announced(said) == TURNS, said
    turn_s = length_s / (TURNS + 1)  # start-up and the opening line take about one turn's time

    # Five kills during start-up and the opening line, the rest at a random moment of a random
    # turn (storing the reply audio, the persona's audio, session.json, or the final reports).
    rng = random.Random(8)
    points = [KillPoint(0, rng.uniform(0.1, 2 * turn_s)) for _ in range(5)]
    points += [KillPoint(rng.randint(1, TURNS), rng.uniform(0, turn_s)) for _ in range(kills - 5)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(
                lambda job: run_and_kill(replies, tmp_path / f"kill{job[0]:02d}", job[1]), enumerate(points)
            )
        )
    kept = [check_recovered(outcome, capsys) for outcome in outcomes]
    # The kills really hit every phase: before any turn, mid-session and at the end.
    assert min(kept) == 0 and max(kept) >= TURNS - 2 and len(set(kept)) >= kills // 5, kept
