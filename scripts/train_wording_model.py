"""Train the wording analyser's learned second opinion (voicecoach/analysis/wording_model.json).

    .venv/bin/python scripts/train_wording_model.py            # check, then train and write
    .venv/bin/python scripts/train_wording_model.py --cv-only  # print the leave-one-set-out check only

Data: the sets ``benchmarks/data/wording_sets.json`` names: ``wording_dev.jsonl``, the older
held-back sets (their totals were seen while tuning, so they are development data now,
docs/benchmarks/wording.md) and the development sets written by other annotators, ``dev2``
onwards; a set it names without a file stops the script. The sets it lists as held back are
read for one purpose: an item whose text equals one of their texts is left out of training, so
none of their wording is learned; they are never scored here. Each utterance is used twice, as written and
with punctuation and case stripped (the way a recogniser without punctuation gives it).

Model: one-vs-rest logistic regression with an L2 penalty over the features in
``voicecoach.analysis.wording_model.features`` (features seen in fewer than ``--min-df``
utterances are dropped), fitted with SciPy's L-BFGS, and a network with one hidden layer over
the same features (``scripts/wording_network.py``); their probabilities are averaged. The
penalty and the probability thresholds are chosen on the sets written by other annotators than
dev's (the older held-back sets and dev2 onwards), each scored by a model trained without it,
together with today's lexicon (see ``held_set_check``; a random 5-fold split of all rows, used
for the penalty until the fourth round, mixes every annotator into every fold and says less
about new wording). The folds run in parallel, one worker per core (``scripts/wording_fit.py``).
Deterministic: same data, same file. Takes about 100 minutes on this 2-core machine
(30,652 utterances, 64 sets scored leave-one-set-out, three penalties; fourteenth round);
with ``--keep-settings``, 5 minutes (33,022 utterances; fifteenth round).

After an instructor extends the lexicon or adds labelled utterances to the dev set, run this
script again and commit the new ``wording_model.json``. ``--keep-settings`` skips the
leave-one-set-out check and keeps the shipped model's penalty, thresholds and veto: a few
minutes instead of hours, for new labelled data; a changed lexicon or combining rule changes
what the thresholds should be, so that needs the full run.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from wording_fit import Corpus, design, fit, leave_one_set_out, make_vocab
from wording_network import fit_network

from voicecoach.analysis.lexicon import Lexicon, load_lexicon
from voicecoach.analysis.wording import MODEL_NOT_BESIDE, analyze_wording
from voicecoach.analysis.wording_model import MODEL_PATH, features
from voicecoach.analysis.wording_text import normalise, raw_tokens, unpunctuated
from voicecoach.types import ALL_TAGS, DEESCALATING_TAGS, ESCALATING_TAGS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
DEV = DATA / "wording_dev.jsonl"
CATALOGUE = json.loads((DATA / "wording_sets.json").read_text(encoding="utf-8"))
#: Older held-back sets, development data since the round after their own: trained on, and each
#: one scored by a model trained without it to choose the thresholds.
OLDER: tuple[str, ...] = tuple(CATALOGUE["older_held_back"])
#: Development sets written by other annotators than dev's: trained on and scored like the older
#: held-back sets.
OTHER_DEVS: tuple[str, ...] = tuple(n for n in CATALOGUE["development"] if n != "dev")
#: The sets scored leave-one-set-out to choose the penalty and thresholds.
SCORED = OLDER + OTHER_DEVS
#: The held-back sets: never trained on, never scored here.
HELD_BACK = tuple(DATA / f"wording_{n}.jsonl" for n in CATALOGUE["held_back"])
PENALTIES = (0.1, 0.3, 1.0)
#: Candidate thresholds: where the rules found nothing (FLOORS) and where they found some move
#: (CONFIDENTS), one floor shared by every tag.
FLOORS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
CONFIDENTS = (0.5, 0.6, 0.7, 0.8, 0.9)
#: Candidate vetoes: a rule finding whose tag the model gives less than this is dropped (0: never).
VETOES = (0.0, 0.02, 0.05, 0.1)
Matrix = npt.NDArray[np.float64]


def load_rows() -> list[dict[str, object]]:
    """Dev, the other development sets and the older held-back rows (each with its ``source``),
    minus any whose text equals a held-back item's text."""
    held = {
        unpunctuated(str(json.loads(line)["text"]))
        for path in HELD_BACK
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    rows: list[dict[str, object]] = []
    for source, path in [("dev", DEV)] + [(n, DATA / f"wording_{n}.jsonl") for n in SCORED]:
        part = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        kept = [dict(r, source=source) for r in part if unpunctuated(str(r["text"])) not in held]
        dropped = len(part) - len(kept)
        print(f"{source}: {len(part)} utterances, {dropped} left out (same text as a held-back item)")
        rows += kept
    return rows


def feature_sets(texts: Sequence[str], contexts: Sequence[str | None], lex: Lexicon) -> list[set[str]]:
    """The feature names of each utterance."""
    out = []
    for text, ctx in zip(texts, contexts, strict=True):
        toks = normalise(raw_tokens(text), lex.respell, lex.fillers)
        ctx_toks = normalise(raw_tokens(ctx), lex.respell, lex.fillers) if ctx else None
        out.append({name for _, name in features(toks, ctx_toks, lex)})
    return out


def f1(tp: float, fp: float, fn: float) -> float:
    """F1, 0 when undefined."""
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def summary(pred: Matrix, y: Matrix) -> tuple[float, float, float]:
    """Tag micro-F1, lowest tag F1 and effect macro-F1 of a 0/1 prediction matrix."""
    tp, fp, fn = np.sum(pred * y, 0), np.sum(pred * (1 - y), 0), np.sum((1 - pred) * y, 0)
    micro = f1(float(tp.sum()), float(fp.sum()), float(fn.sum()))
    lowest = min(f1(float(a), float(b), float(c)) for a, b, c in zip(tp, fp, fn, strict=True))

    esc = [ALL_TAGS.index(t) for t in ESCALATING_TAGS]
    de = [ALL_TAGS.index(t) for t in DEESCALATING_TAGS]

    def effects(m: Matrix) -> npt.NDArray[np.int_]:
        """0 escalating, 1 de-escalating, 2 neutral, by the analyser's rule."""
        return np.where(m[:, esc].any(axis=1), 0, np.where(m[:, de].any(axis=1), 1, 2))

    got, want = effects(pred), effects(y)
    macro = 0.0
    for e in range(3):
        a = int(np.sum((got == e) & (want == e)))
        b = int(np.sum((got == e) & (want != e)))
        c = int(np.sum((got != e) & (want == e)))
        macro += f1(a, b, c) / 3
    return micro, lowest, macro


def combine(rules: Matrix, p: Matrix, floor: Matrix, confident: float, veto: float) -> Matrix:
    """What ``analyze_wording`` reports: the rules' tags the model does not veto, plus the model's
    above its thresholds (none of ``MODEL_NOT_BESIDE``: no dismissal beside a rules' apology),
    then the lexicon's ``overrides:`` (an escalating move drops a reflection beside it)."""
    rules = rules * (p >= veto)
    none = rules.sum(axis=1, keepdims=True) == 0
    added = np.where(none, p >= floor, p >= np.maximum(floor, confident)).astype(float)
    for tag, found in MODEL_NOT_BESIDE.items():
        added[:, ALL_TAGS.index(tag)] *= 1.0 - rules[:, ALL_TAGS.index(found)]
    both = np.maximum(rules, added)
    keep = np.ones_like(both)
    for tag, dropped in _overrides():  # all at once, from the tags present, as the analyser does
        keep[:, dropped] *= 1.0 - both[:, [tag]]
    return both * keep


@functools.cache
def _overrides() -> tuple[tuple[int, list[int]], ...]:
    """(tag column, columns it overrides) for every tag with ``overrides:`` in the lexicon."""
    return tuple(
        (ALL_TAGS.index(r.tag), [ALL_TAGS.index(t) for t in r.overrides])
        for r in load_lexicon().rules
        if r.overrides
    )


def objective(pred: Matrix, y: Matrix) -> float:
    """Mean of tag micro-F1 and effect macro-F1 (the two headline targets)."""
    micro, _, macro = summary(pred, y)
    return (micro + macro) / 2


def choose_thresholds(rules: Matrix, p: Matrix, y: Matrix) -> tuple[float, float, float]:
    """The (floor, confident, veto) with the best objective, one floor for every tag.

    Per-tag thresholds (coordinate ascent over 0.3-0.9 or "never") were tried in the fourth
    round: chosen on three older held-back sets and scored on the fourth, they did worse than
    one shared floor on three of the four, so the extra freedom only fitted noise.
    """
    t = len(ALL_TAGS)
    best = max(
        (objective(combine(rules, p, np.full(t, f), c, v), y), -f, -c, v)
        for f in FLOORS
        for c in CONFIDENTS
        for v in VETOES
    )
    return -best[1], -best[2], best[3]  # ties: the stricter thresholds and the stronger veto


def held_set_check(
    rows: Sequence[dict[str, object]],
    data: tuple[list[str], list[str | None], list[int], Matrix, list[set[str]]],
    rules: Matrix,
    min_df: int,
) -> tuple[float, Matrix, float, float]:
    """Choose the penalty, thresholds and veto on the sets by other annotators, each scored unseen.

    On dev the lexicon has seen every item, so dev cannot say how much the model should add on
    wording the lexicon misses. The older held-back sets, dev2 and dev3 were written by other hands,
    so today's lexicon misses on them much of what it misses on new wording. Each is scored by
    a model trained on everything else (leave one set out), with the thresholds chosen on the
    other sets; the penalty whose per-set scores have the best mean of tag micro-F1 and effect
    macro-F1 is kept, and its thresholds are then chosen on all the sets together. Printed: each
    set's rules-alone and rules+model figures, an honest estimate of what the model adds.
    """
    _, contexts, groups, y, sets = data
    # analyze_wording never lets the model add a reflection without a persona line, so the
    # thresholds are chosen on probabilities that cannot either.
    no_persona_line = np.asarray([c is None for c in contexts])
    source = np.asarray([str(rows[g]["source"]) for g in groups])
    held = np.isin(source, SCORED)
    r, yy, src = rules[held], y[held], source[held]
    t = len(ALL_TAGS)
    print(f"sets scored leave-one-out ({len(yy) // 2} x 2): rules micro/lowest/effect = {_r(summary(r, yy))}")
    best: tuple[float, float, Matrix] | None = None
    corpus = Corpus(sets, np.asarray(groups), y, source)
    regression, network = leave_one_set_out(corpus, SCORED, PENALTIES, min_df)
    for penalty in PENALTIES:
        both = (regression[penalty] + network) / 2
        both[no_persona_line, ALL_TAGS.index("reflection")] = 0.0
        p = both[held]
        means = []
        print(f"penalty {penalty}: tag micro-F1 / effect macro-F1 of each set, thresholds from the others")
        for name in SCORED:
            fit_on, test = src != name, src == name
            floor, conf, veto = choose_thresholds(r[fit_on], p[fit_on], yy[fit_on])
            got = summary(combine(r[test], p[test], np.full(t, floor), conf, veto), yy[test])
            means.append((got[0] + got[2]) / 2)
            print(
                f"  {name} (floor {floor}, confident {conf}, veto {veto}): "
                f"rules {_r(summary(r[test], yy[test])[::2])} -> rules+model {_r(got[::2])}"
            )
        score = float(np.mean(means))
        print(f"  mean of (micro + effect) / 2 over the sets: {score:.4f}")
        if best is None or score > best[0] + 1e-9:
            best = (score, penalty, p)
    assert best is not None
    _, penalty, p = best
    floor, confident, veto = choose_thresholds(r, p, yy)
    ths = np.full(t, floor)
    pooled = _r(summary(combine(r, p, ths, confident, veto), yy))
    print(f"  all sets pooled, penalty {penalty}: rules+model micro/lowest/effect = {pooled}")
    return penalty, ths, confident, veto


def shipped_settings() -> tuple[float, Matrix, float, float]:
    """The penalty, thresholds, with-rules threshold and veto of the shipped model file."""
    try:
        doc = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        settings = (float(doc["penalty"]), np.asarray(doc["thresholds"], dtype=float))
        return (*settings, float(doc["confident"]), float(doc["veto"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        sys.exit(f"train_wording_model: --keep-settings needs a readable {MODEL_PATH}: {exc}")


def _r(values: Sequence[float]) -> tuple[float, ...]:
    return tuple(round(v, 3) for v in values)


def write_model(
    out: Path,
    sets: Sequence[set[str]],
    groups: Sequence[int],
    y: Matrix,
    *,
    rows: int,
    penalty: float,
    ths: Matrix,
    min_df: int,
    confident: float,
    veto: float,
) -> None:
    """Train on all rows and write the JSON model file (weights as integers / scale)."""
    vocab = make_vocab(sets, groups, min_df)
    x = design(sets, vocab)
    w, b = fit(x, y, penalty)
    network = fit_network(x, y)
    scale = 1000.0
    names = sorted(vocab, key=vocab.__getitem__)
    doc = {
        "about": "Wording model: one-vs-rest logistic regression averaged with a one-hidden-layer"
        " network; see voicecoach/analysis/wording_model.py. Written by scripts/train_wording_model.py"
        " from the dev sets and older held-back sets; do not edit by hand.",
        "version": 2,
        "penalty": penalty,
        "min_df": min_df,
        "trained_on": rows,
        "tags": list(ALL_TAGS),
        "scale": scale,
        "features": names,
        "weights": [round(float(v) * scale) for row in w for v in row],
        "bias": [round(float(v), 4) for v in b],
        "thresholds": [round(float(v), 3) for v in ths],
        "confident": confident,
        "veto": veto,
        # A finding resting on a phrase not in this list (written since) is never vetoed.
        "phrases": sorted({p.source for rule in load_lexicon().rules for p in rule.phrases}),
        "hidden": network.to_json(),
    }
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(names)} features, {out.stat().st_size / 1e6:.2f} MB)")


def main(argv: Sequence[str] | None = None) -> int:
    """Choose the penalty and thresholds leave-one-set-out, then train on everything and write."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv-only", action="store_true", help="print the leave-one-set-out check, write nothing")
    ap.add_argument(
        "--min-df", type=int, default=2, help="drop features seen in fewer training utterances (default 2)"
    )
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write (default: shipped model)")
    ap.add_argument(
        "--keep-settings",
        action="store_true",
        help="skip the leave-one-set-out check and keep the shipped model's penalty, thresholds and"
        " veto (minutes instead of hours; for new data, not for a new lexicon or rule)",
    )
    args = ap.parse_args(argv)
    if args.keep_settings and args.cv_only:
        sys.exit("train_wording_model: --keep-settings skips the check that --cv-only prints; use one")
    missing = [n for n in (*CATALOGUE["held_back"], *SCORED) if not (DATA / f"wording_{n}.jsonl").exists()]
    if missing:
        sys.exit(f"train_wording_model: wording_sets.json names sets without a file: {', '.join(missing)}")
    lex = load_lexicon()
    rows = load_rows()
    texts, contexts, groups = [], [], []
    y_rows = []
    for g, r in enumerate(rows):
        label = [1.0 if t in r["tags"] else 0.0 for t in ALL_TAGS]  # type: ignore[operator]
        ctx = r.get("context")
        for text in (str(r["text"]), unpunctuated(str(r["text"]))):
            texts.append(text)
            contexts.append(str(ctx) if ctx else None)
            groups.append(g)
            y_rows.append(label)
    y = np.asarray(y_rows)
    rules = np.asarray(
        [
            [1.0 if t in analyze_wording(tx, c, model=False).tags else 0.0 for t in ALL_TAGS]
            for tx, c in zip(texts, contexts, strict=True)
        ]
    )
    sets = feature_sets(texts, contexts, lex)
    print(f"rules alone on all training rows (optimistic: tuned on them): {_r(summary(rules, y))}")
    data = (texts, contexts, groups, y, sets)
    if args.keep_settings:
        penalty, ths, confident, veto = shipped_settings()
    else:
        penalty, ths, confident, veto = held_set_check(rows, data, rules, args.min_df)
    how = f"kept from {MODEL_PATH.name}" if args.keep_settings else "chosen"
    print(f"{how}: penalty {penalty}, floor {ths[0]}, confident {confident}, veto {veto}")
    if args.cv_only:
        return 0
    write_model(
        args.out,
        sets,
        groups,
        y,
        rows=len(rows),
        penalty=penalty,
        ths=ths,
        min_df=args.min_df,
        confident=confident,
        veto=veto,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
