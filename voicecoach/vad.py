"""Speech detectors: how likely each 32 ms frame of 16 kHz audio is speech.

``SileroDetector`` runs the Silero VAD model that faster-whisper ships (ONNX, ~0.07 ms a frame
here), streaming: it carries the model's recurrent state and 64 samples of context from frame
to frame, which gives the same probabilities as faster-whisper's batch call (checked in
tests/model/test_vad.py). ``EnergyDetector`` needs nothing but numpy and is the fallback.
``RescuedSilero``, the live default, combines them.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

#: Silero VAD's frame at 16 kHz, and the context it expects before each frame.
FRAME_SAMPLES = 512
CONTEXT_SAMPLES = 64


class SileroDetector:
    """Streaming Silero VAD (the model file shipped in faster-whisper's assets)."""

    frame_samples = FRAME_SAMPLES

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self.reset()

    def reset(self) -> None:
        """Forget the audio heard so far (start of a new stream)."""
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, CONTEXT_SAMPLES), dtype=np.float32)

    def speech_probability_of(self, frame: npt.NDArray[np.float32]) -> float:
        """Probability that this 512-sample frame is speech."""
        chunk = frame.astype(np.float32, copy=False).reshape(1, -1)
        if chunk.shape[1] != FRAME_SAMPLES:
            chunk = np.pad(chunk[:, :FRAME_SAMPLES], ((0, 0), (0, max(0, FRAME_SAMPLES - chunk.shape[1]))))
        x = np.concatenate([self._context, chunk], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = chunk[:, -CONTEXT_SAMPLES:]
        return float(np.asarray(out).reshape(-1)[0])


class EnergyDetector:
    """Speech probability from frame level above a running noise floor.

    The fallback detector: needs nothing but numpy. The floor follows the quietest recent frames
    (it falls at once, rises slowly), and a frame ``margin_db`` above it counts as speech; 10 dB is
    where pause detection stays reliable (DOMAIN.md: it fails below ~10 dB SNR).
    """

    def __init__(
        self, frame_samples: int = 512, margin_db: float = 10.0, min_floor_db: float = -70.0
    ) -> None:
        self.frame_samples = frame_samples
        self.margin_db = margin_db
        self.noise_floor_db: float | None = None  # set by the first frame
        self._min_floor_db = min_floor_db

    def speech_probability_of(self, frame: npt.NDArray[np.float32]) -> float:
        """Probability in [0, 1] that ``frame`` holds speech; updates the noise floor."""
        rms = float(np.sqrt(np.mean(np.square(frame, dtype=np.float64)))) if frame.size else 0.0
        level_db = max(self._min_floor_db, 20.0 * float(np.log10(max(rms, 1e-7))))
        if self.noise_floor_db is None or level_db < self.noise_floor_db:
            self.noise_floor_db = level_db
        else:
            # Rise 0.05 dB per 32 ms frame (~1.5 dB/s): a steady hum is absorbed within seconds,
            # but a sentence does not become the floor.
            self.noise_floor_db += 0.05
        above = level_db - (self.noise_floor_db + self.margin_db)
        return float(1.0 / (1.0 + np.exp(-above / 2.0)))


class RescuedSilero:
    """Silero, with the energy detector's help where Silero hesitates, kept fresh in quiet.

    Silero VAD barely fires on high, thin voices: on ../shared/realspeech's two falsetto
    recordings it marked 5% and 1% of frames as speech against ~70% for ordinary speech, so a
    trainee speaking that way would never be heard. A frame Silero gives at least
    ``UNSURE`` that is also clearly above the noise floor (energy probability ≥ ``LOUD``) counts
    as speech; noise alone (Silero below ``UNSURE``) never does.

    A live microphone listens for minutes, and Silero's recurrent state wears over a long quiet
    stretch: with 0.1-5 s of silence before them, the whispered, falsetto and creaky
    realspeech recordings got 11-97 frames at 0.15 or more; after 20-30 s of silence, 0-40, and
    the whispers none, so they never became turns through the audio server. So after
    ``REFRESH_AFTER_QUIET_FRAMES`` in which neither detector hears anything, Silero's state
    starts afresh. Requiring the energy detector's silence too keeps a refresh out of a faint
    reply (a whisper's first frames are below 0.1 for Silero but not quiet).
    """

    frame_samples = FRAME_SAMPLES
    UNSURE = 0.15
    LOUD = 0.9
    #: ~2 s: the state is then never older than the 0.1-5 s that hears weak voices well.
    REFRESH_AFTER_QUIET_FRAMES = 64
    QUIET = 0.1

    def __init__(self) -> None:
        self.silero = SileroDetector()
        self.energy = EnergyDetector(frame_samples=FRAME_SAMPLES)
        self._quiet_frames = 0

    def speech_probability_of(self, frame: npt.NDArray[np.float32]) -> float:
        """Silero's probability, raised to the speech threshold (0.5) for a rescued frame."""
        silero = self.silero.speech_probability_of(frame)
        energy = self.energy.speech_probability_of(frame)
        quiet = silero < self.QUIET and energy < self.QUIET
        self._quiet_frames = self._quiet_frames + 1 if quiet else 0
        if self._quiet_frames >= self.REFRESH_AFTER_QUIET_FRAMES:
            self.silero.reset()
            self._quiet_frames = 0
        if silero < 0.5 and silero >= self.UNSURE and energy >= self.LOUD:
            return 0.5
        return silero


def make_detector(kind: str = "silero") -> RescuedSilero | SileroDetector | EnergyDetector:
    """The requested detector ("silero": Silero with the energy rescue, "silero-only", "energy");
    falls back to energy when Silero cannot load (no onnxruntime)."""
    if kind in ("silero", "silero-only"):
        try:
            return RescuedSilero() if kind == "silero" else SileroDetector()
        except (ImportError, RuntimeError, OSError) as e:
            log.warning("Silero VAD unavailable (%s); using the energy detector", e)
    return EnergyDetector(frame_samples=FRAME_SAMPLES)
