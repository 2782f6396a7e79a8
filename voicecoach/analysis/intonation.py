"""Whether each phrase ends rising or falling.

DOMAIN.md: a falling or level end sounds settled; rising ends in most phrases sound unsure, and a
reflection (MI) is a statement with falling intonation. A phrase is a speech stretch between
silent pauses; its end is judged from its last voiced frames: the median F0 of the final
``_END_S`` against the median of the ``_BEFORE_S`` before that, in semitones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicecoach.analysis.pauses import IntArray
from voicecoach.analysis.quality import FloatArray

#: The end of a phrase: its last 120 ms of voicing (about one stressed vowel at conversational rate).
_END_S = 0.12
#: What the end is compared with: the 300 ms of voicing before it (the preceding syllable or two).
_BEFORE_S = 0.30
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
    before_frames = max(3, round(_BEFORE_S / hop_s))
    for s, e in zip(starts, ends, strict=True):
        f0 = f0_hz[s:e]
        voiced = np.flatnonzero(np.isfinite(f0))
        if voiced.size * hop_s < _MIN_VOICED_S:
            continue
        st = 12.0 * np.log2(f0[voiced])
        # Voiced frames only, so a final unvoiced consonant does not hide the contour.
        tail = st[-end_frames:]
        head = st[-(end_frames + before_frames) : -end_frames]
        if head.size < 2:
            continue
        judged += 1
        if float(np.median(tail) - np.median(head)) >= rise_st:
            rising += 1
    return PhraseEnds(judged, rising)
