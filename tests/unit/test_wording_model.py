"""The learned second opinion (wording_model): loads, is local, deterministic and total."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicecoach.analysis.lexicon import load_lexicon
from voicecoach.analysis.wording import VETO_MAX_WORDS, analyze_wording
from voicecoach.analysis.wording_model import (
    MODEL_PATH,
    HiddenLayer,
    WordingModel,
    clauses,
    features,
    load_model,
    predict,
    probabilities,
)
from voicecoach.analysis.wording_text import Token, normalise, raw_tokens
from voicecoach.types import ALL_TAGS

pytestmark = pytest.mark.unit


def _tokens(text: str) -> list[Token]:
    lex = load_lexicon()
    return normalise(raw_tokens(text), lex.respell, lex.fillers)


def test_shipped_model_loads_and_is_small() -> None:
    model = load_model()
    assert model is not None
    assert model.tags == ALL_TAGS
    assert model.weights.shape == (len(model.index), len(ALL_TAGS))
    # The regression (JSON integers), the network (its input weights as base64 bytes) and the
    # feature names: 7.09 MB in the fifteenth round (6.61 MB in the thirteenth; it grows by
    # about 0.5 MB a round), small beside the 75 MB speech model. The bound is there to catch a
    # runaway vocabulary or weight format, not the steady growth of the data.
    assert MODEL_PATH.stat().st_size < 8_000_000
    assert all(0.0 < t < 1.0 for t in model.thresholds)
    assert model.hidden is not None
    units = model.hidden.bias.shape[0]
    assert model.hidden.weights.shape == (len(model.index), units)
    assert model.hidden.out_weights.shape == (units, len(ALL_TAGS))


def _tiny_model(hidden: HiddenLayer | None) -> WordingModel:
    """Two features ("w:sit", "w:down"), one tag, an optional two-unit network."""
    return WordingModel(
        tags=("command",),
        index={"w:sit": 0, "w:down": 1},
        weights=np.array([[1.0], [2.0]]),
        bias=np.array([-1.0]),
        thresholds=np.array([0.5]),
        confident=0.6,
        hidden=hidden,
    )


def test_the_network_is_averaged_with_the_regression() -> None:
    pairs = [(0, "w:sit"), (0, "w:down"), (0, "w:unknown")]
    regression_only, _ = probabilities(_tiny_model(None), pairs)
    assert regression_only[0] == pytest.approx(1 / (1 + math.exp(-(1.0 + 2.0 - 1.0))))
    net = HiddenLayer(
        weights=np.array([[1.0, -1.0], [0.5, -1.0]]),  # unit 2 stays below zero: ReLU drops it
        bias=np.array([0.0, 0.5]),
        out_weights=np.array([[-2.0], [5.0]]),
        out_bias=np.array([1.0]),
    )
    both, per_clause = probabilities(_tiny_model(net), pairs)
    from_net = 1 / (1 + math.exp(-(-2.0 * 1.5 + 1.0)))
    assert both[0] == pytest.approx((regression_only[0] + from_net) / 2)
    # The evidence still comes from the regression's per-clause weights alone.
    assert per_clause[0][0] == pytest.approx(3.0)


def test_a_network_that_does_not_fit_the_features_means_rules_only(tmp_path: Path) -> None:
    shipped = MODEL_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "bad_hidden.json"
    for key, broken in [("bias", lambda v: v[:-1]), ("weights", lambda v: v[:-8])]:  # -8: still base64
        raw = json.loads(shipped)
        raw["hidden"][key] = broken(raw["hidden"][key])
        bad.write_text(json.dumps(raw), encoding="utf-8")
        assert load_model(bad) is None, key


def test_missing_or_broken_model_file_means_rules_only(tmp_path: Path) -> None:
    assert load_model(tmp_path / "absent.json") is None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tags": ["command"]}), encoding="utf-8")
    assert load_model(bad) is None


def test_model_off_is_the_lexicon_alone() -> None:
    text = "You had a bed and they gave it away."
    assert analyze_wording(text, model=False).techniques == analyze_wording(text, model=None).techniques


def test_clauses_split_at_punctuation() -> None:
    toks = _tokens("I hear you, but sit down. Now!")
    spans = [(c.first, c.last) for c in clauses(toks)]
    assert [" ".join(t.norm for t in toks[a : b + 1]) for a, b in spans] == [
        "i hear you",
        "but sit down",
        "now",
    ]


def test_evidence_is_one_clause_of_the_original_text() -> None:
    model = load_model()
    assert model is not None
    text = "Okay, so. Honestly, you people are all the same, every single one of you!"
    toks = _tokens(text)
    for f in predict(toks, None, load_lexicon(), model):
        assert f.tag in ALL_TAGS
        assert 0 <= f.first <= f.last < len(toks)
        assert not any(t.norm in {",", ".", "!", "?"} for t in toks[f.first : f.last + 1])
    report = analyze_wording(text)
    for t in report.techniques:
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text


def test_deterministic() -> None:
    text = "um why dont you just go sit in the corner and think about what you did"
    first = analyze_wording(text, "I didn't do anything!")
    for _ in range(3):
        assert analyze_wording(text, "I didn't do anything!") == first
    toks = _tokens(text)
    assert features(toks, None, load_lexicon()) == features(toks, None, load_lexicon())


def test_no_reflection_without_the_persona_line() -> None:
    model = load_model()
    assert model is not None
    toks = _tokens("So you waited all morning and nobody called your name.")
    assert all(f.tag != "reflection" for f in predict(toks, None, load_lexicon(), model))


def test_context_without_shared_ideas_changes_nothing() -> None:
    lex = load_lexicon()
    toks = _tokens("I hear you.")
    assert features(toks, _tokens("The bus was late again."), lex) == features(toks, None, lex)


def test_a_long_text_stays_fast() -> None:
    text = "if you don't stop I'll call security, let's talk, you're right. " * 800
    start = time.process_time()
    report = analyze_wording(text[:50_000], "what?")
    assert time.process_time() - start < 5.0
    assert report.effect == "escalating"


_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from("you need to sit down um , . ? i'm sorry let's maybe 😀 \x00 ¿qué".split()),
        max_size=40,
    ).map(" ".join),
)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, context=st.one_of(st.none(), _TEXT))
def test_any_unicode_never_raises_and_evidence_indexes_the_text(text: str, context: str | None) -> None:
    report = analyze_wording(text, context)
    for t in report.techniques:
        assert text[t.evidence.start : t.evidence.end] == t.evidence.text
    model = load_model()
    assert model is not None
    toks = _tokens(text)
    ctx = _tokens(context) if context else None
    for f in predict(toks, ctx, load_lexicon(), model):
        assert 0 <= f.first <= f.last < len(toks)


def test_veto_drops_a_phrase_finding_with_a_note_and_zero_never_does() -> None:
    model = load_model()
    assert model is not None
    text = "Sit down right now."
    kept = analyze_wording(text, model=dataclasses.replace(model, veto=0.0))
    assert "command" in kept.tags and not any("learned model" in n for n in kept.notes)
    vetoed = analyze_wording(text, model=dataclasses.replace(model, veto=1.01))  # above any p
    assert "command" not in vetoed.tags
    assert any(n.startswith('"Sit down" looks like command,') for n in vetoed.notes)  # as said
    # The shipped model keeps this plain order: its veto is for findings it finds unlikely.
    assert "command" in analyze_wording(text).tags


def test_a_phrase_written_after_training_is_never_vetoed() -> None:
    model = load_model()
    assert model is not None and model.phrases is not None
    lexicon = load_lexicon()
    # The shipped model records the phrases it was trained beside: today's lexicon's.
    assert model.phrases == {p.source for rule in lexicon.rules for p in rule.phrases}
    strict = dataclasses.replace(model, veto=1.01)  # would veto any finding
    assert "command" not in analyze_wording("Sit down right now.", model=strict).tags
    # The same finding from phrases the model never saw stands, without a note.
    unseen = dataclasses.replace(strict, phrases=frozenset())
    report = analyze_wording("Sit down right now.", model=unseen)
    assert "command" in report.tags and not any("learned model" in n for n in report.notes)
    # An older model file without the list vetoes every phrase alike.
    older = dataclasses.replace(strict, phrases=None)
    assert "command" not in analyze_wording("Sit down right now.", model=older).tags


def test_no_veto_beyond_the_lengths_the_model_was_measured_on() -> None:
    model = load_model()
    assert model is not None
    words = "we went over the plan for the week and the house meeting and the chores list again"
    long_text = "Sit down right now. " + " ".join([words] * 4)  # over VETO_MAX_WORDS
    assert len(long_text.split()) > VETO_MAX_WORDS
    report = analyze_wording(long_text, model=dataclasses.replace(model, veto=1.01))
    assert "command" in report.tags


def test_the_model_does_not_make_a_found_apology_a_dismissal() -> None:
    model = load_model()
    assert model is not None
    # Thresholds of 0: the model adds every tag it may add.
    eager = dataclasses.replace(model, thresholds=np.zeros(len(ALL_TAGS)), confident=0.0, veto=0.0)
    apology = analyze_wording("I'm sorry you have to find out that way.", model=eager)
    assert "apology" in apology.tags and "command" in apology.tags  # the model is adding moves
    assert "dismissal" not in apology.tags
    # Without an apology the same model adds dismissal, and a non-apology is the lexicon's own
    # dismissal, which suppresses the apology.
    assert "dismissal" in analyze_wording("We can talk about it later.", model=eager).tags
    non_apology = analyze_wording("I'm sorry you feel that way.", model=False)
    assert "dismissal" in non_apology.tags and "apology" not in non_apology.tags
