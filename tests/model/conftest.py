"""Model-tier helpers: run the real `voicecoach` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


@pytest.fixture()
def voicecoach(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `python -m voicecoach ARGS` with a private home and no stdin; return code and output."""
    env = {**os.environ, "VOICECOACH_HOME": str(tmp_path / "home")}
    env.pop("VOICECOACH_MODEL", None)

    def run(*args: str, timeout: float = 300, extra_env: dict[str, str] | None = None) -> Run:
        done = subprocess.run(
            [sys.executable, "-m", "voicecoach", *args],
            cwd=ROOT,
            env={**env, **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run


def assert_clean_error(run: Run, *fragments: str) -> None:
    """A bad input: non-zero exit, one `voicecoach: error:` line naming the problem, no traceback."""
    assert run.code != 0, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("voicecoach: error:")]
    assert len(errors) == 1, run.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
