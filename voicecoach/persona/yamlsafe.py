"""Load a hand-written YAML file safely, keeping the line number of every value.

Persona files are written by instructors and shared between sites, so a file must never run code,
never hang and never exhaust memory, and every mistake must point at a line. PyYAML alone gives
either line numbers (``compose``) or plain data (``safe_load``), and ``safe_load`` still expands
alias bombs ("billion laughs") before anyone can look. So loading happens in three steps:

1. a size cap on the raw bytes (checked before parsing);
2. a scan of the *event stream* (PyYAML's parser is an iterative state machine, so a deeply
   nested file cannot overflow the stack here) that rejects anchors, aliases, explicit tags and
   nesting deeper than a cap;
3. composing the now-bounded node tree and converting it to plain ``dict``/``list``/scalars while
   recording ``path -> line`` for the validator.

Only plain strings, integers, floats, booleans and null survive; anything else is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from voicecoach.errors import AuthoredFileError

#: A persona file is a few hundred lines of text; 256 KiB leaves ten times that headroom while
#: keeping parse time for a hostile file well under a second.
MAX_BYTES = 256 * 1024
#: The deepest real structure is replies → reactions → kind → list (depth 4); 12 is generous.
MAX_DEPTH = 12
#: Events (keys, values, brackets) in the stream: a full persona file has about a thousand, so
#: fifty times that is room to grow while bounding the work a hostile file can ask for.
MAX_EVENTS = 50_000

Path_ = tuple[str | int, ...]

#: Control characters no hand-written text needs and a terminal would obey (ESC sequences, bell,
#: backspace, C1 controls): YAML lets them in through "\e" or "\x1b" escapes in quoted text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    # An unquoted date such as 2024-05-01 resolves to timestamp; it is kept as its text.
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class Located:
    """Plain data from a YAML file plus the 1-based line where each path starts."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


def format_path(path: Path_) -> str:
    """``("replies", "defensive", 2)`` → ``replies.defensive[2]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class Reader:
    """Typed access to located YAML data; every failure becomes ``error`` naming file, line and key."""

    def __init__(self, doc: Located, shown: str, error: type[AuthoredFileError] = AuthoredFileError) -> None:
        self.doc = doc
        self.shown = shown
        self.error = error

    def fail(self, path: Path_, problem: str) -> AuthoredFileError:
        """The error to raise for ``path``, placed at its line (or its nearest ancestor's)."""
        return self.error(self.shown, self.doc.line(path), format_path(path), problem)

    def get(self, path: Path_) -> Any:
        """The value at ``path``, or None when any step is missing."""
        value: Any = self.doc.data
        for part in path:
            if isinstance(part, int) or (isinstance(value, dict) and part in value):
                value = value[part]
            else:
                return None
        return value

    def mapping(self, path: Path_, allowed: set[str] | None, required: bool = True) -> dict[str, Any]:
        """A mapping at ``path`` whose keys are all in ``allowed`` (typos are named, not ignored)."""
        value = self.get(path)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(
                path, "must be a mapping of key: value lines" if value is not None else "is missing"
            )
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise self.fail(
                        (*path, key), f"unknown key (expected one of: {', '.join(sorted(allowed))})"
                    )
        return value

    def text(self, path: Path_, default: str | None = None, limit: int = 2000) -> str:
        """Non-empty text at ``path`` (whitespace folded), at most ``limit`` characters."""
        value = self.get(path)
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "must be non-empty text" if value is not None else "is missing")
        bad = _CONTROL.search(value)
        if bad is not None:
            raise self.fail(path, f"holds the control character U+{ord(bad.group()):04X}; remove it")
        if len(value) > limit:
            raise self.fail(path, f"is longer than {limit} characters")
        return " ".join(value.split())

    def number(self, path: Path_, lo: float, hi: float, default: float | None = None) -> float:
        """A number in ``[lo, hi]`` at ``path`` (booleans are not numbers)."""
        value = self.get(path)
        if value is None and default is not None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(
                path, f"must be a number from {lo:g} to {hi:g}" if value is not None else "is missing"
            )
        if not lo <= value <= hi:
            raise self.fail(path, f"must be from {lo:g} to {hi:g}, not {value:g}")
        return float(value)

    def texts(self, path: Path_, required: bool = True, limit: int = 400) -> tuple[str, ...]:
        """A list of non-empty texts at ``path``; non-empty unless ``required`` is False."""
        value = self.get(path)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or (required and not value):
            raise self.fail(path, "must be a non-empty list")
        out = []
        for i, _item in enumerate(value):
            out.append(self.text((*path, i), limit=limit))
        return tuple(out)

    def choice(self, path: Path_, options: tuple[str, ...], default: str) -> str:
        """One of ``options`` at ``path``, or ``default`` when absent."""
        value = self.get(path)
        if value is None:
            return default
        if value not in options:
            raise self.fail(path, f"must be one of: {', '.join(options)}")
        return str(value)


