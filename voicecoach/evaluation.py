"""Scoring speech recognition against reference transcripts (for tests and benchmarks)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9']+")
#: Annotation tokens in reference transcripts (<unk>, [laughter], <cutoff-...>) are not words.
_ANNOTATION = re.compile(r"<[^>]*>|\[[^\]]*\]")


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation or annotation tokens."""
    return _TOKEN.findall(_ANNOTATION.sub(" ", text.lower()).replace("-", " "))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference length (0 for two empty texts)."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)
