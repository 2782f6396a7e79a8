"""Issue #8's bad input matrix through the real command, the real model and real files.

Every input here ends in one of two ways: one ``voicecoach: error: ...`` line naming the file and
the problem with a non-zero exit (never a traceback), or, for valid but odd input, a sensible
result: odd formats are transcribed, clipped or noisy speech is flagged, not scored as clean.
A session that meets a bad reply or a full disk stops with its completed turns kept.

Every file is generated in tmp_path from the committed reply fixture; nothing large is committed.
The hostile authored files (persona, rubric, lexicon YAML) are in tests/unit/test_bad_input_unit.py,
which needs no model. A microphone lost mid-turn is tests/device/test_live_session.py.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.model.conftest import ROOT, Run, assert_clean_error

pytestmark = pytest.mark.model

FIXTURES = ROOT / "audio_fixtures"
REPLIES = FIXTURES / "demo" / "replies"
REPLY = REPLIES / "01.wav"
MUST_HEAR = next(
    f["expect"]["must_hear"]
    for f in json.loads((FIXTURES / "MANIFEST.json").read_text())["files"]
    if f["file"] == "demo/replies/01.wav"
)
RATE = 16_000


def sox(*args: str) -> None:
    # -D: no dither, so each run converts to the same samples and the transcript is repeatable.
    subprocess.run(["sox", "-D", *args], check=True, capture_output=True)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def hour_long_wav(path: Path) -> Path:
    """A valid WAV of one hour of silence (115 MB), made sparse so it costs no time or disk."""
    n = 3600 * RATE * 2
    header = REPLY.read_bytes()[:44]
    with path.open("wb") as f:
        f.write(header[:4] + struct.pack("<I", 36 + n) + header[8:40] + struct.pack("<I", n))
        f.truncate(44 + n)
    return path


def bad_recordings(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what the one error line must say)."""
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(8)
    whole = REPLY.read_bytes()
    files = {
        "zero": (folder / "zero.wav", b""),
        "cut": (folder / "cut.wav", whole[: len(whole) // 2]),
        "notes": (folder / "notes.wav", b"Dear diary, today I practised.\n" * 40),
        "image": (folder / "image.wav", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300)),
    }
    for path, data in files.values():
        path.write_bytes(data)
    out = {
        "zero": (files["zero"][0], "the file is empty (0 bytes)"),
        "cut": (
            files["cut"][0],
            "the file is cut short (its header promises 10.6 s of audio but holds 5.3 s)",
        ),
        "notes": (files["notes"][0], "not a readable audio file (Invalid data found"),
        "image": (files["image"][0], "not a readable audio file (it holds no audio stream)"),
        "hour": (hour_long_wav(folder / "hour.wav"), "60 minutes long; recordings are limited to 30 minutes"),
        "silent": (write_wav(folder / "silent.wav", np.zeros(3 * RATE)), "no speech was heard"),
        "noise": (write_wav(folder / "noise.wav", rng.normal(0, 0.2, 5 * RATE)), "no speech was heard"),
    }
    return out


def error_lines(run: Run) -> list[str]:
    assert "Traceback" not in run.stderr, run.stderr
    return [line for line in run.stderr.splitlines() if line.startswith("voicecoach: error:")]


def test_odd_but_valid_formats_are_transcribed(voicecoach, tmp_path: Path) -> None:
    variants = {
        "r8000.wav": ["-r", "8000"],
        "r22050.wav": ["-r", "22050"],
        "r44100.wav": ["-r", "44100"],
        "r48000.wav": ["-r", "48000"],
        "stereo.wav": ["-c", "2"],
        "u8.wav": ["-b", "8"],
        "s24.wav": ["-b", "24"],
        "s32.wav": ["-b", "32", "-e", "signed-integer"],
        "f32.wav": ["-b", "32", "-e", "floating-point"],
        "reply.flac": [],
        "reply.mp3": [],
    }
    made = []
    for name, options in variants.items():
        try:
            sox(str(REPLY), *options, str(tmp_path / name))
        except subprocess.CalledProcessError:
            assert name.endswith(".mp3"), f"sox could not make {name}"  # MP3 needs sox's lame plugin
            continue
        made.append(str(tmp_path / name))
    run = voicecoach("analyze", *made)
    assert run.code == 0, run.stderr
    lines = run.json_lines()
    assert [line["file"] for line in lines] == made
    for line in lines:
        words = line["transcript"].lower()
        heard = [word for word in MUST_HEAR if word in words]
        # Telephone-band 8 kHz loses the top of the spectrum; one of the key words must survive.
        assert heard == MUST_HEAR or ("r8000" in line["file"] and heard), (line["file"], line["transcript"])
        assert "marcus" in words
        assert line["tone"]["duration_s"] > 10
        assert "clipped" not in line["tone"]["flags"], line["file"]


def test_bad_recordings_in_one_analyze_call_each_get_one_line(voicecoach, tmp_path: Path) -> None:
    bad = bad_recordings(tmp_path / "bad")
    clipped = tmp_path / "clipped.wav"
    sox(str(REPLY), str(clipped), "gain", "30")
    noisy = tmp_path / "noisy.wav"
    with wave.open(str(REPLY)) as w:
        speech = np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0
    write_wav(noisy, speech + np.random.default_rng(1).normal(0, 0.05, speech.size))
    files = [str(path) for path, _ in bad.values()] + [str(clipped), str(noisy), str(REPLY)]

    run = voicecoach("analyze", *files)

    assert run.code == 1
    errors = error_lines(run)
    assert len(errors) == len(bad), run.stderr
    for (path, fragment), line in zip(bad.values(), errors, strict=True):
        assert line.startswith(f"voicecoach: error: {path}: "), line
        assert fragment in line, line
    results = {Path(line["file"]).name: line for line in run.json_lines()}
    assert list(results) == ["clipped.wav", "noisy.wav", "01.wav"]
    assert "clipped" in results["clipped.wav"]["tone"]["flags"]
    assert results["clipped.wav"]["tone"]["clipped_ratio"] > 0.05
    assert {"noisy", "low_snr"} & set(results["noisy.wav"]["tone"]["flags"])
    assert results["noisy.wav"]["tone"]["snr_db"] < results["01.wav"]["tone"]["snr_db"] - 20
    assert not {"clipped", "noisy", "low_snr"} & set(results["01.wav"]["tone"]["flags"])


# One of each way a reply fails: refused on reading (cut, hour) and heard as nothing (noise); the
# other unreadable kinds take the same path as "cut" and are covered by the analyze test above.
@pytest.mark.parametrize("kind", ["cut", "hour", "noise"])
def test_a_bad_reply_mid_session_stops_it_and_keeps_the_turn_before(
    voicecoach, tmp_path: Path, kind: str
) -> None:
    path, fragment = bad_recordings(tmp_path / "made")[kind]
    replies = tmp_path / "replies"
    replies.mkdir()
    shutil.copy(REPLY, replies / "01.wav")
    shutil.copy(path, replies / "02.wav")
    out = tmp_path / "session"
    run = voicecoach(
        "practice",
        "--persona",
        "marcus",
        "--replies",
        str(replies),
        "--out",
        str(out),
        "--no-playback",
        "--json",
    )
    assert_clean_error(run, f"{replies / '02.wav'}: ", fragment)
    assert run.stdout == ""
    stored = json.loads((out / "session.json").read_text())
    assert stored["status"] == "stopped"
    assert [t["index"] for t in stored["turns"]] == [1]
    assert all(word in stored["turns"][0]["transcript"].lower() for word in MUST_HEAR)
    assert "Session stopped; the completed turns are kept in" in run.stderr
    assert "### Turn 1" in (out / "report.md").read_text()


ODD_LINES = [
    "I hear you\x00, that\x07 sounds \x1b[31mawful\x1b[0m\x1b]0;pwned\x07 and unfair.",
    "مرحبا ماركوس \u202eevil\u202c — שלום, what happened last night?",
    "I'm sorry 😀👍🏽 that happened, café e\u0301 Z\u0351\u0352algo <script>alert(1)</script>.",
    "Let's figure it out together. " + "together " * 11_500,  # a 100 KB line
]


def test_typed_replies_with_controls_rtl_emoji_and_bad_bytes(voicecoach, tmp_path: Path) -> None:
    script = tmp_path / "odd.txt"
    script.write_bytes("\n".join(ODD_LINES).encode() + b"\nWhich would you like \xff\xfe to start with?\n")
    out = tmp_path / "session"
    run = voicecoach(
        "practice",
        "--persona",
        "marcus",
        "--replies",
        str(script),
        "--out",
        str(out),
        "--no-playback",
        "--json",
    )
    assert run.code == 0, run.stderr
    for stream in (run.stdout, run.stderr):
        assert not any(ch in stream for ch in "\x00\x07\x1b\x9b\u202e")
    printed = run.json()
    texts = [t["transcript"] for t in printed["turns"]]
    assert texts[0] == "I hear you, that sounds awful and unfair."
    assert "مرحبا ماركوس" in texts[1] and "שלום" in texts[1]
    assert "😀👍🏽" in texts[2] and "e\u0301" in texts[2]
    assert 1_000 < len(texts[3]) <= 5_000
    assert "\ufffd" in texts[4]
    stored = json.loads((out / "session.json").read_text(encoding="utf-8"))
    assert stored["turns"] == printed["turns"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "\x1b" not in html and "\u202e" not in html and "שלום" in html


def test_analyze_text_keeps_escape_sequences_out_of_the_terminal(voicecoach, tmp_path: Path) -> None:
    run = voicecoach(
        "analyze", "--text", "calm \x1b[2J down\x07 now \u202eor else\x9b31m", "--context", "\x1b]0;x\x07"
    )
    assert run.code == 0, run.stderr
    assert not any(ch in run.stdout for ch in "\x07\x1b\x9b")
    assert run.json()["effect"] == "escalating"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "\u0000calm down\u001b[31m " + "x" * 100_000}) + "\n\x1b[2J\n")
    run = voicecoach("analyze", "--text-jsonl", str(source))
    assert run.code == 1  # the second line is not JSON
    assert "\x1b" not in run.stdout + run.stderr
    assert len(error_lines(run)) == 1 and f"{source}:2: " in run.stderr
    assert run.json_lines()[0]["effect"] == "escalating"


