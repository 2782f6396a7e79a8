#!/usr/bin/env python3
"""Regenerate the committed audio fixtures and their manifest (audio_fixtures/MANIFEST.json).

The "trainee" replies are synthetic: espeak-ng speaks each scripted line in a calm or a tense
delivery, sox sets the level, and the manifest records the exact commands, the words spoken and
what each file must yield. Run from the repo root: `.venv/bin/python scripts/make_fixtures.py`.
Needs espeak-ng and sox (apt-get install espeak-ng sox).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import wave
from dataclasses import replace
from pathlib import Path

from voicecoach.testing import CALM, TENSE, Delivery, speak_with_espeak

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "audio_fixtures"
# The calm and tense deliveries (voicecoach.testing.CALM / TENSE): espeak -s 140 realises ~160 wpm
# here (DOMAIN.md); the tense one is above every starting threshold (+15% rate, +6 dB, +3 st).

BASELINE_TEXT = (
    "The bus stops at the corner by the library every twenty minutes. On Tuesdays I take it to "
    "the market, where the fruit stands open early and the bakery sells warm bread. If the weather "
    "is fine, I walk home along the river and watch the boats go by."
)

#: Word error rates the embedded tiny.en model reaches on these synthetic voices vary by line
#: (espeak-ng's "calm" is heard as "come" at speed); each line's ceiling is its measured WER plus a
#: margin, and `must_hear` names the words the analysis depends on.
SKILLED = [
    "Hi Marcus, I'm Sam, one of the peer specialists here. That sounds like an awful night, "
    "and it makes sense that you're angry.",
    "You kept every curfew for three months. What happened last night?",
    "I'm sorry that happened. Let's figure out tonight together. We could call the overflow "
    "shelter, or I can help you file an appeal. Which would you like to start with?",
    "Okay. Let's call them right now, and I'll stay with you while we do.",
]

SKILLED_KEYS = [["sounds", "angry"], ["what", "happened"], ["sorry", "together", "or"], ["let's"]]

UNSKILLED = [
    "Calm down. Rules are rules, and you missed curfew.",
    "That's your own fault. You should have left earlier.",
    "If you keep yelling at me, I'm calling security.",
    "Sit down and stop shouting right now.",
]
UNSKILLED_MAX_WER = [0.75, 0.4, 0.15, 0.3]
UNSKILLED_KEYS = [["down", "rules"], ["own", "fault"], ["calling", "security"], ["sit", "down"]]


def run(cmd: list[str]) -> str:
    subprocess.run(cmd, check=True, capture_output=True)
    return shlex.join(cmd).replace(str(ROOT) + "/", "")


def speak(text: str, target: Path, delivery: Delivery) -> list[str]:
    commands = speak_with_espeak(text, target, replace(delivery, pad_s=0.4))
    return [shlex.join(c).replace(str(ROOT) + "/", "") for c in commands]


def entry(
    path: Path, kind: str, text: str, made_by: list[str], expect: dict[str, object]
) -> dict[str, object]:
    with wave.open(str(path)) as w:
        duration = w.getnframes() / w.getframerate()
    return {
        "file": str(path.relative_to(OUT)),
        "kind": kind,
        "text": text,
        "duration_s": round(duration, 2),
        "made_by": made_by,
        "expect": expect,
    }


def main() -> None:
    files: list[dict[str, object]] = []
    baseline = OUT / "demo" / "baseline.wav"
    files.append(
        entry(baseline, "baseline", BASELINE_TEXT, speak(BASELINE_TEXT, baseline, CALM), {"max_wer": 0.25})
    )
    for i, text in enumerate(SKILLED, start=1):
        path = OUT / "demo" / "replies" / f"{i:02d}.wav"
        files.append(
            entry(
                path,
                "skilled_reply",
                text,
                speak(text, path, CALM),
                {"max_wer": 0.3, "must_hear": SKILLED_KEYS[i - 1], "effect": "deescalating"},
            )
        )
    for i, text in enumerate(UNSKILLED, start=1):
        path = OUT / "unskilled" / f"{i:02d}.wav"
        files.append(
            entry(
                path,
                "unskilled_reply",
                text,
                speak(text, path, TENSE),
                {
                    "max_wer": UNSKILLED_MAX_WER[i - 1],
                    "must_hear": UNSKILLED_KEYS[i - 1],
                    "effect": "escalating",
                },
            )
        )

    bad = OUT / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    silent = bad / "silent.wav"
    made = run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(silent), "trim", "0", "3"])
    files.append(entry(silent, "silent", "", [made], {"error": "no speech"}))
    corrupt = bad / "corrupt.wav"
    # A WAV header that promises data, followed by bytes that are not audio.
    corrupt.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 8 + b"this is not audio" * 4)
    files.append(
        {
            "file": "bad/corrupt.wav",
            "kind": "corrupt",
            "text": "",
            "made_by": ["a RIFF header followed by text (scripts/make_fixtures.py)"],
            "expect": {"error": "not a readable audio file"},
        }
    )
    empty = bad / "empty.wav"
    with wave.open(str(empty), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    files.append(
        {
            "file": "bad/empty.wav",
            "kind": "empty",
            "text": "",
            "made_by": ["python wave module, zero frames"],
            "expect": {"error": "empty"},
        }
    )

    manifest = {
        "about": "Synthetic trainee recordings for tests and the demo; see scripts/make_fixtures.py.",
        "voice": CALM.voice,
        "files": files,
    }
    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