def load_located(path: Path, error: type[AuthoredFileError] = AuthoredFileError) -> Located:
    """Read ``path`` as one safe YAML document; raise ``error`` naming file and line on any problem."""
    shown = str(path)
    return load_located_text(read_capped(path, shown, error), shown, error)


def read_capped(
    path: Path, shown: str, error: type[AuthoredFileError] = AuthoredFileError, max_bytes: int = MAX_BYTES
) -> str:
    """The UTF-8 text of ``path``, refusing a file over ``max_bytes`` without reading all of it."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(shown, None, "", f"cannot read the file ({exc.strerror or exc})") from exc
    if len(raw) > max_bytes:
        raise error(shown, None, "", f"file is larger than {max_bytes // 1024} KiB; is it the right file?")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error(shown, line, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc


def load_located_text(text: str, shown: str, error: type[AuthoredFileError] = AuthoredFileError) -> Located:
    """As :func:`load_located`, from text already in memory (``shown`` names it in errors)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise error(shown, None, "", f"file is larger than {MAX_BYTES // 1024} KiB")
    try:
        scan_events(text, shown, error)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise yaml_error(exc, text, shown, error) from exc
    if node is None:
        raise error(shown, 1, "", "the file is empty")
    lines: dict[Path_, int] = {}
    data = _convert(node, (), lines, shown, error)
    return Located(data, lines)


def yaml_error(
    exc: yaml.YAMLError, text: str, shown: str, error: type[AuthoredFileError] = AuthoredFileError
) -> AuthoredFileError:
    """PyYAML's error as one line naming the file and line (PyYAML's own text spans several)."""
    if isinstance(exc, yaml.reader.ReaderError):
        # Raised before parsing, for a character YAML forbids (NUL, most control characters).
        at = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return error(shown, at, "", f"not valid YAML: the character U+{code:04X} is not allowed")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(exc.problem or exc.context).split())
        return error(shown, line, "", f"not valid YAML: {problem}")
    return error(shown, None, "", f"not valid YAML: {' '.join(str(exc).split())}")


def scan_events(
    text: str,
    shown: str,
    error: type[AuthoredFileError] = AuthoredFileError,
    *,
    aliases: bool = False,
    max_depth: int = MAX_DEPTH,
    max_events: int = MAX_EVENTS,
) -> None:
    """Refuse, before anything is built, a YAML text too deep, too long, tagged or (unless
    ``aliases``) using anchors; raises ``error`` at the offending line, or ``yaml.YAMLError``.

    Runs on PyYAML's iterative parser, so even 100,000 nested brackets cannot overflow the stack
    (``yaml.compose`` recurses once per level and would).
    """
    depth = 0
    documents = 0
    for count, event in enumerate(_events(text)):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if count > max_events:
            raise error(shown, line, "", f"too many YAML items (over {max_events})")
        if not aliases and (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)):
            raise error(shown, line, "", "YAML anchors and aliases (& and *) are not allowed in this file")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in ("!", *_SCALAR_TAGS, _MAP, _SEQ):
            raise error(shown, line, "", f"YAML tag {tag!r} is not allowed; write plain values")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise error(shown, line, "", f"nested more than {max_depth} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise error(shown, line, "", "only one YAML document per file (remove the extra '---')")


def _events(text: str) -> Iterator[yaml.Event]:
    yield from yaml.parse(text, Loader=yaml.SafeLoader)


_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _convert(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], shown: str, error: type[AuthoredFileError]
) -> Any:
    line = node.start_mark.line + 1
    lines.setdefault(path, line)  # a mapping value keeps the line of its key (set below)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise error(shown, line, format_path(path), f"YAML tag {node.tag!r} is not allowed")
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                raise error(
                    shown, key_node.start_mark.line + 1, format_path(path), "keys must be plain words"
                )
            key = str(key_node.value)
            if key in out:
                raise error(shown, key_node.start_mark.line + 1, format_path((*path, key)), "duplicate key")
            sub: Path_ = (*path, key)
            lines[sub] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, sub, lines, shown, error)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise error(shown, line, format_path(path), f"YAML tag {node.tag!r} is not allowed")
        return [_convert(item, (*path, i), lines, shown, error) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag not in _SCALAR_TAGS:
        raise error(shown, line, format_path(path), f"YAML tag {node.tag!r} is not allowed")
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
        return str(node.value)
    # Bool, int, float and null: SafeConstructor's own scalar rules (1_000, .inf, yes/no ...).
    return _SAFE.yaml_constructors[node.tag](_SAFE, node)


_SAFE = yaml.constructor.SafeConstructor()
