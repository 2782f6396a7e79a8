"""benchmarks/data/wording_sets.json, the catalogue the wording bench and training both read:
every set it names exists, and no set is both held back and learned from."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
CATALOGUE = json.loads((DATA / "wording_sets.json").read_text(encoding="utf-8"))
LISTS = ("held_back", "older_held_back", "development")


def test_every_named_set_has_its_file() -> None:
    for name in (n for key in LISTS for n in CATALOGUE[key]):
        assert (DATA / f"wording_{name}.jsonl").is_file(), name


def test_no_set_is_named_twice_so_none_is_both_held_back_and_trained_on() -> None:
    names = [n for key in LISTS for n in CATALOGUE[key]]
    assert len(names) == len(set(names))
    assert len(CATALOGUE["held_back"]) == 2  # the pool's held-back part and a new annotator's set


def test_each_file_names_its_own_split() -> None:
    # Only the split field is compared; nothing of a held-back item is printed.
    for name in (n for key in LISTS for n in CATALOGUE[key]):
        lines = (DATA / f"wording_{name}.jsonl").read_text(encoding="utf-8").splitlines()
        assert {json.loads(line)["split"] for line in lines if line.strip()} == {name}, name
