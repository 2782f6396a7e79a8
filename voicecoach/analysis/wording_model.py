"""A learned second opinion for the wording analyser: logistic regression over word n-grams,
averaged with a small neural network over the same features.

The lexicon (``lexicon.yaml``) stays the primary, readable mechanism. Its phrases are precise
but only find wordings somebody wrote down; this model catches the moves phrased in ways the
lexicon does not list yet. It is one-vs-rest logistic regression, one weight per (feature, tag),
and (since the tenth round) a network with one hidden layer of 64 ReLU units whose
probabilities are averaged with the regression's; both are trained by
``scripts/train_wording_model.py`` on the project's labelled dev sets and the older held-back
sets (``benchmarks/data/``; never the current held-back sets) and shipped as
``wording_model.json``. Pure numpy at run time, nothing downloaded.

Features come from the same normalised tokens the lexicon sees (respellings repaired, fillers
dropped), split into clauses at punctuation, so a finding's evidence is the one clause that
carried most regression weight for the tag (offsets into the original text). Per clause: words, word pairs
(with the clause start marked), the first two words, whether the clause ends in "?", and
(fifth round) each word after a negation in the clause, marked as negated; per
utterance: how many ideas (1, 2, 3+) the utterance shares with the persona's line, alone and
with the first word (for reflections).

``analyze_wording`` adds a tag from here when the rules found no move at all and the model's
probability reaches the tag's threshold, or, when the rules found some move, only from
``confident`` on; since the seventh round it also drops a rule finding whose tag it gives less
than ``veto`` (all three recorded in the JSON file), but never one resting on a phrase written
after the model was trained (the file lists the phrases it was trained beside). All are chosen
by the training script on the sets written by other annotators than dev's (the older held-back
sets and dev2 onwards), each scored by a model trained without it, because on dev the lexicon
has seen every item and misses almost nothing. The high second threshold keeps the model from
adding false tags next to a rule finding. A missed move otherwise leaves the utterance
"neutral", which is where the rules lose most. A clause the lexicon calls a stock phrase (a
``notes:`` phrase such as "I hear you") is never turned into a move by the model.
"""

from __future__ import annotations

import base64
import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicecoach.analysis.lexicon import Lexicon
from voicecoach.analysis.wording_reflect import concepts_of
from voicecoach.analysis.wording_text import CLAUSE_PUNCT, Token

MODEL_PATH = Path(__file__).with_name("wording_model.json")
#: Utterance-level features (no clause): they never decide where the evidence is.
_GLOBAL = -1
#: Words that open a negation's scope for the "n:" features (with any word ending in "n't"):
#: the rest of the clause is marked, so "not" + "calm down" differs from "calm down".
NEGATIONS = frozenset({"not", "no", "never", "nobody", "nothing", "cannot", "neither", "nor"})


@dataclass(frozen=True)
class Clause:
    """An inclusive token span between clause punctuation."""

    first: int
    last: int


@dataclass(frozen=True)
class HiddenLayer:
    """A small neural network over the same features (one hidden layer of ReLU units).

    Its probabilities are averaged with the regression's: in the network one cue can change
    what another counts for, where the regression can only add them up; the regression keeps
    the per-clause weights that place the evidence. Tenth round: leave-one-set-out, the average
    beat either alone (docs/benchmarks/wording_history.md).
    """

    weights: npt.NDArray[np.float64]  # (features, units)
    bias: npt.NDArray[np.float64]  # (units,)
    out_weights: npt.NDArray[np.float64]  # (units, tags)
    out_bias: npt.NDArray[np.float64]  # (tags,)


@dataclass(frozen=True)
class WordingModel:
    """Weights of a one-vs-rest logistic regression over named features (and, optionally, of a
    small network averaged with it)."""

    tags: tuple[str, ...]
    index: dict[str, int]
    weights: npt.NDArray[np.float64]  # (features, tags)
    bias: npt.NDArray[np.float64]  # (tags,)
    thresholds: npt.NDArray[np.float64]  # (tags,), on the probability
    confident: float  # where the rules found something, the model adds a tag only from here
    #: a rule finding whose tag the model gives less than this is not counted (0: never)
    veto: float = 0.0
    #: the lexicon's tag phrases when the model was trained (None: a file from before the
    #: ninth round, which did not record them)
    phrases: frozenset[str] | None = None
    #: the network averaged with the regression (None: a file from before the tenth round)
    hidden: HiddenLayer | None = None


