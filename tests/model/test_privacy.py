"""Privacy (issue 8): a whole session offline, private files, no kept recordings, quiet logs.

One real session (`practice --replies` on the demo recordings, real tiny.en and pyttsx3) runs
with no network namespace (``unshare -n``, where the machine allows it) and an audit hook that
records any Internet socket operation made from Python; with ``-vv`` so every log line is
written, and ``--no-keep-audio``. The tests then read what it left.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
NETGUARD = Path(__file__).with_name("netguard.py")
REPLIES = ROOT / "audio_fixtures" / "demo" / "replies"
MANIFEST = json.loads((ROOT / "audio_fixtures" / "MANIFEST.json").read_text())


@dataclass
class PrivateRun:
    code: int
    stderr: str
    attempts: str
    isolated: bool
    folder: Path


def network_namespace_available() -> bool:
    """Whether this process may run a child without network (``unshare -n``, needs root)."""
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture(scope="module")
def private_run(tmp_path_factory: pytest.TempPathFactory) -> PrivateRun:
    tmp = tmp_path_factory.mktemp("private")
    record = tmp / "network-attempts.txt"
    folder = tmp / "session"
    command = [sys.executable, str(NETGUARD), str(record), "-vv", "practice", "--persona", "marcus"]
    command += ["--replies", str(REPLIES), "--no-playback", "--no-keep-audio", "--out", str(folder)]
    isolated = network_namespace_available()
    done = subprocess.run(
        ["unshare", "-n", *command] if isolated else command,
        cwd=ROOT,
        env={**os.environ, "VOICECOACH_HOME": str(tmp / "home"), "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return PrivateRun(done.returncode, done.stderr, record.read_text(), isolated, folder)


def test_a_whole_session_runs_without_network(private_run: PrivateRun) -> None:
    assert private_run.code == 0, private_run.stderr
    assert private_run.attempts == "", f"network use: {private_run.attempts}"
    session = json.loads((private_run.folder / "session.json").read_text())
    assert session["status"] == "complete" and len(session["turns"]) >= 3
    if not private_run.isolated:
        # Without a network namespace only the audit hook watched: say so in the test report.
        pytest.xfail("unshare -n is not permitted here; only Python-level network use was checked")


def test_the_network_guard_sees_an_attempt(tmp_path: Path) -> None:
    # The guard itself can fail: a lookup made through it is recorded.
    record = tmp_path / "attempts.txt"
    script = (
        "import atexit, socket, sys, netguard; "
        f"atexit.register(netguard.save, __import__('pathlib').Path({str(record)!r})); "
        "sys.addaudithook(netguard.audit); socket.socket(socket.AF_INET)"
    )
    subprocess.run([sys.executable, "-c", script], cwd=NETGUARD.parent, check=True, timeout=60)
    assert "socket.__new__" in record.read_text()


def test_no_keep_audio_keeps_only_numbers_and_text(private_run: PrivateRun) -> None:
    folder = private_run.folder
    session = json.loads((folder / "session.json").read_text())
    assert all(turn["audio_file"] is None for turn in session["turns"])
    assert all(turn["transcript"] and turn["tone"] for turn in session["turns"])
    assert not list(folder.rglob("trainee_*")), "a reply recording was kept"
    # The report embeds the persona's synthetic lines only: one player per persona line.
    html = (folder / "report.html").read_text()
    assert html.count("data:audio/wav;base64,") == len(list((folder / "audio").glob("persona_*.wav")))


def test_session_folders_are_private(private_run: PrivateRun) -> None:
    for path in [private_run.folder, *private_run.folder.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_transcripts_reach_the_logs_only_at_debug(private_run: PrivateRun) -> None:
    said = [f["text"] for f in MANIFEST["files"] if f["file"].startswith("demo/replies/")]
    # Distinctive words of what the trainee said ("curfew", "overflow", ...).
    words = {w for text in said for w in re.findall(r"[a-z]{6,}", text.lower())}
    log_lines = [line for line in private_run.stderr.splitlines() if re.match(r"[A-Z]+ \S+: ", line)]
    debug = [line for line in log_lines if line.startswith("DEBUG ")]
    above = [line for line in log_lines if not line.startswith("DEBUG ")]
    assert any("transcript:" in line and words & set(line.lower().split()) for line in debug), (
        "the transcripts were expected in the DEBUG lines (-vv): is logging captured at all?"
    )
    leaked = [line for line in above if words & set(re.findall(r"[a-z]+", line.lower()))]
    assert not leaked, leaked
