"""Read an authored YAML file safely and remember the line of every key.

YAML tags are refused before any object is built: only plain mappings, lists, text, numbers,
booleans and null are allowed, so ``!!python/object`` and friends can never run code. Keys are
addressed with dots (``tags.command.phrases.3``) and each one knows its 1-based line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from voicecoach.errors import AuthoredFileError
from voicecoach.persona.yamlsafe import scan_events, yaml_error

#: The packaged lexicon is about 100 KB; ten times that is room to grow, and a bigger file (a
#: 50 MB paste) is refused before PyYAML spends minutes parsing it.
MAX_BYTES = 1024 * 1024
#: More nodes than any sane lexicon has: guards against alias bombs ("billion laughs"), since
#: every alias is expanded into plain data.
MAX_NODES = 200_000
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "seq", "map")
)


@dataclass(frozen=True)
class Doc:
    """A parsed file: its plain data and the line of every dotted key."""

    path: str
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """The value at a dotted key, or ``None`` if any part is missing."""
        node = self.data
        for part in key.split("."):
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def line(self, key: str) -> int | None:
        """Line of ``key``, or of its nearest existing parent, or ``None``."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return None


def read_yaml(path: Path) -> Doc:
    """Parse ``path``; raise ``AuthoredFileError`` for unreadable, invalid or tagged YAML."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise AuthoredFileError(
                name, None, "", f"is larger than {MAX_BYTES // 1024} KiB; is it the right file?"
            )
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise AuthoredFileError(name, None, "", f"cannot be read: {e}") from e
    try:
        # Nesting depth, length and tags are checked on the parser's event stream first, because
        # composing recurses once per level (10,000 brackets would be a RecursionError). Aliases
        # are allowed here and bounded by MAX_NODES when expanded.
        scan_events(text, name, AuthoredFileError, aliases=True)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as e:
        raise yaml_error(e, text, name) from e
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise AuthoredFileError(name, line, "", f"is not valid YAML: {e.problem}") from e
    except yaml.YAMLError as e:
        raise AuthoredFileError(name, None, "", f"is not valid YAML: {e}") from e
    if root is None:
        raise AuthoredFileError(name, 1, "", "is empty")
    lines: dict[str, int] = {}
    data = _plain(root, "", name, lines, [0])
    if not isinstance(data, dict):
        raise AuthoredFileError(name, root.start_mark.line + 1, "", "must be a mapping of keys")
    return Doc(name, data, lines)


def _plain(node: yaml.Node, key: str, path: str, lines: dict[str, int], seen: list[int]) -> Any:
    line = node.start_mark.line + 1
    seen[0] += 1
    if seen[0] > MAX_NODES:
        raise AuthoredFileError(path, line, key, f"has more than {MAX_NODES} entries (YAML aliases?)")
    if node.tag not in _PLAIN_TAGS:
        raise AuthoredFileError(path, line, key, f"YAML tag {node.tag!r} is not allowed in this file")
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k_node, v_node in node.value:
            k = _plain(k_node, key, path, lines, seen)
            if isinstance(k, (dict, list)):
                raise AuthoredFileError(path, k_node.start_mark.line + 1, key, "a key must be plain text")
            child = f"{key}.{k}" if key else str(k)
            if str(k) in out:
                raise AuthoredFileError(path, k_node.start_mark.line + 1, child, "appears twice")
            lines[child] = k_node.start_mark.line + 1
            out[str(k)] = _plain(v_node, child, path, lines, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = f"{key}.{i}" if key else str(i)
            lines[child] = item.start_mark.line + 1
            items.append(_plain(item, child, path, lines, seen))
        return items
    return yaml.SafeLoader("").construct_object(node)