@dataclass(frozen=True)
class Scored:
    """The model's view of one utterance: probability per tag and each clause's weights."""

    probs: npt.NDArray[np.float64]
    per_clause: dict[int, npt.NDArray[np.float64]]
    spans: list[Clause]


@dataclass(frozen=True)
class ModelFinding:
    """A tag the model proposes, its probability and the clause it rests on."""

    tag: str
    probability: float
    first: int
    last: int


def clauses(tokens: Sequence[Token]) -> list[Clause]:
    """Spans of words between clause punctuation (commas, sentence ends)."""
    out: list[Clause] = []
    start = 0
    for i, t in enumerate(tokens):
        if t.norm in CLAUSE_PUNCT:
            if i > start:
                out.append(Clause(start, i - 1))
            start = i + 1
    if start < len(tokens):
        out.append(Clause(start, len(tokens) - 1))
    return out


def features(
    tokens: Sequence[Token], ctx_tokens: Sequence[Token] | None, lex: Lexicon
) -> list[tuple[int, str]]:
    """(clause number or -1, feature name) pairs for one utterance; deterministic order."""
    out: list[tuple[int, str]] = []
    spans = clauses(tokens)
    for c, span in enumerate(spans):
        words = [tokens[i].norm for i in range(span.first, span.last + 1)]
        prev = "<s>"
        negated = False
        for w in words:
            out.append((c, "w:" + w))
            if len(w) > 5:
                out.append((c, "s:" + w[:5]))
            out.append((c, "b:" + prev + "_" + w))
            if negated:
                out.append((c, "n:" + w))
            negated = negated or w in NEGATIONS or w.endswith("n't")
            prev = w
        out.append((c, "f:" + " ".join(words[:2])))
        after = span.last + 1
        if after < len(tokens) and tokens[after].norm == "?":
            out.append((c, "q"))
            out.append((c, "qf:" + words[0]))
    if ctx_tokens is not None and spans:
        # Only ideas shared with the persona's line say anything: with none, the utterance
        # is scored as if there were no context, so a context cannot make "I hear you" a move.
        mine = concepts_of([t.norm for t in tokens], lex)
        shared = min(len(mine & concepts_of([t.norm for t in ctx_tokens], lex)), 3)
        if shared:
            out.append((_GLOBAL, f"ctx:{shared}"))
            out.append((_GLOBAL, f"ctx:{shared}:{tokens[spans[0].first].norm}"))
    return out


