"""The held-back draw of scripts/split_labelled_pool.py: proportional, disjoint, reproducible."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "split_labelled_pool.py"
_SPEC = importlib.util.spec_from_file_location("split_labelled_pool", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
split_labelled_pool = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(split_labelled_pool)


def _pool(prefix: str, n: int) -> list[dict[str, object]]:
    effects = ("escalating", "deescalating", "neutral")
    return [{"id": f"{prefix}{i}", "effect": effects[i % 3]} for i in range(n)]


def test_each_pool_and_effect_is_held_back_in_proportion_and_nothing_is_lost() -> None:
    pools = [_pool("a", 300), _pool("b", 150)]
    dev, held = split_labelled_pool.split_rows(pools, 0.3, seed=7)
    ids = [r["id"] for r in dev + held]
    assert sorted(ids) == sorted(r["id"] for p in pools for r in p)  # every row, once
    for prefix, size in (("a", 300), ("b", 150)):
        for effect in ("escalating", "deescalating", "neutral"):
            mine = [r for r in held if str(r["id"]).startswith(prefix) and r["effect"] == effect]
            assert len(mine) == round(size / 3 * 0.3)


def test_same_seed_same_draw_and_another_seed_another() -> None:
    pools = [_pool("a", 90)]
    first = split_labelled_pool.split_rows(pools, 0.3, seed=7)[1]
    assert split_labelled_pool.split_rows(pools, 0.3, seed=7)[1] == first
    assert split_labelled_pool.split_rows(pools, 0.3, seed=8)[1] != first
