"""Persona files: the library validates, the README example is valid, and bad files fail clearly.

Malformed, hostile and huge files must give a one-line error naming file, line and key, quickly,
and must never execute anything.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from voicecoach.errors import PersonaError
from voicecoach.persona import yamlsafe
from voicecoach.persona.schema import (
    brief,
    find_persona,
    get_persona,
    list_personas,
    load_persona,
    persona_dir,
    scan_personas,
    summary,
)

pytestmark = pytest.mark.unit

MARCUS = persona_dir() / "marcus.yaml"


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _marcus_with(old: str, new: str) -> str:
    text = MARCUS.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def _error(path: Path) -> PersonaError:
    with pytest.raises(PersonaError) as info:
        load_persona(path)
    return info.value


def test_library_has_seven_distinct_personas() -> None:
    personas = list_personas()
    assert len(personas) >= 7
    ids = {p.id for p in personas}
    assert {"marcus", "dana", "linda", "andre", "sam", "rosa", "grace"} <= ids
    # Each has its own needs and triggers, not a copy of another.
    needs = {tuple(n.label for n in p.needs) for p in personas}
    assert len(needs) == len(personas)
    for p in personas:
        assert p.safety_step and any(n.required for n in p.needs)
        assert all(p.replies.stages[s] for s in p.replies.stages)


def test_brief_names_who_where_what_and_role() -> None:
    text = brief(get_persona("marcus"))
    for label in ("Who:", "Where:", "What just happened:", "Your role:"):
        assert label in text
    assert "curfew" in text


def test_summary_says_ok_and_lists_needs() -> None:
    text = summary(load_persona(MARCUS))
    assert text.splitlines()[0].endswith(": OK")
    assert "a concrete option for where he sleeps tonight (required)" in text


def test_readme_example_is_a_valid_persona(tmp_path: Path) -> None:
    readme = (persona_dir() / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    persona = load_persona(_write(tmp_path, block.group(1), "example.yaml"))
    assert persona.name == "Marcus" and persona.needs[1].required


def test_readme_error_example_matches_the_real_message(tmp_path: Path) -> None:
    readme = (persona_dir() / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"`personas/marcus\.yaml:(\d+): replies\.stages\.defensive: (.*?)`", readme)
    assert shown is not None
    lines = MARCUS.read_text(encoding="utf-8").splitlines()
    start = lines.index("    defensive:")
    end = lines.index("    agitated:")
    broken = [*lines[:start], "    defensive: []", *lines[end:]]  # the defensive list emptied
    err = _error(_write(tmp_path, "\n".join(broken), "marcus.yaml"))
    assert err.line == int(shown.group(1)) and err.problem == shown.group(2)


def test_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(PersonaError, match=r"no persona named 'nobody' \(available: .*marcus"):
        find_persona("nobody")


def test_env_var_points_at_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, MARCUS.read_text(encoding="utf-8"), "other.yaml")
    monkeypatch.setenv("VOICECOACH_PERSONAS", str(tmp_path))
    assert persona_dir() == tmp_path
    assert [p.id for p in list_personas()] == ["other"]
    with pytest.raises(PersonaError, match="available: other"):
        find_persona("marcus")
    _write(tmp_path, "name: [broken\n", "broken.yaml")
    with pytest.raises(PersonaError, match=r"broken\.yaml:"):
        list_personas()
    good, bad = scan_personas()
    assert [p.id for p in good] == ["other"] and len(bad) == 1 and bad[0].path.endswith("broken.yaml")


@pytest.mark.parametrize(
    ("old", "new", "line_key", "problem"),
    [
        ("      - I did everything they asked. Everything.\n", "", None, None),  # still valid
        (
            "  escalated:\n    - That's it. I'm out of here. Forget this place.\n",
            "  escalated: []\n  unused:\n",
            "replies.unused",
            "unknown key",
        ),
        ("name: Marcus\n", "name: 42\n", "name", "must be non-empty text"),
        ("pronoun: he\n", "pronoun: him\n", "pronoun", "must be one of: he, she, they"),
        (
            "  resolve_below: 25\n",
            "  resolve_below: 250\n",
            "agitation.resolve_below",
            "must be from 1 to 60",
        ),
        (
            "defensive: 40, agitated: 60",
            "defensive: 70, agitated: 60",
            "agitation.stages.agitated",
            "must rise",
        ),
        ("    weight: 14\n", "    weight: lots\n", "triggers[1].weight", "must be a number"),
        (
            "    tags: [open_question]\n",
            "    tags: [open_question, threat]\n",
            "needs[0].tags[1]",
            "escalates",
        ),
        ("    tags: [open_question]\n", "    tags: [hugging]\n", "needs[0].tags[0]", "unknown tag 'hugging'"),
        ("\nreplies:\n", "\nreplys:\n", "replys", "unknown key"),
        ("  resolved:\n", "  resolvd:\n", "replies.resolvd", "unknown key"),
        (
            "Don't tell me what to do. I'm not a kid.",
            "Hi {name}",
            "replies.reactions.commanded[1]",
            "placeholder",
        ),
        ("  commanded:\n", "  ordered:\n", "replies.reactions.ordered", "unknown key"),
        ("name: Marcus\n", "name: Marcus\nname: Mark\n", "name", "duplicate key"),
    ],
)
def test_mistakes_name_file_line_and_key(
    tmp_path: Path, old: str, new: str, line_key: str | None, problem: str | None
) -> None:
    path = _write(tmp_path, _marcus_with(old, new), "marcus.yaml")
    if line_key is None:
        assert load_persona(path).name == "Marcus"
        return
    err = _error(path)
    message = str(err)
    assert message.startswith(f"{path}:"), message
    assert err.line is not None and err.line > 1
    assert err.key == line_key, message
    assert problem is not None and problem in message
    # The line named is where the offending key or value is.
    text_line = path.read_text(encoding="utf-8").splitlines()[err.line - 1]
    assert line_key.split(".")[-1].split("[")[0] in text_line or "-" in text_line or "{" in text_line


def test_missing_section_is_named(tmp_path: Path) -> None:
    text = MARCUS.read_text(encoding="utf-8")
    cut = text[: text.index("\nneeds:")] + text[text.index("\nreplies:") :]
    err = _error(_write(tmp_path, cut))
    assert err.key == "needs" and "non-empty list" in str(err)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("name: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("name: Marcus\n\tbad: tab\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "only one YAML document"),
        ("name: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "tag"),
        ("name: !!python/name:os.system\n", "tag"),
        ("!!python/object:voicecoach.persona.schema.Persona {}\n", "tag"),
        ("name: !custom thing\n", "tag"),
        ("a: &x [1, 2]\nb: *x\n", "anchors and aliases"),
        ("? [complex, key]\n: value\n", "keys must be plain words"),
        ("name: !!binary aGVsbG8=\n", "tag"),
    ],
)
def test_malformed_and_hostile_files(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    err = _error(path)
    assert str(err).startswith(str(path)) and expected in str(err)
    assert not Path("/tmp/pwned").exists()


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    start = time.perf_counter()
    err = _error(path)
    assert time.perf_counter() - start < 1.0
    assert "anchors and aliases" in str(err) and err.line == 1


def test_deep_nesting_fails_fast_without_recursion_error(tmp_path: Path) -> None:
    depth = 100_000
    path = _write(tmp_path, "a: " + "[" * depth + "]" * depth + "\n")
    start = time.perf_counter()
    err = _error(path)
    assert time.perf_counter() - start < 2.0
    assert f"nested more than {yamlsafe.MAX_DEPTH} levels" in str(err)


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"name: " + b"x" * (50 * 1024 * 1024))
    start = time.perf_counter()
    err = _error(path)
    assert time.perf_counter() - start < 1.0
    assert "larger than 256 KiB" in str(err)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    assert "not UTF-8" in str(_error(_write_bytes(tmp_path, b"name: \xff\xfe\x00")))
    assert "cannot read" in str(_error(tmp_path / "absent.yaml"))
    assert "cannot read" in str(_error(tmp_path))  # a folder, not a file


def _write_bytes(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bin.yaml"
    path.write_bytes(data)
    return path


def test_long_values_and_many_items_are_bounded(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, _marcus_with("name: Marcus\n", "name: " + "M" * 500 + "\n")))
    assert err.key == "name" and "longer than 60" in str(err)
    many = "x: [" + ",".join(["[]"] * 60_000) + "]\n"
    start = time.perf_counter()
    err = _error(_write(tmp_path, many))
    assert time.perf_counter() - start < 2.0
    assert "too many YAML items" in str(err)


def test_scalars_keep_their_types_and_lines() -> None:
    doc = yamlsafe.load_located_text("a: 1\nb:\n  - yes\n  - 2024-05-01\n  - .inf\n  - ~\n", "t.yaml")
    assert doc.data == {"a": 1, "b": [True, "2024-05-01", float("inf"), None]}
    assert doc.line(("b", 1)) == 4
    assert doc.line(("b",)) == 2  # a mapping value is found at its key
    assert doc.line(("b", 9, "missing")) == 2
