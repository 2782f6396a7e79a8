"""Fast transcription of a short reply by encoding a window fitted to it, not 30 s.

faster-whisper always pads audio to Whisper's 30 s window, so a 5 s reply costs as much to
encode as a 30 s one (0.4-0.5 s here). CTranslate2's encoder also accepts fewer frames. Measured
on ../shared/realspeech (111 recordings under 29 s, tiny.en, beam 1; benchmarks/asr_window_bench.py,
docs/benchmarks/live.md):

- window = speech + 1 s of silence: 28.0% WER against 20.5% for the full window; the model
  loops ("Firefox Firefox Firefox…") when the window ends soon after the speech;
- speech + 2 s: 24.0%;
- speech + 3 s: 20.9%, within half a point of the full window, in 0.43x the time.

So the window is the reply plus 3 s, and three guards stay in place against loops: a token cap
from the audio length; timestamps: a segment the model starts after the audio ends is dropped;
and :func:`looks_looped`: text that repeats itself is transcribed again with the full window
(the caller's job), which on realspeech's short, odd recordings (breaths, hesitations, cut-off
words) loops far less.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt

#: Silence after the speech inside the encoded window (see the module docstring).
PAD_S = 3.0
#: Whisper's full window, in seconds; longer audio goes through faster-whisper's own loop.
FULL_WINDOW_S = 30.0
#: Mel frames per second (10 ms hop).
FRAMES_PER_S = 100
#: Token cap: fast speech is ~4 words/s (~5 tokens/s); timestamps add a few per segment.
TOKENS_PER_S = 7
MIN_TOKENS = 16


def fits_short_window(samples: npt.NDArray[np.float32], sample_rate: int) -> bool:
    """Whether ``samples`` plus the padding fit in one Whisper window."""
    return len(samples) / sample_rate + PAD_S <= FULL_WINDOW_S


def transcribe_fitted(
    model: Any, samples: npt.NDArray[np.float32], sample_rate: int, beam_size: int, pad_s: float = PAD_S
) -> str:
    """Text of ``samples`` (16 kHz) from a window of its length plus ``pad_s``, via ``model``.

    ``model`` is a loaded ``faster_whisper.WhisperModel``.
    """
    from faster_whisper.tokenizer import Tokenizer

    duration = len(samples) / sample_rate
    seconds = min(FULL_WINDOW_S, math.ceil(duration + pad_s))
    frames = int(seconds * FRAMES_PER_S)
    padded = np.zeros(int(seconds * sample_rate), dtype=np.float32)
    padded[: len(samples)] = samples[: len(padded)]
    features = model.feature_extractor(padded)[:, :frames]
    encoded = model.encode(features)
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
    result = model.model.generate(
        encoded,
        [list(tokenizer.sot_sequence)],
        beam_size=beam_size,
        max_length=MIN_TOKENS + math.ceil(duration * TOKENS_PER_S),
        suppress_blank=True,
        suppress_tokens=[-1],
    )[0]
    return _text_before(result.sequences_ids[0], tokenizer, duration)


def _text_before(tokens: list[int], tokenizer: Any, duration: float) -> str:
    """Join the timestamped segments that start before the audio ends."""
    begin = tokenizer.timestamp_begin
    pieces: list[str] = []
    current: list[int] = []
    start = 0.0
    for token in tokens:
        if token >= begin:
            if current and start < duration - 0.1:
                pieces.append(tokenizer.decode(current))
            current = []
            start = (token - begin) * 0.02  # Whisper timestamps step 20 ms
        elif token < tokenizer.eot:
            current.append(token)
    if current and start < duration - 0.1:
        pieces.append(tokenizer.decode(current))
    return " ".join(" ".join(pieces).split())


#: faster-whisper's own loop test: text whose gzip compression ratio is above 2.4 repeats itself.
COMPRESSION_RATIO_LIMIT = 2.4
_WORD = re.compile(r"[a-z0-9']+")


def looks_looped(text: str) -> bool:
    """Whether ``text`` shows Whisper's decoding loop rather than what was said.

    A loop is a word said three times running ("forced forced forced"), a phrase of two or more
    words said twice running ("And so my fellow Americans. And so my fellow Americans."), or
    text that compresses too well. People do repeat themselves ("no, no, no"); the cost of a
    false alarm is only a second transcription with the full window.
    """
    words = _WORD.findall(text.lower())
    for i in range(len(words) - 2):
        if words[i] == words[i + 1] == words[i + 2]:
            return True
    for size in range(2, len(words) // 2 + 1):
        for i in range(len(words) - 2 * size + 1):
            if words[i : i + size] == words[i + size : i + 2 * size]:
                return True
    data = text.encode("utf-8")
    return len(data) > 0 and len(data) / len(zlib.compress(data)) > COMPRESSION_RATIO_LIMIT
