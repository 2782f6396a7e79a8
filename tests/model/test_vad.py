"""The streaming Silero detector on real audio: same as faster-whisper's batch call, and not deaf
to weak voices after a long quiet stretch (the live microphone listens for minutes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from voicecoach.audio.clip import read_audio
from voicecoach.vad import FRAME_SAMPLES, RescuedSilero, SileroDetector

pytestmark = pytest.mark.model

FIXTURES = Path(__file__).resolve().parents[2] / "audio_fixtures"


def probabilities(detector: SileroDetector | RescuedSilero, audio: npt.NDArray[np.float32]) -> np.ndarray:
    usable = audio[: audio.size // FRAME_SAMPLES * FRAME_SAMPLES]
    frames = usable.reshape(-1, FRAME_SAMPLES)
    return np.array([detector.speech_probability_of(frame) for frame in frames])


def silence(seconds: float) -> npt.NDArray[np.float32]:
    return np.zeros(int(seconds * 16_000), dtype=np.float32)


def test_streaming_without_refresh_matches_faster_whispers_batch_call() -> None:
    from faster_whisper.vad import get_vad_model

    reply = read_audio(FIXTURES / "demo" / "replies" / "01.wav").samples.astype(np.float32)
    audio = np.concatenate([silence(1.0), reply, silence(1.0)])
    audio = audio[: audio.size // FRAME_SAMPLES * FRAME_SAMPLES]
    batch = np.asarray(get_vad_model()(audio)).reshape(-1)
    streamed = probabilities(SileroDetector(), audio)
    assert streamed.shape == batch.shape
    assert np.max(np.abs(streamed - batch)) < 1e-4


class NeverRefreshed(RescuedSilero):
    REFRESH_AFTER_QUIET_FRAMES = 10**9


@pytest.mark.parametrize("name", ["whisper.flac", "mfa_whisper.flac", "whisper2.flac", "falsetto2.flac"])
def test_weak_voices_after_half_a_minute_of_silence_are_still_heard(realspeech: Path, name: str) -> None:
    voice = read_audio(realspeech / "mfa" / name).samples.astype(np.float32)
    quiet = silence(30.0)
    audio = np.concatenate([quiet, voice, silence(1.0)])
    skip = quiet.size // FRAME_SAMPLES
    refreshed = probabilities(RescuedSilero(), audio)[skip:]
    worn = probabilities(NeverRefreshed(), audio)[skip:]
    # Silero's state worn by 30 s of silence hears almost nothing; refreshed, the detector
    # hears the voice as it would at the start of a stream (the state machine needs 5 frames
    # in a row to start a turn and 10 in all to keep it).
    assert np.sum(worn >= 0.5) <= 3
    assert np.sum(refreshed >= 0.5) >= 10


def test_the_refresh_makes_no_speech_of_a_minute_of_noise() -> None:
    rng = np.random.default_rng(7)
    white = rng.normal(0.0, 0.02, 60 * 16_000)
    brown = np.cumsum(rng.normal(0.0, 0.002, 60 * 16_000))
    brown -= np.convolve(brown, np.ones(1_600) / 1_600, mode="same")  # keep it from drifting off
    for noise in (white, brown):
        heard = probabilities(RescuedSilero(), noise.astype(np.float32))
        assert np.sum(heard >= 0.5) == 0
