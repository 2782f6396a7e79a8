"""Measure the wording analyser on the labelled sets: per-tag and effect P/R/F1, and speed.

    .venv/bin/python benchmarks/wording_bench.py            # the table for docs/benchmarks/wording.md
    .venv/bin/python benchmarks/wording_bench.py --errors   # dev-split mistakes, for tuning
    .venv/bin/python benchmarks/wording_bench.py --tuning   # every table but the held-back sets'

Splits: ``benchmarks/data/wording_sets.json`` names them. Its ``held_back`` sets (the held-back
part of the newest labelled pool, drawn by ``scripts/split_labelled_pool.py`` as soon as the
pool was written, before any of it was read or scored: the primary measure; and a set by an
annotator whose wording tuning never saw, the stricter cross-annotator measure) are left out of
tuning runs (``--tuning``) and refused by ``--errors``. Everything else is development data:
earlier rounds' held-back sets, whose totals were seen, and ``dev``, ``dev2`` onwards
(docs/benchmarks/wording.md tells each set's history). A set the catalogue names but whose file
is missing stops the bench, rather than leaving it out of the tables unnoticed.
Each split is scored as written ("clean") and with punctuation and case stripped, the way a
speech recogniser without punctuation gives it ("stripped"); the persona context stays clean
because it comes from the persona file, not from speech. ``--errors`` prints the mistakes of
dev (or, with ``--split``, of another development set); it refuses the held-back sets, which
are never shown item by item.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voicecoach.analysis.lexicon import load_lexicon
from voicecoach.analysis.wording import analyze_wording
from voicecoach.analysis.wording_text import unpunctuated
from voicecoach.types import ALL_TAGS

DATA = Path(__file__).parent / "data"
CATALOGUE = json.loads((DATA / "wording_sets.json").read_text(encoding="utf-8"))
#: The clean held-back measures: never printed item by item, and left out of tuning runs with
#: ``--tuning`` so that not even their totals are seen while choosing changes.
HELD_BACK: tuple[str, ...] = tuple(CATALOGUE["held_back"])
#: Every split in table order: the held-back sets, the older ones newest first, then dev sets.
SPLITS = {
    name: DATA / f"wording_{name}.jsonl"
    for name in (*HELD_BACK, *reversed(CATALOGUE["older_held_back"]), *CATALOGUE["development"])
}
EFFECTS = ("deescalating", "escalating", "neutral")


@dataclass(frozen=True)
class Item:
    """One labelled utterance."""

    id: str
    text: str
    context: str | None
    tags: frozenset[str]
    effect: str


def load(path: Path) -> list[Item]:
    """Read a JSONL split, checking every label against the public tag set."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        bad = set(row["tags"]) - set(ALL_TAGS)
        if bad or row["effect"] not in EFFECTS:
            sys.exit(f"{path}:{n}: unknown label {sorted(bad) or row['effect']}")
        items.append(Item(row["id"], row["text"], row.get("context"), frozenset(row["tags"]), row["effect"]))
    return items


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(frozen=True)
class Scores:
    """Everything the table shows for one split in one condition."""

    per_tag: dict[str, tuple[float, float, float, int]]
    per_effect: dict[str, tuple[float, float, float, int]]
    tag_micro: float
    effect_macro: float
    min_tag: tuple[str, float]


def score(items: Sequence[Item], predicted: Sequence[tuple[frozenset[str], str]]) -> Scores:
    """Per-tag and effect precision/recall/F1 with support."""
    per_tag: dict[str, tuple[float, float, float, int]] = {}
    all_tp = all_fp = all_fn = 0
    for tag in ALL_TAGS:
        tp = sum(1 for it, (tags, _) in zip(items, predicted, strict=True) if tag in it.tags and tag in tags)
        fp = sum(
            1 for it, (tags, _) in zip(items, predicted, strict=True) if tag not in it.tags and tag in tags
        )
        fn = sum(
            1 for it, (tags, _) in zip(items, predicted, strict=True) if tag in it.tags and tag not in tags
        )
        all_tp, all_fp, all_fn = all_tp + tp, all_fp + fp, all_fn + fn
        per_tag[tag] = (*prf(tp, fp, fn), tp + fn)
    per_effect = {}
    for eff in EFFECTS:
        tp = sum(1 for it, (_, e) in zip(items, predicted, strict=True) if it.effect == eff and e == eff)
        fp = sum(1 for it, (_, e) in zip(items, predicted, strict=True) if it.effect != eff and e == eff)
        fn = sum(1 for it, (_, e) in zip(items, predicted, strict=True) if it.effect == eff and e != eff)
        per_effect[eff] = (*prf(tp, fp, fn), tp + fn)
    worst = min(((t, v[2]) for t, v in per_tag.items() if v[3]), key=lambda x: x[1])
    return Scores(
        per_tag=per_tag,
        per_effect=per_effect,
        tag_micro=prf(all_tp, all_fp, all_fn)[2],
        effect_macro=sum(v[2] for v in per_effect.values()) / len(EFFECTS),
        min_tag=worst,
    )


