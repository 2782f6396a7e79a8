"""The small phrase language of ``lexicon.yaml``, compiled to anchored regular expressions.

Instructors write phrases, not regular expressions::

    calm down                      the words, in order (case and punctuation do not matter)
    (calm | settle) down           one of several words or phrases
    [just | please] sit down       optional words
    can't ... but i can            a gap of up to five words inside one sentence
    frustrat*                      any word starting with "frustrat" (stems of 3+ letters)
    stop *ing                      any word ending in "ing" (not as the first word)
    ^ sure                         only at the start of a sentence (or after "okay", "oh", ...)
    so what $                      only at the end of a sentence
    you're {emotion}               any entry of a named word list (``lists:`` in the file)

A phrase compiles to a regular expression over normalised tokens that each end in a space
(``wording_text.joined``), anchored where it is tried. Every repetition is bounded (a gap is at
most five tokens), so matching cannot backtrack catastrophically. Each phrase also reports the
words it can start with, so the analyser only tries a phrase where its first word occurs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: How many words ``...`` may skip. Five keeps "I can't let you back there, but I can" in
#: reach while staying inside one clause of ordinary speech.
GAP_WORDS = 5
_PIECE_RE = re.compile(r"\.\.\.|[()\[\]|^$]|\{[A-Za-z_]+\}|[^\s()\[\]|{}^$]+")
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9']*\*?|\*[a-z']{2,}|[.?!,]")
_COMMA = "(?:, )?"
# "$": the next token ends the sentence, or the text ends.
_END = r"(?:(?=[.?!,;:] )|$)"
# A gap never crosses a sentence end, so "Sit down. I can help" is two findings at most.
_GAP = rf"(?:(?![.?!] )[^ ]+ ){{0,{GAP_WORDS}}}?"


class PhraseError(ValueError):
    """A phrase in the lexicon cannot be compiled; the message says what is wrong."""


@dataclass(frozen=True)
class Phrase:
    """One compiled phrase: its source text, anchored regex and possible first words."""

    source: str
    regex: re.Pattern[str]
    first_words: frozenset[str]
    first_prefixes: tuple[str, ...]
    anchored: bool = False  # "^": only where a sentence starts


def compile_phrase(source: str, lists: Mapping[str, Sequence[str]]) -> Phrase:
    """Compile ``source``; raise :class:`PhraseError` naming the problem."""
    pieces = _PIECE_RE.findall(source.strip().lower())
    anchored = bool(pieces) and pieces[0] == "^"
    if anchored:
        pieces = pieces[1:]
    if not pieces:
        raise PhraseError("empty phrase")
    if "^" in pieces:
        raise PhraseError(f"phrase {source!r}: '^' may only start a phrase")
    parser = _Parser(pieces, lists)
    regex, first, nullable = parser.sequence(closing=None)
    if nullable:
        raise PhraseError(f"phrase {source!r} could match no words at all")
    if "..." in first or "$" in first:
        raise PhraseError(f"phrase {source!r} must start with a word")
    if any(w.startswith("*") for w in first):
        raise PhraseError(f"phrase {source!r} must not start with a '*ending' word")
    words = frozenset(w for w in first if not w.endswith("*"))
    prefixes = tuple(sorted(w[:-1] for w in first if w.endswith("*")))
    return Phrase(source, re.compile(regex), words, prefixes, anchored)


class _Parser:
    """Recursive descent over the pieces; each rule returns (regex, first words, nullable)."""

    def __init__(self, pieces: list[str], lists: Mapping[str, Sequence[str]]) -> None:
        self.pieces = pieces
        self.pos = 0
        self.lists = lists

    def sequence(self, closing: str | None) -> tuple[str, set[str], bool]:
        parts: list[str] = []
        first: set[str] = set()
        nullable = True
        while self.pos < len(self.pieces) and self.pieces[self.pos] not in {"|", ")", "]"}:
            regex, item_first, item_nullable = self.item()
            # Speakers pause where writers put commas ("oh, great"); a comma between two words
            # of a phrase is allowed, so written and unpunctuated transcripts match alike.
            parts.append(regex if not parts else _COMMA + regex)
            if nullable:
                first |= item_first
                nullable = item_nullable
        if closing is None and self.pos < len(self.pieces):
            raise PhraseError(f"unexpected {self.pieces[self.pos]!r}")
        return "".join(parts), first, nullable

    def alternatives(self, closing: str) -> tuple[str, set[str], bool]:
        options: list[str] = []
        first: set[str] = set()
        nullable = False
        while True:
            regex, f, n = self.sequence(closing)
            if not regex:
                raise PhraseError("empty alternative inside brackets")
            options.append(regex)
            first |= f
            nullable = nullable or n
            if self.pos >= len(self.pieces):
                raise PhraseError(f"missing {closing!r}")
            piece = self.pieces[self.pos]
            self.pos += 1
            if piece == closing:
                return "(?:" + "|".join(options) + ")", first, nullable
            if piece != "|":
                raise PhraseError(f"expected {closing!r} but found {piece!r}")

    def item(self) -> tuple[str, set[str], bool]:
        piece = self.pieces[self.pos]
        self.pos += 1
        if piece == "(":
            return self.alternatives(")")
        if piece == "[":
            regex, first, _ = self.alternatives("]")
            return regex + "?", first, True
        if piece == "...":
            return _GAP, {"..."}, True
        if piece == "$":
            return _END, {"$"}, True
        if piece == "^":
            raise PhraseError("'^' may only start a phrase")
        if piece.startswith("{"):
            return self.word_list(piece[1:-1])
        return _word(piece)

    def word_list(self, name: str) -> tuple[str, set[str], bool]:
        entries = self.lists.get(name)
        if not entries:
            raise PhraseError(f"unknown word list {{{name}}}")
        options: list[str] = []
        first: set[str] = set()
        for entry in entries:
            words = entry.lower().split()
            compiled = [_word(w) for w in words]
            options.append("".join(c[0] for c in compiled))
            first |= compiled[0][1]
        return "(?:" + "|".join(options) + ")", first, False


def check_word(piece: str) -> None:
    """Raise :class:`PhraseError` unless ``piece`` is one word a list entry may hold."""
    if piece in {".", "?", "!", ","}:
        raise PhraseError(f"{piece!r} is punctuation, not a word")
    _word(piece)


def _word(piece: str) -> tuple[str, set[str], bool]:
    if not _WORD_RE.fullmatch(piece):
        raise PhraseError(
            f"{piece!r} is not a word (letters, digits and inner apostrophes only; "
            "write contractions whole: you're, not you 're)"
        )
    if piece.startswith("*"):
        return r"[^ ]*" + re.escape(piece[1:]) + " ", {piece}, False
    if piece.endswith("*"):
        stem = piece[:-1]
        if len(stem) < 3:
            raise PhraseError(f"{piece!r}: a '*' stem needs at least 3 letters")
        return re.escape(stem) + r"[^ ]* ", {piece}, False
    return re.escape(piece) + " ", {piece}, False
