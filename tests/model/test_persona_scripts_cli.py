"""Every persona through `voicecoach practice --replies`, typed and spoken (issue 5).

Skilled trainees resolve the scenario, unskilled ones escalate it, mixed ones end between. The
spoken scripts are synthesised here with espeak-ng (calm delivery for skilled lines, tense for
unskilled ones) and transcribed by the real embedded model, mis-hearings included.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "tests" / "scripts"
BASELINE = ROOT / "audio_fixtures" / "demo" / "baseline.wav"
PERSONAS = sorted(p.name for p in SCRIPTS.iterdir() if p.is_dir())
#: espeak-ng deliveries (speed wpm, pitch 0-99, gain dB), as in scripts/make_fixtures.py.
DELIVERY = {"skilled": (140, 40, -6), "mixed": (140, 40, -6), "unskilled": (215, 75, 2)}
EXPECTED = {"skilled": "resolved", "unskilled": "escalated", "mixed": "unresolved"}


def test_every_persona_has_all_three_scripts() -> None:
    assert len(PERSONAS) >= 7
    for persona in PERSONAS:
        assert (ROOT / "personas" / f"{persona}.yaml").is_file()
        for kind in EXPECTED:
            assert (SCRIPTS / persona / f"{kind}.txt").read_text().strip()


def speak_script(script: Path, kind: str, folder: Path) -> Path:
    speed, pitch, gain = DELIVERY[kind]
    folder.mkdir(parents=True)
    lines = [line for line in script.read_text().splitlines() if line.strip()]
    for i, line in enumerate(lines, start=1):
        raw = folder / f"{i:02d}.raw.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us+f2", "-s", str(speed), "-p", str(pitch), "-w", str(raw), line],
            check=True,
        )
        subprocess.run(
            [
                "sox",
                str(raw),
                "-r",
                "16000",
                "-c",
                "1",
                "-b",
                "16",
                str(folder / f"{i:02d}.wav"),
                "gain",
                str(gain),
                "pad",
                "0.3",
                "0.3",
            ],
            check=True,
        )
        raw.unlink()
    return folder


def run_script(voicecoach: Any, persona: str, replies: Path, out: Path, *extra: str) -> dict[str, Any]:
    args = ["--persona", persona, "--replies", str(replies), "--json", "--no-playback", "--out", str(out)]
    run = voicecoach("practice", *args, *extra)
    assert run.code == 0, run.stderr
    result: dict[str, Any] = run.json()
    return result


def check_outcomes(sessions: dict[str, dict[str, Any]]) -> None:
    for kind, expected in EXPECTED.items():
        assert sessions[kind]["outcome"] == expected, (
            kind,
            [t["transcript"] for t in sessions[kind]["turns"]],
        )
    final = {kind: s["turns"][-1]["agitation_after"] for kind, s in sessions.items()}
    assert final["skilled"] < final["mixed"] < final["unskilled"], final


@pytest.mark.parametrize("persona", PERSONAS)
def test_typed_scripts(voicecoach: Any, tmp_path: Path, persona: str) -> None:
    sessions = {
        kind: run_script(voicecoach, persona, SCRIPTS / persona / f"{kind}.txt", tmp_path / kind)
        for kind in EXPECTED
    }
    check_outcomes(sessions)


@pytest.mark.parametrize("persona", PERSONAS)
def test_spoken_scripts(voicecoach: Any, tmp_path: Path, persona: str) -> None:
    # The trainee's voice (the same espeak-ng voice read calmly) is calibrated first, as a real
    # trainee would, so delivery is judged against their own calm baseline.
    calibrated = voicecoach("calibrate", "--file", str(BASELINE), "--trainee", "espeak")
    assert calibrated.code == 0, calibrated.stderr
    sessions = {}
    for kind in EXPECTED:
        audio = speak_script(SCRIPTS / persona / f"{kind}.txt", kind, tmp_path / f"{kind}-audio")
        sessions[kind] = run_script(voicecoach, persona, audio, tmp_path / kind, "--trainee", "espeak")
        assert all(
            t["tone"] is not None and t["tone"]["baseline"] == "trainee" for t in sessions[kind]["turns"]
        )
    check_outcomes(sessions)
