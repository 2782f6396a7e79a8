"""Split newly written labelled utterances into a development part and a held-back part.

    .venv/bin/python scripts/split_labelled_pool.py POOL.jsonl [POOL.jsonl ...] \\
        --dev benchmarks/data/wording_dev4.jsonl --held benchmarks/data/wording_heldout8.jsonl

Run once, as soon as a pool is written and before any of it is read or scored, so that the
held-back part is one tuning never looked at. The draw is a seeded shuffle within each pool
file and each ``effect`` (so every annotator and every effect is held back in the same
proportion), which makes it reproducible: the same pools and seed give the same two files.
Each row's ``split`` field is rewritten to the name of the file's split.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path


def split_rows(
    pools: Sequence[list[dict[str, object]]], held_share: float, seed: int
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(development rows, held-back rows): ``held_share`` of each pool's rows of each effect."""
    rng = random.Random(seed)
    dev: list[dict[str, object]] = []
    held: list[dict[str, object]] = []
    for rows in pools:
        for effect in sorted({str(r["effect"]) for r in rows}):
            group = [r for r in rows if r["effect"] == effect]
            rng.shuffle(group)
            cut = round(len(group) * held_share)
            held_ids = {id(r) for r in group[:cut]}
            for r in rows:
                if r["effect"] == effect:
                    (held if id(r) in held_ids else dev).append(r)
    return dev, held


def _name(path: Path) -> str:
    """``wording_heldout8.jsonl`` -> ``heldout8``."""
    return path.stem.removeprefix("wording_")


def _write(path: Path, rows: Sequence[dict[str, object]]) -> None:
    split = _name(path)
    text = "".join(json.dumps(dict(r, split=split), ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Read the pools, draw the held-back part, write both files."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pools", nargs="+", type=Path, help="JSONL files of labelled utterances")
    ap.add_argument("--dev", type=Path, required=True, help="where the development part goes")
    ap.add_argument("--held", type=Path, required=True, help="where the held-back part goes")
    ap.add_argument("--held-share", type=float, default=0.3, help="share held back (default 0.3)")
    ap.add_argument("--seed", type=int, default=7, help="seed of the draw (default 7)")
    args = ap.parse_args(argv)
    pools = []
    for path in args.pools:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            pools.append([json.loads(x) for x in lines if x.strip()])
        except (OSError, ValueError) as exc:
            sys.exit(f"split_labelled_pool: cannot read {path}: {exc}")
    dev, held = split_rows(pools, args.held_share, args.seed)
    _write(args.dev, dev)
    _write(args.held, held)
    print(f"{args.dev}: {len(dev)} utterances; {args.held}: {len(held)} utterances")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
