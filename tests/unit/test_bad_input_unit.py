"""Issue #8's bad input matrix, the cases that need no speech model: in-process, seconds.

Every hostile authored file (persona, rubric, lexicon) is run through the real command line and
must end in one ``voicecoach: error: PATH...`` line with exit 1, fast, without running code or
writing escape sequences to the terminal. Audio files that cannot be trusted are refused by
``read_audio`` with a message naming the file. The model tier (tests/model/test_bad_input.py)
runs the same matrix through transcription and whole sessions.
"""

from __future__ import annotations

import struct
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from voicecoach.audio.clip import MAX_DURATION_S, read_audio
from voicecoach.cli import main
from voicecoach.cli.common import terminal_safe
from voicecoach.errors import AudioFileError
from voicecoach.replies import TextReplies

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
REPLY = ROOT / "audio_fixtures" / "demo" / "replies" / "01.wav"
PWNED = Path("/tmp/voicecoach-bad-input-pwned")


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    return "\n".join(lines) + "\n"


#: name -> (file bytes, fragment the persona/rubric error must hold, fragment for the lexicon).
HOSTILE_YAML: dict[str, tuple[bytes, str, str]] = {
    "malformed": (
        b"name: Marcus\ntitle: [unclosed\n  brief: x: y\n",
        ":3: not valid YAML",
        ":3: is not valid YAML",
    ),
    "deep": (b"[" * 10_000 + b"]" * 10_000 + b"\n", "nested more than", "nested more than"),
    "alias_bomb": (_billion_laughs().encode(), "anchors and aliases", "YAML aliases"),
    "python_tag": (
        f"name: !!python/object/apply:os.system ['touch {PWNED}']\n".encode(),
        "python/object/apply:os.system' is not allowed",
        "python/object/apply:os.system' is not allowed",
    ),
    "custom_tag": (b"name: !marcus Marcus\n", "'!marcus' is not allowed", "'!marcus' is not allowed"),
    "wrong_type": (b"- just\n- a list\n", "must be a mapping", "must be a mapping"),
    "not_utf8": (b"name: Marc\xff\xfeus\n", "not UTF-8", "cannot be read"),
    "nul_byte": (b"name: a\x00b\n", ":1: not valid YAML: the character U+0000", "U+0000"),
    "empty": (b"", "empty", "empty"),
}
HUGE_BYTES = 50 * 1024 * 1024


def _one_error_line(err: str, path: Path) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"voicecoach: error: {path}"), lines[0]
    assert "\x1b" not in err and "Traceback" not in err
    return lines[0]


def _argv(kind: str, path: Path, tmp_path: Path) -> list[str]:
    return {
        "persona": ["personas", "check", str(path)],
        "practice": [
            "practice",
            "--persona",
            str(path),
            "--replies",
            str(_typed(tmp_path)),
            "--out",
            str(tmp_path / "s"),
        ],
        "rubric": ["review", str(tmp_path), "--rubric", str(path)],
        "lexicon": ["lexicon", "check", str(path)],
    }[kind]


def _typed(tmp_path: Path) -> Path:
    script = tmp_path / "replies.txt"
    script.write_text("What happened last night?\n", encoding="utf-8")
    return script


@pytest.mark.parametrize("kind", ["persona", "practice", "rubric", "lexicon"])
@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_hostile_authored_files_give_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, case: str
) -> None:
    data, fragment, lexicon_fragment = HOSTILE_YAML[case]
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(data)
    start = time.perf_counter()
    code = main(_argv(kind, path, tmp_path))
    elapsed = time.perf_counter() - start
    line = _one_error_line(capsys.readouterr().err, path)
    assert code == 1
    assert (lexicon_fragment if kind == "lexicon" else fragment) in line
    assert elapsed < 2.0, f"{case} took {elapsed:.1f} s"
    assert not PWNED.exists()
    assert not (tmp_path / "s").exists(), "nothing is written for a persona that does not load"


