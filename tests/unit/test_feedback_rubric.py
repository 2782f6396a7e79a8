"""The rubric file: the packaged one matches the code's defaults; mistakes name file, line and key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from voicecoach.errors import AuthoredFileError
from voicecoach.feedback.rubric import DEFAULT_RUBRIC_FILE, Rubric, load_rubric

pytestmark = pytest.mark.unit

NUMBERS = [f.name for f in dataclasses.fields(Rubric) if f.type in ("float", "int")]


def test_packaged_rubric_scores_as_the_code_defaults_and_has_every_advice() -> None:
    rubric = load_rubric()
    default = Rubric()
    assert len(NUMBERS) >= 15, NUMBERS
    assert rubric.name == default.name
    assert {n: getattr(rubric, n) for n in NUMBERS} == {n: getattr(default, n) for n in NUMBERS}
    assert "naming the feeling" in rubric.advice("instead", "command")
    assert rubric.advice("keep", "reflection") and rubric.advice("delivery", "louder") and rubric.no_move


def edited(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    text = DEFAULT_RUBRIC_FILE.read_text()
    assert old in text
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace(old, new, 1))
    line = next(i for i, row in enumerate(path.read_text().splitlines(), start=1) if new.strip() in row)
    return path, line


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("  delivery: 0.35", "  delivery: lots", "weights.delivery", "must be a number"),
        ("  per_bad_move: 25", "  per_bad_mve: 25", "wording.per_bad_mve", "unknown key"),
        ("  count: 3 ", "  count: 2.5 ", "moments.count", "whole number"),
        ("  wpm_high: 190", "  wpm_high: 90", "calm_band.wpm_high", "must be above wpm_low"),
        ("  threat: ", "  threatt: ", "instead.threatt", "unknown key"),
    ],
)
def test_a_bad_value_is_reported_with_file_line_and_key(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    path, line = edited(tmp_path, old, new)
    with pytest.raises(AuthoredFileError) as caught:
        load_rubric(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: {key}: "), message
    assert problem in message


def test_missing_advice_and_a_renamed_rubric(tmp_path: Path) -> None:
    path, _ = edited(
        tmp_path, '  sarcasm: "saying plainly what you mean: \\"I want to understand what happened.\\""\n', ""
    )
    with pytest.raises(AuthoredFileError, match="instead: missing advice for: sarcasm"):
        load_rubric(path)
    path, _ = edited(tmp_path, "name: voicecoach-default-1", "name: site-b-strict")
    assert load_rubric(path).name == "site-b-strict"
    assert load_rubric(path).source == str(path)
