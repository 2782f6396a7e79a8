"""Golden files: report.md and session.json (with its feedback) for two fixed sessions.

The inputs are session.json files recorded from real runs (the demo replies, resolved; the
unskilled replies, escalated) with a fixed creation time, plus instructor notes. Reports are
rebuilt from them exactly as ``voicecoach review`` does. After an intended change to the
feedback, wording or rubric, regenerate with ``UPDATE_GOLDEN=1 pytest tests/golden`` and review
the diff like code.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from voicecoach.store import write_reports

pytestmark = pytest.mark.unit

HERE = Path(__file__).resolve().parent
SCHEMA = json.loads((HERE.parents[1] / "docs" / "schema" / "session.schema.json").read_text())
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def rebuild(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copyfile(HERE / f"{name}.input.json", folder / "session.json")
    if (HERE / f"{name}.notes.json").is_file():
        shutil.copyfile(HERE / f"{name}.notes.json", folder / "notes.json")
    write_reports(folder)
    return folder


def check(actual: str, golden: Path) -> None:
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"{golden.name} missing: run UPDATE_GOLDEN=1 pytest tests/golden"
    assert actual == golden.read_text(encoding="utf-8"), f"{golden.name} differs (see module docstring)"


@pytest.mark.parametrize("name", ["demo", "unskilled"])
def test_markdown_and_json_match_their_golden_files(tmp_path: Path, name: str) -> None:
    folder = rebuild(tmp_path, name)
    check((folder / "report.md").read_text(encoding="utf-8"), HERE / f"{name}.report.md")
    session = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    check(json.dumps(session, indent=2, ensure_ascii=False) + "\n", HERE / f"{name}.session.json")


@pytest.mark.parametrize("name", ["demo", "unskilled"])
def test_golden_sessions_validate_against_the_published_schema(tmp_path: Path, name: str) -> None:
    session = json.loads((rebuild(tmp_path, name) / "session.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(session)


def test_the_schema_rejects_a_broken_session(tmp_path: Path) -> None:
    session = json.loads((rebuild(tmp_path, "demo") / "session.json").read_text(encoding="utf-8"))
    session["turns"][0]["wording"]["techniques"][0]["tag"] = "hugging"
    del session["turns"][1]["stage"]
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(session))
    assert len(errors) == 2