@pytest.mark.parametrize("kind", ["persona", "practice", "rubric", "lexicon"])
def test_a_50_mb_file_is_refused_without_being_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.write(b"name: Marcus\nnotes:\n")
        f.truncate(HUGE_BYTES)  # sparse: instant to make, 50 MB to anyone who reads it
    start = time.perf_counter()
    assert main(_argv(kind, path, tmp_path)) == 1
    assert time.perf_counter() - start < 2.0
    assert "larger than" in _one_error_line(capsys.readouterr().err, path)


def test_wrong_types_name_the_key_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    persona = tmp_path / "p.yaml"
    text = (ROOT / "personas" / "marcus.yaml").read_text(encoding="utf-8")
    persona.write_text(text.replace("resolve_below: 25", "resolve_below: [25]"), encoding="utf-8")
    line = next(i for i, row in enumerate(persona.read_text().splitlines(), 1) if "resolve_below" in row)
    assert main(["personas", "check", str(persona)]) == 1
    assert f"p.yaml:{line}: agitation.resolve_below: must be a number" in capsys.readouterr().err

    rubric = tmp_path / "r.yaml"
    rubric.write_text("name: strict\nweights: 7\n", encoding="utf-8")
    assert main(["review", str(tmp_path), "--rubric", str(rubric)]) == 1
    assert "r.yaml:2: weights: must be a mapping" in _one_error_line(capsys.readouterr().err, rubric)

    lexicon = tmp_path / "l.yaml"
    source = (ROOT / "voicecoach" / "analysis" / "lexicon.yaml").read_text(encoding="utf-8")
    lexicon.write_text(source.replace("version: 1", "version: [one]", 1), encoding="utf-8")
    assert main(["lexicon", "check", str(lexicon)]) == 1
    assert "version" in _one_error_line(capsys.readouterr().err, lexicon)


def test_escape_sequences_in_a_persona_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "personas" / "marcus.yaml").read_text(encoding="utf-8")
    value = tmp_path / "value.yaml"
    value.write_text(text.replace("name: Marcus", 'name: "Mar\\e[2Jcus"', 1), encoding="utf-8")
    assert main(["personas", "check", str(value)]) == 1
    assert "name: holds the control character U+001B" in _one_error_line(capsys.readouterr().err, value)
    key = tmp_path / "key.yaml"
    key.write_text('"\\e]0;pwned\\a": 1\n', encoding="utf-8")
    assert main(["personas", "check", str(key)]) == 1
    assert "\\x1b]0;pwned\\x07: unknown key" in _one_error_line(capsys.readouterr().err, key)


def test_terminal_safe_shows_controls_and_keeps_every_script() -> None:
    assert terminal_safe("a\x1b[31mb\x07\x9b\u202ec") == "a\\x1b[31mb\\x07\\x9b\\u202ec"
    text = "مرحبا ماركوس · שלום · 😀 · e\u0301 · 👩\u200d👧"
    assert terminal_safe(text) == text
    assert terminal_safe("x\udcff.wav") == "x\ufffd.wav"


def test_typed_replies_lose_escape_sequences_and_keep_every_script(tmp_path: Path) -> None:
    script = tmp_path / "odd.txt"
    script.write_bytes(
        "I hear you\x00, that\x07 sounds \x1b[31mawful\x1b[0m.\n"
        "What happened \x1b]0;pwned\x07 last night?\x9b2J\n"
        "مرحبا ماركوس \u202eevil\u202c שלום\n"
        "I'm sorry 😀 that happened, e\u0301 Z\u0351algo.\n".encode()
        + b"Which would you like \xff\xfe to start with?\n"
        + b"together " * 12_000
        + b"\n"
    )
    texts = [r.text or "" for r in TextReplies(script).replies()]
    assert texts[:2] == ["I hear you, that sounds awful.", "What happened last night?"]
    assert texts[2] == "مرحبا ماركوس evil שלום"  # the right-to-left override is dropped
    assert texts[3] == "I'm sorry 😀 that happened, e\u0301 Z\u0351algo."
    assert texts[4] == "Which would you like \ufffd\ufffd to start with?"
    assert len(texts[5]) <= 5_000
    assert not any(ch in "".join(texts) for ch in "\x00\x07\x1b\x9b\r\u202e")


