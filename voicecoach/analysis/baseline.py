"""A trainee's calm baseline: measured from a reading passage, stored as JSON.

DOMAIN.md: raw dBFS depends on microphone gain and F0 on the speaker, so every later reply is
reported relative to the trainee's own calm reading on the same microphone (level in dB, pitch in
semitones, articulation rate in percent). ``voicecoach calibrate`` records the passage and calls
``baseline_from_clip`` then ``save_baseline``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from voicecoach.analysis.measure import measure_delivery
from voicecoach.config import ToneOptions
from voicecoach.errors import AudioFileError, SessionStorageError, VoiceCoachError
from voicecoach.storage import make_private_dir, write_json_atomic
from voicecoach.types import AudioClip, Baseline, Transcript

#: Bumped if the stored fields change meaning; files of another version are refused, not misread.
FORMAT_VERSION = 1
#: A calibration passage needs this much phonation for its medians to be stable (~a sentence or two).
MIN_CALIBRATION_SPEECH_S = 3.0


class BaselineError(VoiceCoachError):
    """A stored baseline file is missing, corrupt or from an incompatible version."""


def baseline_from_clip(
    clip: AudioClip,
    transcript: Transcript | None = None,
    *,
    trainee: str = "",
    source_file: str = "",
    options: ToneOptions = ToneOptions(),  # frozen, so sharing the default is safe
) -> Baseline:
    """Measure a calm reading passage. Raises ``AudioFileError`` if it cannot serve as a baseline."""
    d = measure_delivery(clip.samples, clip.sample_rate, options)
    where = f"{source_file}: " if source_file else ""
    if d.phonation_s < MIN_CALIBRATION_SPEECH_S:
        raise AudioFileError(
            f"{where}the calibration recording holds {d.phonation_s:.1f} s of speech; "
            f"read the passage aloud for at least {MIN_CALIBRATION_SPEECH_S:.0f} s"
        )
    if d.snr_db is not None and d.snr_db < options.unusable_snr_db:
        raise AudioFileError(
            f"{where}the calibration recording is too noisy (SNR {d.snr_db:.0f} dB); record somewhere quieter"
        )
    if (
        d.level_dbfs is None
        or d.pitch_hz_median is None
        or d.articulation_rate_sps is None
        or not d.has_voice(options.min_voiced_share)
    ):
        raise AudioFileError(
            f"{where}no voiced speech in the calibration recording; read it aloud in your normal voice"
        )
    words = transcript.word_count if transcript is not None else 0
    wpm = words / d.speech_s * 60.0 if words and d.speech_s > 0 else None
    return Baseline(
        level_dbfs=d.level_dbfs,
        pitch_hz_median=d.pitch_hz_median,
        articulation_rate_sps=d.articulation_rate_sps,
        wpm=wpm,
        trainee=trainee,
        source_file=source_file,
    )


def save_baseline(path: str | Path, baseline: Baseline) -> None:
    """Write ``baseline`` as JSON, atomically and readable only by its owner (it is measured from
    the trainee's voice); a folder it has to create is private too."""
    p = Path(path)
    data = {"format": FORMAT_VERSION, **asdict(baseline)}
    try:
        if not p.parent.is_dir():
            make_private_dir(p.parent)
        write_json_atomic(p, data)
    except SessionStorageError as e:
        raise BaselineError(str(e)) from e


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline written by ``save_baseline``; any problem raises ``BaselineError``."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise BaselineError(f"{p}: no baseline here; record one with `voicecoach calibrate`") from e
    except (OSError, UnicodeDecodeError) as e:
        raise BaselineError(f"{p}: cannot read the baseline: {e}") from e
    except json.JSONDecodeError as e:
        raise BaselineError(f"{p}:{e.lineno}: not valid JSON ({e.msg}); record the baseline again") from e
    if not isinstance(data, dict):
        raise BaselineError(f"{p}: a baseline must be a JSON object")
    if data.get("format") != FORMAT_VERSION:
        raise BaselineError(
            f"{p}: format {data.get('format')!r} is not {FORMAT_VERSION}; record the baseline again"
        )
    return Baseline(
        level_dbfs=_number(p, data, "level_dbfs"),
        pitch_hz_median=_number(p, data, "pitch_hz_median", positive=True),
        articulation_rate_sps=_number(p, data, "articulation_rate_sps", positive=True),
        wpm=_number(p, data, "wpm", positive=True) if data.get("wpm") is not None else None,
        trainee=_text(p, data, "trainee"),
        source_file=_text(p, data, "source_file"),
    )


def _number(p: Path, data: dict[str, Any], key: str, *, positive: bool = False) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BaselineError(f"{p}: {key}: expected a number, found {value!r}")
    if positive and value <= 0:
        raise BaselineError(f"{p}: {key}: must be positive, found {value!r}")
    return float(value)


def _text(p: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise BaselineError(f"{p}: {key}: expected text, found {value!r}")
    return value
