"""Property tests: any text whatsoever gives a valid report with evidence inside the text."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from voicecoach.analysis.lexicon import load_lexicon
from voicecoach.analysis.wording import analyze_wording
from voicecoach.types import ALL_TAGS, DEESCALATING_TAGS, ESCALATING_TAGS

pytestmark = pytest.mark.unit

_VOCAB = "calm down not i'm sorry but you rules are what ? , um like can't let's never going to tell"
_WORDS = st.sampled_from([*_VOCAB.split(), "sounds", "f***", "your", "right", "…", "’", "\u200b"])
_LEXICON = load_lexicon()
_MIXED = st.one_of(st.text(max_size=300), st.lists(_WORDS, max_size=40).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(text=_MIXED, context=st.one_of(st.none(), _MIXED))
def test_never_raises_and_offsets_are_valid(text: str, context: str | None) -> None:
    report = analyze_wording(text, context)
    assert report.effect in {"deescalating", "escalating", "neutral"}
    assert report.text == text
    for t in report.techniques:
        assert t.tag in ALL_TAGS
        assert 0 <= t.evidence.start < t.evidence.end <= len(text)
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text
    if any(t.tag in {"command", "threat", "blame"} for t in report.techniques):
        assert report.effect == "escalating"


# --- issue #8: real replies mangled with hostile unicode ----------------------------------------

_DEV = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "wording_dev.jsonl"
#: Real labelled replies and the persona lines they answer, so that the properties are checked on
#: text that finds moves, not only on noise that finds none.
_ROWS = [json.loads(line) for line in _DEV.read_text(encoding="utf-8").splitlines()[:400] if line.strip()]
_REPLIES = st.sampled_from([r["text"] for r in _ROWS])
_CONTEXTS = st.sampled_from([r["context"] for r in _ROWS])
#: Characters that break naive text handling: controls, line/paragraph separators, bidi controls,
#: zero-width joiners, combining marks, emoji sequences, letters whose case mapping changes length
#: (İ -> i̇, ß -> SS, ﬃ -> FFI), full-width and look-alike letters, quotes and dashes.
_HOSTILE = st.sampled_from(
    [
        "\x00", "\x07", "\t", "\n", "\r\n", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029",
        "\u200b", "\u200d", "\ufeff", "\u202e", "\u202c", "\u200f", "\u0301", "\u0308\u0323",
        "👍", "👩\u200d👩\u200d👧", "🇫🇷", "İ", "ß", "ﬃ", "ǅ", "Σ", "ＣＡＬＭ", "с", "ا", "שלום",
        "’", "‘", "“", "”", "—", "–", "…", "?!", "...", "  ", "\ud7ff", "\U0010fffd",
    ]
)  # fmt: skip


@st.composite
def _mangled(draw: st.DrawFn) -> str:
    """A real reply with hostile characters inserted, letters re-cased, maybe repeated to length."""
    text = draw(_REPLIES)
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.one_of(_HOSTILE, st.text(max_size=3))) + text[i:]
    case = draw(st.sampled_from(["keep", "upper", "swap"]))
    text = text.upper() if case == "upper" else text.swapcase() if case == "swap" else text
    return text * draw(st.sampled_from([1, 1, 1, 2, 40]))


_CONTEXT = st.one_of(st.none(), st.just(""), _CONTEXTS, _mangled(), st.text(max_size=200))


@settings(max_examples=250, deadline=None)
@given(text=st.one_of(_mangled(), _MIXED), context=_CONTEXT)
def test_mangled_replies_keep_offsets_effect_and_score(text: str, context: str | None) -> None:
    report = analyze_wording(text, context=context)
    event(f"techniques: {min(len(report.techniques), 3)}")
    assert report.text == text
    for t in report.techniques:
        assert t.tag in ALL_TAGS
        assert 0 <= t.evidence.start < t.evidence.end <= len(text)
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text
        assert t.evidence.text.strip(), "evidence must hold a word"
    tags = report.tags
    # The effect follows the tags exactly (wording.py, step 7) ...
    expected = (
        "escalating"
        if tags & set(ESCALATING_TAGS)
        else "deescalating"
        if tags & set(DEESCALATING_TAGS)
        else "neutral"
    )
    assert report.effect == expected
    # ... and the score is the sum of the distinct tags' weights: finite, whatever the text.
    assert math.isfinite(report.score)
    assert report.score == pytest.approx(sum(_LEXICON.rule(tag).weight for tag in tags))
    json.dumps(report.to_dict(), allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(text=_mangled(), context=_CONTEXT)
def test_wording_is_deterministic_and_lexicon_only_is_a_subset(text: str, context: str | None) -> None:
    """Same input, same report; the learned model adds moves to the lexicon's, and a lexicon
    finding it drops is either overridden by a move it added (the lexicon's `overrides:`) or
    vetoed with a note that says so."""
    report = analyze_wording(text, context=context)
    assert analyze_wording(text, context=context) == report
    rules_only = analyze_wording(text, context=context, model=False)
    overridden = {t for tag in report.tags for t in _LEXICON.rule(tag).overrides}
    kept = {(t.tag, t.evidence) for t in report.techniques}
    for t in rules_only.techniques:
        if (t.tag, t.evidence) not in kept:
            assert t.tag in overridden or any(f"looks like {t.tag}," in n for n in report.notes)