def test_typed_replies_split_only_at_line_ends_and_keep_emoji_joined(tmp_path: Path) -> None:
    script = tmp_path / "odd.txt"
    script.write_bytes(
        "That sounds\rawful.\r\n"  # a lone carriage return inside a line, then a CRLF end
        "What happened\u2028last night?\x0cTell me.\n"
        "Thank you for telling me \U0001f469\u200d\U0001f467.\n".encode()
    )
    replies = list(TextReplies(script).replies())
    assert [r.text for r in replies] == [
        "That sounds awful.",
        "What happened last night? Tell me.",
        "Thank you for telling me \U0001f469\u200d\U0001f467.",
    ]
    assert [r.label for r in replies] == [f"{script}:1", f"{script}:2", f"{script}:3"]


# --- audio files read_audio must refuse, by name, without decoding them -------------------------


def _wav(path: Path, seconds: float, rate: int = 16_000) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes())
    return path


def test_a_wav_cut_short_is_refused_with_both_lengths(tmp_path: Path) -> None:
    whole = _wav(tmp_path / "whole.wav", 4.0)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: 44 + 2 * 16_000])  # one second of the four
    with pytest.raises(
        AudioFileError, match=r"cut\.wav: the file is cut short .*promises 4\.0 s .* holds 1\.0 s"
    ):
        read_audio(cut)
    # A header short by a few samples is a sloppy writer, not a lost copy: still read.
    nearly = tmp_path / "nearly.wav"
    nearly.write_bytes(whole.read_bytes()[:-200])
    assert read_audio(nearly).duration_s == pytest.approx(4.0, abs=0.01)


def test_a_streamed_wav_whose_header_promises_nothing_is_read(tmp_path: Path) -> None:
    data = bytearray(_wav(tmp_path / "s.wav", 1.0).read_bytes())
    data[4:8] = data[40:44] = struct.pack("<I", 0xFFFFFFFF)  # what a writer that never seeks back leaves
    (tmp_path / "streamed.wav").write_bytes(bytes(data))
    assert read_audio(tmp_path / "streamed.wav").duration_s == pytest.approx(1.0, abs=0.01)


def test_an_hour_long_file_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "hour.wav"
    n = 3600 * 16_000 * 2
    header = _wav(tmp_path / "h.wav", 0.0).read_bytes()[:44]
    with path.open("wb") as f:
        f.write(header[:4] + struct.pack("<I", 36 + n) + header[8:40] + struct.pack("<I", n))
        f.truncate(44 + n)  # 115 MB of (sparse) silence
    start = time.perf_counter()
    with pytest.raises(
        AudioFileError, match=rf"hour\.wav: 60 minutes long; .*limited to {MAX_DURATION_S // 60} minutes"
    ):
        read_audio(path)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("zero.wav", b"", "the file is empty (0 bytes)"),
        ("notes.wav", b"these are my notes, not audio\n" * 50, "not a readable audio file (Invalid data"),
        ("image.wav", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "not a readable audio file"),
        ("header_only.wav", REPLY.read_bytes()[:44], "cut short"),
    ],
)
def test_non_audio_and_empty_files_are_named(tmp_path: Path, name: str, data: bytes, fragment: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(AudioFileError) as caught:
        read_audio(tmp_path / name)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / name}: ") and fragment in message
    assert "\n" not in message and "Errno" not in message


def test_an_impossible_sample_rate_is_refused_and_an_odd_one_is_read(tmp_path: Path) -> None:
    # Found by tests/unit/test_clip_fuzz.py: a header claiming 553 MHz made resampling allocate
    # gigabytes (MemoryError); 44101 Hz needs an approximated ratio to stay fast.
    data = bytearray(_wav(tmp_path / "a.wav", 1.0, rate=44_101).read_bytes())
    (tmp_path / "odd.wav").write_bytes(bytes(data))
    assert read_audio(tmp_path / "odd.wav").duration_s == pytest.approx(1.0, abs=0.01)
    data[24:28] = struct.pack("<I", 553_000_000)
    (tmp_path / "damaged.wav").write_bytes(bytes(data))
    with pytest.raises(
        AudioFileError, match=r"damaged\.wav: a sample rate of 553000000 Hz is not a recording"
    ):
        read_audio(tmp_path / "damaged.wav")
