"""The whole practice loop through the real command: real model, real voice, real files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.model.conftest import assert_clean_error

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "audio_fixtures"
SCRIPTS = ROOT / "tests" / "scripts" / "marcus"
TONE_FIELDS = {
    "duration_s",
    "speech_s",
    "words",
    "wpm",
    "pause_count",
    "level_dbfs",
    "pitch_hz_median",
    "calm_score",
    "flags",
    "articulation_rate_sps",
    "mean_pause_s",
    "level_db_vs_baseline",
    "pitch_st_vs_baseline",
    "pitch_spread_st",
    "rising_end_ratio",
    "snr_db",
}
TURN_FIELDS = {
    "index",
    "transcript",
    "tone",
    "wording",
    "agitation_before",
    "agitation_after",
    "stage",
    "reasons",
    "persona_reply",
}


def check_contract(session: dict[str, Any], spoken: bool) -> None:
    """The documented JSON contract of `--json` and session.json."""
    assert session["persona"] == "marcus"
    assert session["outcome"] in {"resolved", "escalated", "unresolved"}
    assert 0 <= session["calm_presence"] <= 100
    assert session["turns"], "at least one turn"
    for i, turn in enumerate(session["turns"], start=1):
        assert turn.keys() >= TURN_FIELDS
        assert turn["index"] == i
        assert turn["transcript"].strip()
        assert 0 <= turn["agitation_before"] <= 100 and 0 <= turn["agitation_after"] <= 100
        assert turn["stage"] in {"calm", "anxious", "defensive", "agitated", "crisis"}
        assert all(isinstance(r, str) and r for r in turn["reasons"])
        assert turn["persona_reply"].strip()
        assert turn["wording"]["effect"] in {"deescalating", "escalating", "neutral"}
        for technique in turn["wording"]["techniques"]:
            assert technique["evidence"] == turn["transcript"][technique["start"] : technique["end"]]
        if spoken:
            assert turn["tone"].keys() >= TONE_FIELDS
            assert 0 <= turn["tone"]["calm_score"] <= 100
        else:
            assert turn["tone"] is None
    for before, after in zip(session["turns"], session["turns"][1:], strict=False):
        assert after["agitation_before"] == before["agitation_after"]


def agitation_change(session: dict[str, Any]) -> float:
    turns = session["turns"]
    return float(turns[-1]["agitation_after"] - turns[0]["agitation_before"])


def test_demo_runs_a_whole_session_and_writes_the_folder(voicecoach, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    run = voicecoach("demo", "--out", str(out), "--json", "--no-playback")
    assert run.code == 0, run.stderr
    session = run.json()
    check_contract(session, spoken=True)
    assert session["outcome"] == "resolved"
    assert session["baseline"] == "trainee"  # the demo reads its calm baseline from the fixtures
    assert agitation_change(session) < 0
    assert "Calm presence" in run.stderr and "Traceback" not in run.stderr
    stored = json.loads((out / "session.json").read_text())
    assert stored["status"] == "complete"
    assert stored["turns"] == session["turns"]
    assert (out / "report.md").read_text().startswith("# VoiceCoach session: marcus")
    html = (out / "report.html").read_text()
    assert html.count("data:audio/wav;base64,") == 1 + 2 * len(session["turns"])
    assert (out / "audio" / "persona_00.wav").stat().st_size > 10_000
    for turn in session["turns"]:
        assert (out / turn["audio_file"]).is_file() and (out / turn["persona_audio_file"]).is_file()


@pytest.mark.parametrize(
    ("replies", "spoken"),
    [(FIXTURES / "demo" / "replies", True), (SCRIPTS / "skilled.txt", False)],
    ids=["audio", "text"],
)
def test_skilled_replies_calm_the_persona(voicecoach, tmp_path: Path, replies: Path, spoken: bool) -> None:
    run = voicecoach(
        "practice",
        "--persona",
        "marcus",
        "--replies",
        str(replies),
        "--json",
        "--no-playback",
        "--out",
        str(tmp_path / "s"),
    )
    assert run.code == 0, run.stderr
    session = run.json()
    check_contract(session, spoken)
    assert agitation_change(session) < -15
    assert session["outcome"] == "resolved"


@pytest.mark.parametrize(
    ("replies", "spoken"),
    [(FIXTURES / "unskilled", True), (SCRIPTS / "unskilled.txt", False)],
    ids=["audio", "text"],
)
def test_unskilled_replies_escalate_the_persona(
    voicecoach, tmp_path: Path, replies: Path, spoken: bool
) -> None:
    run = voicecoach(
        "practice",
        "--persona",
        "marcus",
        "--replies",
        str(replies),
        "--json",
        "--no-playback",
        "--out",
        str(tmp_path / "u"),
    )
    assert run.code == 0, run.stderr
    session = run.json()
    check_contract(session, spoken)
    assert agitation_change(session) > 15
    assert session["outcome"] == "escalated"
    assert session["safety_step"]


def test_same_seed_same_session(voicecoach, tmp_path: Path) -> None:
    args = [
        "practice",
        "--persona",
        "marcus",
        "--replies",
        str(SCRIPTS / "mixed.txt"),
        "--json",
        "--no-playback",
        "--seed",
        "7",
    ]
    first = voicecoach(*args, "--out", str(tmp_path / "a")).json()
    second = voicecoach(*args, "--out", str(tmp_path / "b")).json()
    assert first["turns"] == second["turns"]


def test_analyze_files_prints_one_json_line_per_file_in_order(voicecoach) -> None:
    files = [str(FIXTURES / "unskilled" / "03.wav"), str(FIXTURES / "demo" / "replies" / "02.wav")]
    run = voicecoach("analyze", *files)
    assert run.code == 0, run.stderr
    lines = run.json_lines()
    assert [line["file"] for line in lines] == files
    assert "security" in lines[0]["transcript"].lower()
    assert lines[0]["wording"]["effect"] == "escalating"
    assert {"threat"} <= {t["tag"] for t in lines[0]["wording"]["techniques"]}
    assert lines[1]["wording"]["effect"] == "deescalating"
    assert lines[1]["tone"].keys() >= TONE_FIELDS
    # The tense delivery is faster and louder than the calm one.
    assert lines[0]["tone"]["level_dbfs"] > lines[1]["tone"]["level_dbfs"] + 4


def test_a_baseline_calibrated_without_a_name_is_used_without_one(voicecoach) -> None:
    reply = str(FIXTURES / "demo" / "replies" / "01.wav")
    before = voicecoach("analyze", reply)
    assert before.code == 0, before.stderr
    assert before.json_lines()[0]["tone"]["baseline"] == "population"
    calibrated = voicecoach("calibrate", "--file", str(FIXTURES / "demo" / "baseline.wav"))
    assert calibrated.code == 0, calibrated.stderr
    after = voicecoach("analyze", reply)
    assert after.code == 0, after.stderr
    tone = after.json_lines()[0]["tone"]
    assert tone["baseline"] == "trainee"
    assert tone["level_db_vs_baseline"] is not None


def test_analyze_text_and_jsonl(voicecoach, tmp_path: Path) -> None:
    run = voicecoach("analyze", "--text", "Calm down or I'm calling security.")
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["effect"] == "escalating"
    assert {"command", "threat"} <= {t["tag"] for t in result["techniques"]}
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"text": "What happened last night?"})
        + "\n"
        + json.dumps({"text": "So the bus never came.", "context": "The bus never came, so I was late."})
        + "\n"
    )
    lines = voicecoach("analyze", "--text-jsonl", str(source)).json_lines()
    assert len(lines) == 2
    assert "open_question" in {t["tag"] for t in lines[0]["techniques"]}


# --- bad input: one clear line, non-zero exit, no traceback -------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("corrupt.wav", "not a readable audio file"), ("empty.wav", "empty"), ("silent.wav", "no speech")],
)
def test_bad_recordings_are_reported_by_name(voicecoach, name: str, fragment: str) -> None:
    path = str(FIXTURES / "bad" / name)
    run = voicecoach("analyze", path)
    assert_clean_error(run, name, fragment)
    assert run.stdout == ""


def test_a_bad_file_among_good_ones_does_not_stop_the_others(voicecoach) -> None:
    good = str(FIXTURES / "demo" / "replies" / "04.wav")
    run = voicecoach("analyze", str(FIXTURES / "bad" / "corrupt.wav"), good)
    assert run.code == 1
    assert [line["file"] for line in run.json_lines()] == [good]


def test_missing_file_and_unknown_persona(voicecoach, tmp_path: Path) -> None:
    assert_clean_error(voicecoach("analyze", str(tmp_path / "nope.wav")), "nope.wav", "no such audio file")
    run = voicecoach("practice", "--persona", "nobody", "--replies", str(SCRIPTS / "skilled.txt"))
    assert_clean_error(run, "no persona named 'nobody'", "marcus")


def test_malformed_persona_file_names_file_key_and_line(voicecoach, tmp_path: Path) -> None:
    text = (ROOT / "personas" / "marcus.yaml").read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("resolve_below: 25", "resolve_below: lots"))
    line = next(i for i, row in enumerate(broken.read_text().splitlines(), start=1) if "resolve_below" in row)
    run = voicecoach("personas", "check", str(broken))
    assert_clean_error(run, f"broken.yaml:{line}", "resolve_below")


def test_practice_without_a_microphone_says_how_to_practise(voicecoach) -> None:
    devices = voicecoach("devices")
    if re.search(r" in:[1-9]", devices.stdout):
        pytest.skip("this machine has an audio input device, so there is no missing microphone to report")
    run = voicecoach("practice", "--persona", "marcus", "--no-playback")
    assert_clean_error(run, "no microphone", "--replies")


def test_a_session_that_stops_half_way_keeps_its_completed_turns(voicecoach, tmp_path: Path) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    for name in ("01.wav", "02.wav"):
        (replies / name).write_bytes((FIXTURES / "demo" / "replies" / name).read_bytes())
    (replies / "03.wav").write_bytes((FIXTURES / "bad" / "corrupt.wav").read_bytes())
    out = tmp_path / "half"
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
    assert_clean_error(run, "03.wav", "not a readable audio file")
    stored = json.loads((out / "session.json").read_text())
    assert stored["status"] == "stopped"
    assert [t["index"] for t in stored["turns"]] == [1, 2]
    assert (out / "audio" / "trainee_02.wav").is_file()
    assert "### Turn 2" in (out / "report.md").read_text()
