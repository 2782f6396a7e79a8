"""Whether each phrase ends rising or falling.

DOMAIN.md: a falling or level end sounds settled; rising ends in most phrases sound unsure, and a
reflection (MI) is a statement with falling intonation. A phrase is a speech stretch between
silent pauses; its end is judged from its last voiced frames: how far the final ``_END_S`` of
F0 (median) sits above the low point (10th percentile) of the last ``_TAIL_S`` of voicing, in
semitones. A statement ends at or near its low point; a question dips and then climbs away from
it (often only on the last syllable, so a straight line through the phrase end would miss it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicecoach.analysis.pauses import IntArray
from voicecoach.analysis.quality import FloatArray

#: The end of a phrase: its last 50 ms of voicing (the final part of the last vowel).
_END_S = 0.05
#: Where the low point is looked for: the last 500 ms of voicing (the last two or three syllables).
_TAIL_S = 0.50
#: A phrase with less voicing than this has no contour worth judging.
_MIN_VOICED_S = 0.25


@dataclass(frozen=True)
class PhraseEnds:
    """How many phrases were judged and how many of them ended rising."""

    judged: int
    rising: int

    @property
    def rising_ratio(self) -> float | None:
        """Share of judged phrases that ended rising, or None if none could be judged."""
        return self.rising / self.judged if self.judged else None


def phrase_ends(
    f0_hz: FloatArray, starts: IntArray, ends: IntArray, hop_s: float, rise_st: float
) -> PhraseEnds:
    """Judge the end of every phrase ``[starts[i], ends[i])`` of a frame-wise F0 track."""
    judged = rising = 0
    end_frames = max(2, round(_END_S / hop_s))
    tail_frames = max(end_frames + 3, round(_TAIL_S / hop_s))
    for s, e in zip(starts, ends, strict=True):
        f0 = f0_hz[s:e]
        voiced = np.flatnonzero(np.isfinite(f0))
        if voiced.size * hop_s < _MIN_VOICED_S:
            continue
        st = 12.0 * np.log2(f0[voiced])
        # Voiced frames only, so a final unvoiced consonant does not hide the contour.
        end = float(np.median(st[-end_frames:]))
        low = float(np.percentile(st[-tail_frames:], 10))
        judged += 1
        if end - low >= rise_st:
            rising += 1
    return PhraseEnds(judged, rising)