@functools.lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> WordingModel | None:
    """The shipped model, or None when the file is missing or unreadable (rules still work)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        tags = tuple(str(t) for t in raw["tags"])
        names = [str(n) for n in raw["features"]]
        scale = float(raw["scale"])
        weights = np.asarray(raw["weights"], dtype=np.float64).reshape(len(names), len(tags)) / scale
        bias = np.asarray(raw["bias"], dtype=np.float64)
        thresholds = np.asarray(raw["thresholds"], dtype=np.float64)
        confident = float(raw["confident"])
        veto = float(raw.get("veto", 0.0))
        phrases = frozenset(str(p) for p in raw["phrases"]) if "phrases" in raw else None
        hidden = _hidden_layer(raw["hidden"], len(names), len(tags)) if "hidden" in raw else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if bias.shape != (len(tags),) or thresholds.shape != (len(tags),):
        return None
    index = {n: i for i, n in enumerate(names)}
    return WordingModel(tags, index, weights, bias, thresholds, confident, veto, phrases, hidden)


def _hidden_layer(raw: dict[str, object], features: int, tags: int) -> HiddenLayer:
    """The network from its JSON form; raises ValueError when a shape does not fit.

    The input weights (features x units, the bulk of the file) are stored as signed bytes,
    base64, with one scale per unit: 3.1 MB where a JSON list of the same integers would take
    6.9 MB (twelfth round).
    """
    scales = np.asarray(raw["scales"], dtype=np.float64)
    units = len(scales)
    quantised = np.frombuffer(base64.b64decode(str(raw["weights"])), dtype=np.int8)
    weights = quantised.astype(np.float64).reshape(features, units) * scales
    bias = np.asarray(raw["bias"], dtype=np.float64)
    out_weights = np.asarray(raw["out_weights"], dtype=np.float64).reshape(units, tags)
    out_bias = np.asarray(raw["out_bias"], dtype=np.float64)
    if bias.shape != (units,) or out_bias.shape != (tags,):
        raise ValueError("hidden layer shapes do not fit")
    return HiddenLayer(weights, bias, out_weights, out_bias)


def probabilities(
    model: WordingModel, pairs: Sequence[tuple[int, str]]
) -> tuple[npt.NDArray[np.float64], dict[int, npt.NDArray[np.float64]]]:
    """The utterance's probability per tag, and each clause's summed weights per tag."""
    seen: dict[int, int] = {}  # feature row -> clause (first occurrence)
    by_clause: dict[int, list[int]] = {}
    for clause, name in pairs:
        row = model.index.get(name)
        if row is None or row in seen:
            continue
        seen[row] = clause
        by_clause.setdefault(clause, []).append(row)
    total = model.bias.copy()
    per_clause: dict[int, npt.NDArray[np.float64]] = {}
    for clause, rows in by_clause.items():
        part = model.weights[rows].sum(axis=0)
        total += part
        if clause != _GLOBAL:
            per_clause[clause] = part
    probs = _sigmoid(total)
    if model.hidden is not None:
        net = model.hidden
        rows = list(seen)
        units = np.maximum(net.weights[rows].sum(axis=0) + net.bias, 0.0)
        probs = (probs + _sigmoid(units @ net.out_weights + net.out_bias)) / 2.0
    return probs, per_clause


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def score(
    tokens: Sequence[Token], ctx_tokens: Sequence[Token] | None, lex: Lexicon, model: WordingModel
) -> Scored:
    """Run the model once over an utterance (``predict`` and ``unlikely`` read the result)."""
    spans = clauses(tokens)
    if not spans:
        return Scored(np.full(len(model.tags), math.nan), {}, spans)
    probs, per_clause = probabilities(model, features(tokens, ctx_tokens, lex))
    return Scored(probs, per_clause, spans)


def unlikely(scored: Scored, model: WordingModel, tags: Iterable[str]) -> frozenset[str]:
    """Those of ``tags`` (rule findings) the model gives less than ``model.veto``.

    Chosen leave-one-set-out like the thresholds: on wording by annotators the lexicon was not
    tuned on, a phrase finding the model finds this unlikely is more often wrong than right.
    """
    out = set()
    for tag in tags:
        if tag in model.tags:
            p = float(scored.probs[model.tags.index(tag)])
            if p < model.veto:  # NaN (no words) never vetoes
                out.add(tag)
    return frozenset(out)


def trusts(model: WordingModel, phrases: Iterable[str]) -> bool:
    """True when a finding rests on a lexicon phrase written after the model was trained.

    The veto's threshold was chosen for the phrases the model was trained beside; a phrase an
    instructor adds later is their deliberate call, which the model has never been measured
    against, so it is not vetoed.
    """
    return model.phrases is not None and any(p not in model.phrases for p in phrases)


def predict(
    tokens: Sequence[Token],
    ctx_tokens: Sequence[Token] | None,
    lex: Lexicon,
    model: WordingModel,
    *,
    rules_found: bool = False,
    scored: Scored | None = None,
) -> list[ModelFinding]:
    """Tags whose probability reaches their threshold, each with its strongest clause.

    The threshold is the tag's own (chosen by cross-validation) when the rules found nothing,
    and ``model.confident`` (or the tag's own, if higher) when they found something. ``scored``:
    the result of :func:`score` for these tokens, if already computed.
    """
    view = scored if scored is not None else score(tokens, ctx_tokens, lex, model)
    spans, probs, per_clause = view.spans, view.probs, view.per_clause
    if not spans:
        return []
    out: list[ModelFinding] = []
    for k, tag in enumerate(model.tags):
        p = float(probs[k])
        need = max(model.thresholds[k], model.confident) if rules_found else model.thresholds[k]
        if p < need or math.isnan(p) or (tag == "reflection" and ctx_tokens is None):
            # A reflection says back what the persona said: without their line it cannot be one.
            continue
        best = max(
            range(len(spans)), key=lambda c: (float(per_clause[c][k]) if c in per_clause else -1e9, -c)
        )
        span = spans[best]
        out.append(ModelFinding(tag, p, span.first, span.last))
    return out
