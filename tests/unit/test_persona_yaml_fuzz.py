"""Property tests (issue #8): loading arbitrary YAML as a persona only ever raises PersonaError.

Persona files are written by hand and shared between sites (``persona.schema``,
``persona.yamlsafe``): whatever a file holds -- any YAML structure, arbitrary text, bytes that are
not UTF-8, or a real persona with one value swapped for something else -- ``load_persona`` either
returns a ``Persona`` or raises ``PersonaError`` whose message starts with the file's path. A
persona that loads is usable: its brief, opening and a few turns at every difficulty run.
"""

from __future__ import annotations

import random
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from voicecoach.analysis.wording import analyze_wording
from voicecoach.errors import PersonaError
from voicecoach.persona.reply import choose_reply, opening_line
from voicecoach.persona.schema import Persona, brief, load_persona, persona_dir, summary
from voicecoach.persona.state import initial_state, next_state
from voicecoach.types import DIFFICULTIES

pytestmark = pytest.mark.unit

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Loading a whole real persona costs ~30-130 ms, so the tests that start from one run fewer.
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REAL = sorted(persona_dir().glob("*.yaml"))
#: Keys a persona file uses, so generated mappings sometimes look like one.
KEYS = [
    "name", "pronoun", "title", "voice", "brief", "agitation", "weights", "triggers", "needs",
    "replies", "safety_step", "start", "stages", "anxious", "crisis", "who", "where", "gender",
    "rate", "pitch", "command", "validation", "phrases", "id", "says", "met_by", "reactions",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["he", "she", "they", "", "~", "yes", "1e400", "0x1F", "2024-05-01", "{echo}", "{x"]),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10), st.integers(), st.booleans(), st.none())
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=40,
)


def _load(tmp: str, data: bytes) -> Persona | None:
    path = Path(tmp) / "fuzzed.yaml"
    path.write_bytes(data)
    try:
        persona = load_persona(path)
    except PersonaError as e:
        event("PersonaError")
        assert str(e).startswith(str(path)), str(e)
        return None
    event("loaded")
    _play(persona)
    return persona


#: Replies that reach triggers, needs, echoes and the calm/escalated ends of a conversation.
_SCRIPT = ["Calm down.", "I'm calling security.", "That sounds really hard. What happened?", "Okay."]


def _play(persona: Persona) -> None:
    """A persona that validates is usable: briefing, opening, and a few turns at every difficulty."""
    brief(persona)
    summary(persona)
    rng = random.Random(0)
    opening_line(persona, rng)
    for difficulty in DIFFICULTIES:
        state = initial_state(persona, difficulty)
        for text in _SCRIPT:
            wording = analyze_wording(text, model=False)
            update = next_state(persona, state, wording, None, max_turns=len(_SCRIPT))
            line, state = choose_reply(persona, update, wording, rng)
            assert line.strip() and "{echo}" not in line, line
            if update.outcome:
                break


def _dump(data: Any, flow: bool | None, unicode: bool) -> bytes:
    return yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, sort_keys=False).encode()


@FUZZ
@given(data=documents, flow=st.sampled_from([None, True, False]), unicode=st.booleans())
def test_any_yaml_structure_loads_or_raises_persona_error(
    data: Any, flow: bool | None, unicode: bool
) -> None:
    with TemporaryDirectory() as tmp:
        _load(tmp, _dump(data, flow, unicode))


@FUZZ
@given(text=st.one_of(st.text(max_size=400), st.binary(max_size=400).map(lambda b: b.decode("latin-1"))))
def test_any_text_loads_or_raises_persona_error(text: str) -> None:
    with TemporaryDirectory() as tmp:
        # Any text saved as UTF-8 (hypothesis leaves out surrogates, which a file cannot hold).
        _load(tmp, text.encode("utf-8"))


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes_load_or_raise_persona_error(data: bytes) -> None:
    with TemporaryDirectory() as tmp:
        _load(tmp, data)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy: Any = dict(node) if isinstance(node, dict) else list(node)
    copy[head] = _replace(node[head], rest, value)
    return copy


@SLOW
@given(
    file=st.sampled_from(REAL),
    seed=st.integers(0, 2**32 - 1),
    value=st.one_of(documents, st.just("__delete__")),
    flow=st.sampled_from([None, False]),
)
def test_a_real_persona_with_one_value_changed_loads_or_raises_persona_error(
    file: Path, seed: int, value: Any, flow: bool | None
) -> None:
    """Deep in a valid file, every validator meets a wrong type, a missing key or an odd value."""
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    paths = _paths(data)[1:]
    path = random.Random(seed).choice(paths)
    if value == "__delete__":
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        changed = _replace(data, path[:-1], _without(target, path[-1]))
    else:
        changed = _replace(data, path, value)
    with TemporaryDirectory() as tmp:
        _load(tmp, _dump(changed, flow, True))


def _without(node: Any, key: Any) -> Any:
    if isinstance(node, dict):
        return {k: v for k, v in node.items() if k != key}
    return [v for i, v in enumerate(node) if i != key]


@SLOW
@given(file=st.sampled_from(REAL), edits=st.lists(st.tuples(st.integers(0), st.text(max_size=4)), max_size=4))
def test_a_real_persona_with_text_edits_loads_or_raises_persona_error(
    file: Path, edits: list[tuple[int, str]]
) -> None:
    """Typing mistakes: characters inserted or replaced anywhere in a real file."""
    text = file.read_text(encoding="utf-8")
    for position, insert in edits:
        i = position % (len(text) + 1)
        text = text[:i] + insert + text[i + 1 :]
    with TemporaryDirectory() as tmp:
        _load(tmp, text.encode("utf-8"))
