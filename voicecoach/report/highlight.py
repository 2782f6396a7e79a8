"""Split a transcript into pieces so the evidence words can be highlighted by character offsets.

Each technique in ``session.json`` carries ``start``/``end`` offsets with
``transcript[start:end] == evidence``. Spans may overlap (a reflection can contain a
validation), so the text is cut at every span edge and each piece lists the spans covering it.
A span whose offsets do not match its evidence (an edited file) is left out, never guessed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voicecoach.types import DEESCALATING_TAGS, ESCALATING_TAGS


@dataclass(frozen=True)
class Piece:
    """A run of transcript text and the tags whose evidence covers it (empty: plain text)."""

    text: str
    tags: tuple[str, ...] = ()

    @property
    def css(self) -> str:
        """``bad`` if any covering move escalates, else ``good``, or ``neutral``."""
        if any(t in ESCALATING_TAGS for t in self.tags):
            return "bad"
        if any(t in DEESCALATING_TAGS for t in self.tags):
            return "good"
        return "neutral"


def tag_class(tag: str) -> str:
    """CSS class of one tag."""
    return Piece("", (tag,)).css


def pieces(text: str, techniques: Sequence[Mapping[str, Any]]) -> list[Piece]:
    """``text`` cut into pieces at every valid evidence span's edges."""
    spans = []
    for t in techniques:
        start, end = t.get("start"), t.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            continue
        if text[start:end] != t.get("evidence"):
            continue
        spans.append((start, end, str(t.get("tag"))))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for a, b in itertools.pairwise(cuts):
        tags = tuple(tag for s, e, tag in spans if s <= a and b <= e)
        out.append(Piece(text[a:b], tags))
    return out