def predict(items: Sequence[Item], stripped: bool, model: bool = True) -> list[tuple[frozenset[str], str]]:
    """Run the analyser over a split (``model=False``: the lexicon alone)."""
    out: list[tuple[frozenset[str], str]] = []
    for it in items:
        report = analyze_wording(unpunctuated(it.text) if stripped else it.text, it.context, model=model)
        out.append((frozenset(report.tags), report.effect))
    return out


def throughput(items: Sequence[Item], seconds: float = 3.0, model: bool = True) -> tuple[float, float]:
    """Utterances per second by the wall clock and by this process's CPU time, on one core.

    The process is pinned to one core where the OS allows it. On a shared machine other jobs
    take turns on that core, so the wall-clock figure varies with load; the CPU-time figure
    is what one core delivers while it runs the analyser.
    """
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    load_lexicon()  # the packaged lexicon is cached; loading is not part of per-utterance cost
    done = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for it in items:
            analyze_wording(it.text, it.context, model=model)
        done += len(items)
    return done / (time.perf_counter() - start), done / (time.process_time() - cpu_start)


def table(results: dict[str, dict[str, Scores]], sizes: dict[str, int]) -> str:
    """The Markdown tables for the doc: one per split, then a summary."""
    lines: list[str] = []
    for split, res in results.items():
        lines += [f"### {split} ({sizes[split]} utterances)", ""]
        lines += [
            "| label | support | clean P | clean R | clean F1 | stripped F1 |",
            "|---|---|---|---|---|---|",
        ]
        rows: list[tuple[str, tuple[float, float, float, int], tuple[float, float, float, int]]] = [
            (t, res["clean"].per_tag[t], res["stripped"].per_tag[t]) for t in ALL_TAGS
        ]
        rows += [(f"effect: {e}", res["clean"].per_effect[e], res["stripped"].per_effect[e]) for e in EFFECTS]
        for name, c, st in rows:
            lines.append(f"| {name} | {c[3]} | {c[0]:.2f} | {c[1]:.2f} | {c[2]:.2f} | {st[2]:.2f} |")
        lines.append("")
    lines += ["| split (utterances) | condition | effect macro-F1 | tag micro-F1 | lowest tag F1 |"]
    lines.append("|---|---|---|---|---|")
    for split, res in results.items():
        for cond, sc in res.items():
            lines.append(
                f"| {split} ({sizes[split]}) | {cond} | {sc.effect_macro:.3f} | {sc.tag_micro:.3f} | "
                f"{sc.min_tag[0]} {sc.min_tag[1]:.3f} |"
            )
    return "\n".join(lines)


def _cell(v: tuple[float, float, float, int]) -> str:
    return f"{v[0]:.2f} / {v[1]:.2f} / {v[2]:.2f}"


def show_errors(items: Sequence[Item], stripped: bool) -> None:
    """Print a tuning split's mistakes with the evidence (``main`` never passes a held-back set)."""
    for it in items:
        text = unpunctuated(it.text) if stripped else it.text
        rep = analyze_wording(text, it.context)
        if frozenset(rep.tags) != it.tags or rep.effect != it.effect:
            miss, extra = sorted(it.tags - rep.tags), sorted(rep.tags - it.tags)
            found = [(t.tag, t.evidence.text) for t in rep.techniques]
            print(f"{it.id}: {text}\n   ctx={it.context!r}\n   missing={miss} extra={extra} found={found}")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the benchmark tables (or dev errors with ``--errors``)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", action="store_true", help="print mistakes on one tuning split")
    ap.add_argument(
        "--split",
        default="dev",
        choices=[name for name in SPLITS if name not in HELD_BACK],
        help=f"with --errors: the split to show (never {' or '.join(HELD_BACK)}); default dev",
    )
    ap.add_argument(
        "--tuning", action="store_true", help=f"leave {' and '.join(HELD_BACK)} out of the tables"
    )
    ap.add_argument("--stripped", action="store_true", help="with --errors: use the stripped text")
    ap.add_argument("--rules-only", action="store_true", help="the lexicon alone, without the learned model")
    ap.add_argument("--seconds", type=float, default=3.0, help="how long to time throughput")
    args = ap.parse_args(argv)
    missing = [name for name, path in SPLITS.items() if not path.exists()]
    if missing:
        sys.exit(f"wording_bench: wording_sets.json names sets without a file: {', '.join(missing)}")
    if args.errors:
        show_errors(load(SPLITS[args.split]), args.stripped)  # never loads a held-back set
        return 0
    data = {name: load(path) for name, path in SPLITS.items() if not (args.tuning and name in HELD_BACK)}
    results = {
        name: {
            "clean": score(items, predict(items, False, not args.rules_only)),
            "stripped": score(items, predict(items, True, not args.rules_only)),
        }
        for name, items in data.items()
    }
    print(table(results, {k: len(v) for k, v in data.items()}))
    everything = [it for items in data.values() for it in items]
    wall, cpu = throughput(everything, args.seconds, not args.rules_only)
    print(f"\nthroughput on one core: {wall:,.0f} utterances/s wall clock, {cpu:,.0f} per CPU-second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
