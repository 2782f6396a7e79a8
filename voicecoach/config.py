"""Option dataclasses with named, documented defaults.

Every result echoes the options that produced it (``SessionReport.settings``), so a report can be
reproduced. Options are validated once, where they enter (CLI or a file), never inside the core.
Each stage owns one class here; add a new stage's options as a new class.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: Environment variable naming a CTranslate2 Whisper model folder to use instead of the default.
MODEL_ENV = "VOICECOACH_MODEL"
#: Environment variable naming the folder of persona files.
PERSONAS_ENV = "VOICECOACH_PERSONAS"
#: Environment variable naming where trainee baselines are stored.
HOME_ENV = "VOICECOACH_HOME"


@dataclass(frozen=True)
class AsrOptions:
    """How faster-whisper decodes.

    ``beam_size`` 1 with ``temperature`` 0 is the fast, deterministic live setting; offline review
    can use 5, which gave ~12% fewer word errors here (issue 6 notes) at about twice the time.
    """

    model: str | None = None  # None: $VOICECOACH_MODEL, else the embedded tiny.en
    beam_size: int = 1
    compute_type: str = "int8"  # int8 on CPU: tiny.en peaks near 250 MB RSS
    cpu_threads: int = 0  # 0 lets CTranslate2 choose (all cores)
    language: str = "en"

    def resolved_model(self) -> str | None:
        """The model asked for by option or environment, or None for the embedded default."""
        return self.model or os.environ.get(MODEL_ENV) or None


@dataclass(frozen=True)
class SessionOptions:
    """How a practice session runs."""

    max_turns: int = 12  # a scenario that is neither resolved nor escalated by then is "unresolved"
    seed: int = 0
    playback: bool = True
    keep_audio: bool = True
    difficulty: str = "standard"
