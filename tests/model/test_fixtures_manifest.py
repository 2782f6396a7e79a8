"""Every committed fixture is what its manifest says: the real model hears the scripted words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voicecoach.asr import WhisperTranscriber
from voicecoach.audio.clip import read_audio
from voicecoach.errors import AudioFileError
from voicecoach.evaluation import normalise_words, word_error_rate

pytestmark = pytest.mark.model

FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures"
MANIFEST = json.loads((FIXTURES / "MANIFEST.json").read_text())
SPOKEN = [f for f in MANIFEST["files"] if "max_wer" in f["expect"]]
BROKEN = [f for f in MANIFEST["files"] if "error" in f["expect"]]


@pytest.fixture(scope="module")
def transcriber() -> WhisperTranscriber:
    return WhisperTranscriber()


def test_manifest_lists_every_fixture_file() -> None:
    listed = {f["file"] for f in MANIFEST["files"]}
    on_disk = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.wav")}
    assert listed == on_disk


@pytest.mark.parametrize("entry", SPOKEN, ids=[f["file"] for f in SPOKEN])
def test_spoken_fixture_is_transcribed_by_the_embedded_model(
    entry: dict, transcriber: WhisperTranscriber
) -> None:
    clip = read_audio(FIXTURES / entry["file"])
    assert clip.duration_s == pytest.approx(entry["duration_s"], abs=0.05)
    transcript = transcriber.transcribe(clip)
    assert word_error_rate(entry["text"], transcript.text) <= entry["expect"]["max_wer"], transcript.text
    heard = normalise_words(transcript.text)
    for word in entry["expect"].get("must_hear", []):
        assert word in heard, transcript.text
    assert transcript.words and transcript.words[-1].end <= clip.duration_s + 0.1


def test_silent_fixture_yields_no_words(transcriber: WhisperTranscriber) -> None:
    silent = next(f for f in BROKEN if f["kind"] == "silent")
    assert transcriber.transcribe(read_audio(FIXTURES / silent["file"])).text == ""


@pytest.mark.parametrize("entry", [f for f in BROKEN if f["kind"] != "silent"], ids=lambda f: f["file"])
def test_broken_fixture_is_refused_with_its_reason(entry: dict) -> None:
    with pytest.raises(AudioFileError, match=entry["expect"]["error"]):
        read_audio(FIXTURES / entry["file"])
