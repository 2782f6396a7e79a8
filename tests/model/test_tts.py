"""The real pyttsx3 + espeak-ng voice."""

from __future__ import annotations

import numpy as np
import pytest

from voicecoach.asr import WhisperTranscriber
from voicecoach.audio.clip import resample
from voicecoach.evaluation import word_error_rate
from voicecoach.tts import Pyttsx3Synthesizer

pytestmark = pytest.mark.model

LINE = "I waited all day for that bed and now you tell me it is gone."


def test_the_voice_says_the_line_intelligibly() -> None:
    clip = Pyttsx3Synthesizer().synthesize(LINE)
    assert 2.0 < clip.duration_s < 6.0
    heard = WhisperTranscriber().transcribe(resample(clip, 16_000)).text
    assert word_error_rate(LINE, heard) <= 0.3, heard


def test_rate_and_volume_changes_apply_every_time() -> None:
    # pyttsx3's espeak driver used to drop parameter changes between lines (see tts.py).
    voice = Pyttsx3Synthesizer()
    durations = [voice.synthesize(LINE, rate=r).duration_s for r in (0.7, 1.4, 0.7, 1.4, 0.7, 1.4)]
    slow, fast = durations[0::2], durations[1::2]
    assert max(fast) < 0.75 * min(slow), durations
    quiet = voice.synthesize(LINE, volume=0.3).samples
    loud = voice.synthesize(LINE, volume=1.0).samples
    ratio_db = 20 * np.log10(np.sqrt(np.mean(loud**2)) / np.sqrt(np.mean(quiet**2)))
    assert ratio_db == pytest.approx(20 * np.log10(1 / 0.3), abs=1.5)
