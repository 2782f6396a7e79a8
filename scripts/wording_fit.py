"""The fitting machinery behind ``scripts/train_wording_model.py``: design matrix, vocabulary,
the L2-penalised logistic regression, and leave-one-set-out probabilities on several cores.

Each left-out set needs its own vocabulary, regression and network, and the folds do not depend
on each other, so they run in worker processes (forked: the feature sets are inherited, not
copied through pipes). Results are gathered in the folds' order, so the output does not depend
on how many workers ran them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse
from wording_network import fit_network

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Corpus:
    """Every training row: its feature names, its group (the utterance it comes from: a text is
    used as written and stripped), its 0/1 labels and the set it belongs to."""

    sets: Sequence[set[str]]
    groups: npt.NDArray[np.int_]
    y: Matrix
    source: npt.NDArray[np.str_]


def design(sets: Sequence[set[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    """Binary sparse design matrix."""
    rows, cols = [], []
    for i, s in enumerate(sets):
        for name in s:
            j = vocab.get(name)
            if j is not None:
                rows.append(i)
                cols.append(j)
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), len(vocab)))


def make_vocab(sets: Sequence[set[str]], groups: Sequence[int], min_df: int) -> dict[str, int]:
    """Features present in at least ``min_df`` distinct utterances, sorted for determinism."""
    seen: dict[str, set[int]] = {}
    for s, g in zip(sets, groups, strict=True):
        for name in s:
            seen.setdefault(name, set()).add(g)
    names = sorted(n for n, gs in seen.items() if len(gs) >= min_df)
    return {n: i for i, n in enumerate(names)}


def fit(x: sparse.csr_matrix, y: Matrix, penalty: float) -> tuple[Matrix, Matrix]:
    """L2-penalised logistic regression for every tag at once (weights, bias)."""
    n, d = x.shape
    t = y.shape[1]

    def loss(theta: Matrix) -> tuple[float, Matrix]:
        w = theta[: d * t].reshape(d, t)
        b = theta[d * t :]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z)) / n
        g = (p - y) / n
        gw = x.T @ g + penalty / n * w
        return nll + 0.5 * penalty / n * float(np.sum(w * w)), np.concatenate([gw.ravel(), g.sum(axis=0)])

    res = optimize.minimize(loss, np.zeros(d * t + t), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    theta = res.x
    return theta[: d * t].reshape(d, t), theta[d * t :]


_CORPUS: Corpus | None = None  # set before the workers fork, so each inherits it


def _fold(name: str, penalties: tuple[float, ...], min_df: int) -> tuple[list[Matrix], Matrix]:
    """Probabilities of set ``name``'s rows from models trained on every other set (features
    seen in fewer than ``min_df`` of their utterances dropped): one regression per penalty, and
    the network."""
    corpus = _CORPUS
    assert corpus is not None
    test = corpus.source == name
    train_sets = [s for s, m in zip(corpus.sets, ~test, strict=True) if m]
    vocab = make_vocab(train_sets, list(corpus.groups[~test]), min_df)
    x = design(corpus.sets, vocab)
    regressions = []
    for penalty in penalties:
        w, b = fit(x[~test], corpus.y[~test], penalty)
        regressions.append(1.0 / (1.0 + np.exp(-(x[test] @ w + b))))
    return regressions, fit_network(x[~test], corpus.y[~test]).probabilities(x[test])


def leave_one_set_out(
    corpus: Corpus,
    names: Sequence[str],
    penalties: tuple[float, ...],
    min_df: int,
    jobs: int | None = None,
) -> tuple[dict[float, Matrix], Matrix]:
    """For every row of the sets ``names``: the regression's probabilities per penalty and the
    network's, each from models that never saw the row's set (other rows stay 0), over the
    features of ``make_vocab(..., min_df)``, as the shipped model is."""
    global _CORPUS  # noqa: PLW0603 -- handed to forked workers without pickling
    _CORPUS = corpus
    workers = jobs or len(os.sched_getaffinity(0))
    regression = {p: np.zeros_like(corpus.y) for p in penalties}
    network = np.zeros_like(corpus.y)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        futures = [pool.submit(_fold, name, penalties, min_df) for name in names]
        for name, future in zip(names, futures, strict=True):
            test = corpus.source == name
            per_penalty, net = future.result()
            for penalty, probs in zip(penalties, per_penalty, strict=True):
                regression[penalty][test] = probs
            network[test] = net
            print(f"  {name}: fitted without it", flush=True)
    _CORPUS = None
    return regression, network