# --- a disk that fills up while the session is written ------------------------------------------


def check_stopped_session_is_readable(out: Path, turns_at_least: int) -> dict:
    stored = json.loads((out / "session.json").read_text())
    assert stored["status"] == "stopped"
    assert len(stored["turns"]) >= turns_at_least
    for turn in stored["turns"]:
        with wave.open(str(out / turn["persona_audio_file"])) as w:
            assert w.getnframes() > 0
    return stored


def test_a_full_disk_stops_the_session_with_one_line_and_keeps_the_turns(voicecoach, tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    # Room for the opening line and a few turns of persona audio (100-350 kB each), not the 2 MB report.
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1000k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {made.stderr.strip()}")
    try:
        out = mount / "session"
        script = ROOT / "tests" / "scripts" / "marcus" / "skilled.txt"
        run = voicecoach(
            "practice", "--persona", "marcus", "--replies", str(script), "--out", str(out), "--no-playback"
        )
        assert_clean_error(run, str(out), "No space left on device")
        assert "Session stopped; the completed turns are kept in" in run.stderr
        check_stopped_session_is_readable(out, turns_at_least=1)
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_file_size_limit_stops_the_session_mid_way_and_keeps_the_turns(tmp_path: Path) -> None:
    third = REPLIES / "03.wav"
    limit = third.stat().st_size - 1024  # the third reply's copy is the first file over the limit
    assert all((REPLIES / f"0{i}.wav").stat().st_size < limit for i in (1, 2))

    def limit_file_size() -> None:
        # Without SIG_IGN the kernel kills the process (SIGXFSZ); ignored, write() fails with EFBIG.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp_path / "session"
    env = {**os.environ, "VOICECOACH_HOME": str(tmp_path / "home")}
    env.pop("VOICECOACH_MODEL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "voicecoach",
            "practice",
            "--persona",
            "marcus",
            "--replies",
            str(REPLIES),
            "--out",
            str(out),
            "--no-playback",
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_file_size,  # the child must start with the limit
        check=False,
    )
    run = Run(done.returncode, done.stdout, done.stderr)
    assert_clean_error(run, str(out / "audio" / "trainee_03.wav"), "File too large")
    stored = check_stopped_session_is_readable(out, turns_at_least=2)
    assert [t["index"] for t in stored["turns"]] == [1, 2]
