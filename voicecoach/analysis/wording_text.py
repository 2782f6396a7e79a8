"""Turn an utterance into normalised tokens that remember where they came from.

Patterns match a normalised form of the text (lower case, straight apostrophes, fillers removed,
contractions and common speech-recognition slips repaired), but evidence must point into the
*original* text so the report can highlight it. Every token therefore carries the character span
of the original words it stands for: ``text[tok.start:tok.end]``.

Pure and linear in the length of the text: one regular-expression scan, no backtracking-prone
patterns, so a 50,000-character transcript is as safe as a short one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# A word is letters/digits with inner apostrophes or censoring stars ("don't", "f***");
# sentence punctuation is kept as its own token because questions and clause ends matter.
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’*]+[^\W_]*)*|\*{2,}|[.?!,;:]|[—–]|(?<!\w)-{1,2}(?!\w)")
#: Punctuation tokens after normalisation. Dashes read as a comma (a pause in the clause).
CLAUSE_PUNCT = frozenset({".", "?", "!", ",", ";", ":"})
#: Tokens that end a sentence.
SENTENCE_PUNCT = frozenset({".", "?", "!"})
# Any mark but a letter, digit, space or an apostrophe inside a word ("don't" keeps its own).
_NOT_SPOKEN = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)")


@dataclass(frozen=True)
class Token:
    """One normalised word (or punctuation mark) and the original span it came from."""

    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class FillerRule:
    """Drop ``words`` when the word before is in ``only_after`` (if given) and not in ``not_after``.

    ``"^"`` in ``only_after`` stands for the start of the utterance or of a clause.
    """

    words: tuple[str, ...]
    only_after: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()


def unpunctuated(text: str) -> str:
    """``text`` as a recogniser without punctuation gives it: lower case, single spaces, no
    punctuation but apostrophes inside words (the "stripped" condition of the wording benchmark
    and a second copy of every training row)."""
    return " ".join(_NOT_SPOKEN.sub(" ", text).lower().split())


def raw_tokens(text: str) -> list[Token]:
    """Lower-cased tokens with original offsets; quotes, emoji and symbols are skipped."""
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        word = m.group().lower().replace("’", "'")
        if word in {"—", "–", "-", "--"}:
            word = ","
        word = word.strip("'")
        if not word:
            continue
        if word in CLAUSE_PUNCT and out and out[-1].norm in CLAUSE_PUNCT:
            # "?!" or "..." collapse to one mark; a sentence end beats a comma.
            if word in SENTENCE_PUNCT:
                out[-1] = Token(word, out[-1].start, m.end())
            continue
        out.append(Token(word, m.start(), m.end()))
    return out


def normalise(
    tokens: Sequence[Token],
    respell: Mapping[tuple[str, ...], tuple[str, ...]],
    fillers: Sequence[FillerRule],
    max_phrase: int = 3,
) -> list[Token]:
    """Repair spellings (``respell``: word sequence -> replacement) and drop fillers.

    Longest respelling wins; a replacement keeps the span of all the words it replaced, so
    "gonna" -> "going to" gives two tokens that both highlight "gonna".
    """
    firsts = {key[0] for key in respell}
    repaired: list[Token] = []
    i = 0
    n = len(tokens)
    while i < n:
        if tokens[i].norm in firsts:
            for size in range(min(max_phrase, n - i), 0, -1):
                key = tuple(t.norm for t in tokens[i : i + size])
                new = respell.get(key)
                if new is not None:
                    start, end = tokens[i].start, tokens[i + size - 1].end
                    repaired.extend(Token(w, start, end) for w in new)
                    i += size
                    break
            else:
                repaired.append(tokens[i])
                i += 1
        else:
            repaired.append(tokens[i])
            i += 1
    return _drop_fillers(repaired, fillers)


def _drop_fillers(tokens: list[Token], fillers: Sequence[FillerRule]) -> list[Token]:
    if not fillers:
        return tokens
    firsts = {rule.words[0] for rule in fillers}
    out: list[Token] = []
    i = 0
    n = len(tokens)
    while i < n:
        if tokens[i].norm not in firsts:
            out.append(tokens[i])
            i += 1
            continue
        prev = out[-1].norm if out else "^"
        if prev in CLAUSE_PUNCT:
            prev = "^"
        for rule in fillers:
            size = len(rule.words)
            if tuple(t.norm for t in tokens[i : i + size]) != rule.words:
                continue
            if rule.only_after and prev not in rule.only_after:
                continue
            if prev in rule.not_after:
                continue
            i += size
            break
        else:
            out.append(tokens[i])
            i += 1
    return out


def joined(tokens: Sequence[Token]) -> tuple[str, list[int]]:
    """The tokens as one string, each followed by a space, and the char offset of every token.

    Patterns are compiled to consume ``"word "`` units, so a match always starts and ends on a
    token boundary.
    """
    starts: list[int] = []
    pos = 0
    for t in tokens:
        starts.append(pos)
        pos += len(t.norm) + 1
    return "".join(t.norm + " " for t in tokens), starts


class Coverage:
    """Which tokens a set of inclusive spans covers; answers "does [first, last] touch one?" in O(1).

    Keeps the analysis linear on long transcripts, where comparing every finding with every
    other would be quadratic.
    """

    def __init__(self, spans: Iterable[tuple[int, int]], n_tokens: int) -> None:
        diff = [0] * (n_tokens + 1)
        for first, last in spans:
            diff[first] += 1
            diff[last + 1] -= 1
        prefix = [0]
        depth = 0
        for d in diff[:n_tokens]:
            depth += d
            prefix.append(prefix[-1] + (depth > 0))
        self._prefix = prefix

    def touches(self, first: int, last: int) -> bool:
        """True when any span shares a token with ``[first, last]``."""
        return self._prefix[last + 1] - self._prefix[first] > 0
