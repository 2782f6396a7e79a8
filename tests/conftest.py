"""Shared test helpers. Tiers: tests/unit (pure + fakes), tests/model (real faster-whisper and
pyttsx3 on committed fixtures), tests/device (a real PulseAudio server)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "audio_fixtures"
REALSPEECH = ROOT.parent / "shared" / "realspeech"


@pytest.fixture(scope="session")
def realspeech() -> Path:
    """The shared folder of real recordings; tests that need it skip with a reason without it."""
    if not (REALSPEECH / "MANIFEST.tsv").is_file():
        pytest.skip(f"real recordings not found at {REALSPEECH} (clone with ../shared beside the repo)")
    return REALSPEECH


@pytest.fixture()
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway VOICECOACH_HOME so tests never touch the user's stored baselines."""
    home = tmp_path / "home"
    monkeypatch.setenv("VOICECOACH_HOME", str(home))
    os.environ.pop("VOICECOACH_MODEL", None)
    return home
