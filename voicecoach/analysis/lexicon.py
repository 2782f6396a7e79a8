"""Load and validate the wording lexicon (``lexicon.yaml``): the patterns an instructor can edit.

The file is read with YAML *safe* loading; explicit YAML tags (``!!python/...``, ``!custom``) are
rejected before anything is constructed, so loading never executes code. Every problem is
reported as ``AuthoredFileError`` with ``path:LINE: key: problem`` so an instructor can go
straight to the mistake. ``check_lexicon`` is what ``voicecoach lexicon check FILE`` runs.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from voicecoach.analysis import lexicon_read
from voicecoach.analysis.lexicon_phrase import Phrase, PhraseError, check_word, compile_phrase
from voicecoach.analysis.wording_text import FillerRule, Token
from voicecoach.errors import AuthoredFileError
from voicecoach.types import ALL_TAGS, DEESCALATING_TAGS, ESCALATING_TAGS, Tag

log = logging.getLogger(__name__)

#: The lexicon shipped with the package (package data, see pyproject ``package-data``).
DEFAULT_LEXICON = Path(__file__).with_name("lexicon.yaml")
SUPPORTED_VERSION = 1


@dataclass(frozen=True)
class TagRule:
    """How one tag is recognised and weighed.

    ``negatable``: a negation cue shortly before the phrase cancels it ("I'm *not* going to tell
    you to calm down"). ``not_after``: words that cancel it the same way ("*what* do you" is not
    a closed question). ``not_before``: words that cancel it when they come right after it
    ("*how* long", "*what* time": a question for one fact is closed, MITI 4.2.1).
    ``suppresses``: tags dropped where their evidence overlaps this tag's ("can you calm
    down?" is a command, not a question). ``suppresses_in_sentence``: tags dropped anywhere in
    the same sentence ("*Could you* please just be quiet?" is a command, though the question
    words and the command words do not overlap). ``overrides``: tags dropped anywhere in
    the utterance when this tag is present.
    """

    tag: Tag
    weight: float
    source: str
    phrases: tuple[Phrase, ...]
    negatable: bool = True
    not_after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()
    suppresses: frozenset[Tag] = frozenset()
    suppresses_in_sentence: frozenset[Tag] = frozenset()
    overrides: frozenset[Tag] = frozenset()
    negation_window: int | None = None  # None: the file-wide ``negation.window``


@dataclass(frozen=True)
class ClauseRule:
    """Where a new clause starts in speech without punctuation, for the reach of a negation.

    A word in ``subjects`` opens a new clause unless the word before it is one of ``not_after``
    ("tell *you* to", "that *you*"), which make it part of the clause already running.
    """

    subjects: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()

    def opens(self, tokens: Sequence[Token], i: int) -> bool:
        """True when token ``i`` is a subject starting a clause after another word."""
        if i <= 0 or tokens[i].norm not in self.subjects:
            return False
        return tokens[i - 1].norm not in self.not_after


@dataclass(frozen=True)
class NotePhrase:
    """A phrase that earns a coaching note rather than a tag (e.g. a premature "I understand")."""

    phrase: Phrase
    note: str


@dataclass(frozen=True)
class ReflectionRules:
    """When a statement counts as a reflection of what the persona just said (MITI 4.2.1)."""

    stems: tuple[Phrase, ...]
    min_overlap: int  # shared concepts needed in a "you ..." statement
    min_overlap_impersonal: int  # ... in a statement with no pronoun at all
    echo_words: int  # this many words copied in a row (and little else) is an echo
    stock_note: str
    echo_note: str
    #: A sentence holding one of these tags (or any escalating tag) is doing something else.
    blocked_by: frozenset[Tag] = frozenset({"open_question", "closed_question", "offer_choice"})
    #: A sentence opening with one of these words is a hedge, a condition or a denial, not a
    #: saying-back ("Maybe he doesn't want to talk to you", "Nobody's kicking you out").
    not_opening: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Domain:
    """One Project BETA domain (Richmond et al. 2012) and the evidence that shows it."""

    key: str
    label: str
    tags: frozenset[Tag]
    phrases: tuple[Phrase, ...]


EntryKind = Literal["tag", "note", "stem", "domain"]


@dataclass(frozen=True)
class Entry:
    """One phrase in the first-word index: what it signals (``kind`` + ``key``) and the phrase."""

    kind: EntryKind
    key: str
    phrase: Phrase


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything ``analyze_wording`` needs, validated and compiled. Build with ``load_lexicon``."""

    path: str
    version: int
    rules: tuple[TagRule, ...]
    respell: Mapping[tuple[str, ...], tuple[str, ...]]
    fillers: tuple[FillerRule, ...]
    negation_window: int
    negation_cues: tuple[tuple[str, ...], ...]
    clause: ClauseRule
    but_words: frozenset[str]
    but_cancels: frozenset[Tag]
    notes: tuple[NotePhrase, ...]
    reflection: ReflectionRules
    concepts: Mapping[str, str]
    concept_prefixes: tuple[tuple[str, str], ...]
    stopwords: frozenset[str]
    domains: tuple[Domain, ...]
    #: Words after which a sentence may start in unpunctuated speech ("okay are you hurt").
    openers: frozenset[str]
    #: The named word lists (``lists:``), e.g. ``emotion`` for judging reflections.
    lists: Mapping[str, tuple[str, ...]]
    #: Every phrase keyed by the words it can start with, so the analyser tries a phrase only
    #: where its first word occurs (this is what makes thousands of utterances a second possible).
    index: Mapping[str, tuple[Entry, ...]]
    prefix_index: tuple[tuple[str, Entry], ...]
    #: One combined pattern per first word: most words start no phrase that matches, and one
    #: failed combined match is far cheaper than trying each phrase from Python.
    screens: Mapping[str, re.Pattern[str]]

    def rule(self, tag: Tag) -> TagRule:
        """The rule for ``tag`` (every tag has one)."""
        for r in self.rules:
            if r.tag == tag:
                return r
        raise KeyError(tag)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load and validate a lexicon file; ``None`` gives the packaged one (cached)."""
    if path is None:
        return _default_lexicon()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    return _load(DEFAULT_LEXICON)


def check_lexicon(path: Path) -> str:
    """Validate ``path`` and return a one-paragraph summary; raise ``AuthoredFileError`` if bad."""
    lex = _load(Path(path))
    counts = ", ".join(f"{r.tag} {len(r.phrases)}" for r in lex.rules)
    total = sum(len(r.phrases) for r in lex.rules)
    return (
        f"{lex.path}: OK, version {lex.version}: {total} phrases over {len(lex.rules)} tags "
        f"({counts}); {len(lex.notes)} note phrases, {len(lex.reflection.stems)} reflection stems, "
        f"{len(lex.respell)} respellings, {len(lex.fillers)} fillers, "
        f"{len(set(lex.concepts.values()) | {c for _, c in lex.concept_prefixes})} concepts, "
        f"{len(lex.domains)} Project BETA domains."
    )


def _load(path: Path) -> Lexicon:
    doc = lexicon_read.read_yaml(path)
    build = _Builder(doc)
    lex = build.lexicon()
    log.debug("loaded lexicon %s with %d rules", path, len(lex.rules))
    return lex


class _Builder:
    """Turns the checked YAML tree into a ``Lexicon``, reporting problems with their line."""

    def __init__(self, doc: lexicon_read.Doc) -> None:
        self.doc = doc
        self.lists: dict[str, list[str]] = {}

    def fail(self, key: str, problem: str) -> AuthoredFileError:
        return AuthoredFileError(self.doc.path, self.doc.line(key), key, problem)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = self.doc.get(key)
        if value is None:
            if default is None:
                raise self.fail(key, "is required")
            return default
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
            want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"must be a {_plain(want)}, not {_plain(type(value).__name__)}")
        return value

    def words(self, key: str, default: list[str] | None = None) -> list[str]:
        items = self.get(key, list, default)
        for i, item in enumerate(items):
            if isinstance(item, bool):
                raise self.fail(f"{key}.{i}", 'YAML reads this as true/false: put it in quotes ("no", "on")')
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{key}.{i}", "must be a non-empty piece of text")
        return [str(w).lower().strip() for w in items]

    def phrase(self, key: str) -> Phrase:
        text = self.get(key, str)
        try:
            return compile_phrase(text, self.lists)
        except PhraseError as e:
            raise self.fail(key, str(e)) from e

    def phrases(self, key: str, allow_empty: bool = False) -> tuple[Phrase, ...]:
        items = self.get(key, list, [] if allow_empty else None)
        if not items and not allow_empty:
            raise self.fail(key, "must be a non-empty list of phrases")
        return tuple(self.phrase(f"{key}.{i}") for i in range(len(items)))

    def tags(self, key: str) -> frozenset[Tag]:
        out: set[Tag] = set()
        for i, name in enumerate(self.words(key, [])):
            if name not in ALL_TAGS:
                raise self.fail(f"{key}.{i}", f"unknown tag {name!r} (known: {', '.join(ALL_TAGS)})")
            out.add(name)
        return frozenset(out)

    def lexicon(self) -> Lexicon:
        version = self.get("version", int)
        if version != SUPPORTED_VERSION:
            raise self.fail("version", f"must be {SUPPORTED_VERSION}, not {version}")
        self.known_keys(
            "",
            {"version", "about", "lists", "respell", "fillers", "negation", "yes_but", "notes", "openers"}
            | {"tags", "reflection", "concepts", "stopwords", "beta_domains"},
        )
        self.known_keys("negation.", {"window", "cues", "new_clause_subjects", "not_new_clause_after"})
        for name in self.get("lists", dict, {}):
            self.lists[str(name)] = self.words(f"lists.{name}")
            for i, entry in enumerate(self.lists[str(name)]):
                # Report a bad entry at its own line, not at every phrase that uses the list.
                try:
                    for w in entry.split():
                        check_word(w)
                except PhraseError as e:
                    raise self.fail(f"lists.{name}.{i}", str(e)) from e
        concepts, concept_prefixes = self.concepts()
        rules = tuple(self.rule(tag) for tag in ALL_TAGS)
        notes = tuple(self.note(i) for i in range(len(self.get("notes", list))))
        reflection = self.reflection()
        domains = tuple(self.domain(k) for k in self.get("beta_domains", dict))
        entries = [Entry("tag", r.tag, p) for r in rules for p in r.phrases]
        entries += [Entry("note", str(i), n.phrase) for i, n in enumerate(notes)]
        entries += [Entry("stem", "reflection", p) for p in reflection.stems]
        entries += [Entry("domain", d.key, p) for d in domains for p in d.phrases]
        index, prefix_index = _index(entries)
        return Lexicon(
            path=self.doc.path,
            version=version,
            rules=rules,
            respell=self.respell(),
            fillers=self.fillers(),
            negation_window=self.get("negation.window", int),
            negation_cues=tuple(tuple(c.split()) for c in self.words("negation.cues")),
            clause=ClauseRule(
                frozenset(self.words("negation.new_clause_subjects", [])),
                frozenset(self.words("negation.not_new_clause_after", [])),
            ),
            but_words=frozenset(self.words("yes_but.words")),
            but_cancels=self.tags("yes_but.cancels"),
            notes=notes,
            reflection=reflection,
            concepts=concepts,
            concept_prefixes=concept_prefixes,
            stopwords=frozenset(self.words("stopwords")),
            domains=domains,
            openers=frozenset(self.words("openers", [])),
            lists={k: tuple(v) for k, v in self.lists.items()},
            index=index,
            prefix_index=prefix_index,
            screens={
                w: re.compile("|".join(f"(?:{e.phrase.regex.pattern})" for e in es))
                for w, es in index.items()
            },
        )

    def known_keys(self, prefix: str, allowed: set[str]) -> None:
        mapping = self.doc.get(prefix.rstrip(".")) if prefix else self.doc.data
        if not isinstance(mapping, dict):
            return
        for key in mapping:
            if key not in allowed:
                raise self.fail(
                    f"{prefix}{key}", f"unknown key (expected one of: {', '.join(sorted(allowed))})"
                )

    def rule(self, tag: Tag) -> TagRule:
        key = f"tags.{tag}"
        self.get(key, dict)
        self.known_keys(
            key + ".",
            {"weight", "source", "phrases", "negatable", "not_after", "suppresses", "overrides"}
            | {"negation_window", "suppresses_in_sentence", "not_before"},
        )
        weight = float(self.get(f"{key}.weight", (int, float)))
        if tag in ESCALATING_TAGS and weight >= 0:
            raise self.fail(f"{key}.weight", "an escalating tag needs a negative weight")
        if tag in DEESCALATING_TAGS and weight <= 0:
            raise self.fail(f"{key}.weight", "a de-escalating tag needs a positive weight")
        return TagRule(
            tag=tag,
            weight=weight,
            source=self.get(f"{key}.source", str),
            phrases=self.phrases(f"{key}.phrases"),
            negatable=self.get(f"{key}.negatable", bool, True),
            not_after=frozenset(self.words(f"{key}.not_after", [])),
            not_before=frozenset(self.words(f"{key}.not_before", [])),
            suppresses=self.tags(f"{key}.suppresses"),
            suppresses_in_sentence=self.tags(f"{key}.suppresses_in_sentence"),
            overrides=self.tags(f"{key}.overrides"),
            negation_window=self.get(f"{key}.negation_window", int, 0) or None,
        )

    def respell(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        out: dict[tuple[str, ...], tuple[str, ...]] = {}
        for heard, meant in self.get("respell", dict, {}).items():
            if not isinstance(meant, str) or not str(heard).split() or len(str(heard).split()) > 3:
                raise self.fail(f"respell.{heard}", "must map 1-3 heard words to the meant words")
            out[tuple(str(heard).lower().split())] = tuple(meant.lower().split())
        return out

    def fillers(self) -> tuple[FillerRule, ...]:
        out: list[FillerRule] = []
        for i, item in enumerate(self.get("fillers", list, [])):
            key = f"fillers.{i}"
            if isinstance(item, str):
                out.append(FillerRule(tuple(item.lower().split())))
                continue
            self.known_keys(key + ".", {"words", "only_after", "not_after"})
            out.append(
                FillerRule(
                    tuple(self.get(f"{key}.words", str).lower().split()),
                    frozenset(self.words(f"{key}.only_after", [])),
                    frozenset(self.words(f"{key}.not_after", [])),
                )
            )
        return tuple(out)

    def note(self, i: int) -> NotePhrase:
        self.known_keys(f"notes.{i}.", {"phrase", "note"})
        return NotePhrase(self.phrase(f"notes.{i}.phrase"), self.get(f"notes.{i}.note", str))

    def reflection(self) -> ReflectionRules:
        key = "reflection"
        self.known_keys(
            key + ".",
            {"source", "stems", "min_overlap", "min_overlap_impersonal", "echo_words"}
            | {"stock_note", "echo_note", "blocked_by", "not_opening"},
        )
        return ReflectionRules(
            stems=self.phrases(f"{key}.stems"),
            min_overlap=self.get(f"{key}.min_overlap", int),
            min_overlap_impersonal=self.get(f"{key}.min_overlap_impersonal", int),
            echo_words=self.get(f"{key}.echo_words", int),
            stock_note=self.get(f"{key}.stock_note", str),
            echo_note=self.get(f"{key}.echo_note", str),
            blocked_by=self.tags(f"{key}.blocked_by") or ReflectionRules.blocked_by,
            not_opening=frozenset(self.words(f"{key}.not_opening", [])),
        )

    def concepts(self) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
        words: dict[str, str] = {}
        prefixes: list[tuple[str, str]] = []
        for name in self.get("concepts", dict):
            for w in self.words(f"concepts.{name}"):
                if w.endswith("*"):
                    prefixes.append((w[:-1], str(name)))
                else:
                    words[w] = str(name)
        return words, tuple(sorted(prefixes, key=lambda p: -len(p[0])))

    def domain(self, name: str) -> Domain:
        key = f"beta_domains.{name}"
        self.known_keys(key + ".", {"label", "tags", "phrases"})
        return Domain(
            key=str(name),
            label=self.get(f"{key}.label", str),
            tags=self.tags(f"{key}.tags"),
            phrases=self.phrases(f"{key}.phrases", allow_empty=True),
        )


def _index(entries: list[Entry]) -> tuple[dict[str, tuple[Entry, ...]], tuple[tuple[str, Entry], ...]]:
    by_word: dict[str, list[Entry]] = {}
    prefixed: list[tuple[str, Entry]] = []
    for e in entries:
        for w in e.phrase.first_words:
            by_word.setdefault(w, []).append(e)
        prefixed.extend((p, e) for p in e.phrase.first_prefixes)
    return {w: tuple(es) for w, es in by_word.items()}, tuple(prefixed)


def _plain(type_name: str) -> str:
    return {"str": "text", "list": "list", "dict": "mapping", "int": "whole number"}.get(type_name, type_name)
