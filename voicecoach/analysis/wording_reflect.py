"""Is a statement a reflection of what the persona just said?

MITI 4.2.1 codes a reflection as a *statement* that says back what the client said or meant.
Here that is judged by concepts, not strings: the trainee's sentence must share ideas with the
persona's line (the ``concepts:`` groups in the lexicon map "sitting since six" and "waiting since
six" to the same idea), be addressed to the person ("you ..."), or open with a reflective stem
("sounds like ..."). Copying a run of the persona's words back is an echo, and a stem with no
content ("I hear you") is a stock phrase: both earn a note instead of credit.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from voicecoach.analysis.lexicon import Lexicon
from voicecoach.analysis.wording_text import CLAUSE_PUNCT, SENTENCE_PUNCT, Coverage, Token

_FIRST_PERSON = frozenset({"i", "i'm", "i've", "i'll", "i'd", "me", "my", "we", "we're", "we'll", "let's"})
_SECOND_PERSON = frozenset({"you", "you're", "you've", "you'll", "you'd", "your", "yourself"})
# Question openers without a question mark (speech recognition drops it).
_QUESTION_OPENERS = frozenset(
    {"do", "did", "does", "are", "is", "was", "were", "can", "could", "would", "will", "have", "has"}
    | {"what", "how", "why", "where", "when", "who", "which", "what's", "how's", "should"}
)
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
# Words that open a negation's scope up to the clause's end (with any word ending in "n't").
# "no" is left out: "still no blanket" says back an absence.
# Before a negation, these do not make it a claim about a third party or a thing ("I can't",
# "let's not", "plan, not that", "don't hand us"): only "it isn't", "your ride didn't", "she
# wasn't" deny a fact outright.
_NOT_A_SUBJECT = frozenset(
    {
        "",
        ",",
        ";",
        ":",
        "let's",
        "please",
        "just",
        "well",
        "ok",
        "okay",
        "so",
        "oh",
        "now",
        "then",
        "and",
        "but",
    }
)
_BE_AUX = frozenset(
    {
        "is",
        "was",
        "are",
        "were",
        "it's",
        "that's",
        "he's",
        "she's",
        "they're",
        "does",
        "did",
        "do",
        "has",
        "have",
    }
)
_NEGATORS = frozenset({"not", "never", "nobody", "nothing", "cannot", "nobody's", "ain't"})
_PRONOUN_ROLE = {
    "i": "<subj>",
    "you": "<subj>",
    "me": "<obj>",
    "my": "<poss>",
    "your": "<poss>",
    "i'm": "<subj-be>",
    "you're": "<subj-be>",
    "i've": "<subj-have>",
    "you've": "<subj-have>",
    "myself": "<self>",
    "yourself": "<self>",
    "mine": "<poss>",
    "yours": "<poss>",
}


@dataclass(frozen=True)
class ReflectionFinding:
    """A sentence judged a reflection (token span, inclusive), or a note about a near miss."""

    first: int
    last: int
    note: str = ""
    #: the sentence denies an idea the persona asserted ("Your roommate isn't using"): not a
    #: reflection, and the learned model may not make it one
    denial: bool = False
    #: ... and it denies a fact outright (subject a thing or a third party): arguing
    arguing: bool = False


def sentences(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Inclusive token spans of sentences (punctuation excluded)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i, t in enumerate(tokens):
        if t.norm in SENTENCE_PUNCT:
            if i > start:
                spans.append((start, i - 1))
            start = i + 1
    if start < len(tokens):
        spans.append((start, len(tokens) - 1))
    return spans


def concepts_of(words: Sequence[str], lex: Lexicon) -> set[str]:
    """The ideas a run of words carries: concept names, or crude stems for other content words."""
    out: set[str] = set()
    for w in words:
        if w in lex.stopwords or w in CLAUSE_PUNCT or len(w) < 2:
            continue
        out.add(_concept(w, lex))
    return out


@functools.lru_cache(maxsize=65536)
def _concept(word: str, lex: Lexicon) -> str:
    """The concept a content word belongs to, else its crude stem (cached: hot path)."""
    concept = lex.concepts.get(word)
    if concept is None:
        concept = next((c for p, c in lex.concept_prefixes if word.startswith(p)), None)
    return concept if concept is not None else _stem(word)


def find_reflections(
    tokens: Sequence[Token],
    context_tokens: Sequence[Token] | None,
    stem_starts: Sequence[tuple[int, int]],
    blocked: Sequence[tuple[int, int]],
    lex: Lexicon,
) -> list[ReflectionFinding]:
    """Reflections among the sentences of ``tokens``.

    ``stem_starts``: token spans where a reflective stem matched. ``blocked``: spans of question
    and escalating findings; a sentence holding one is not a reflection ("you should have locked
    it" shares words with the complaint but is blame).
    """
    rules = lex.reflection
    ctx_words = [t.norm for t in context_tokens] if context_tokens else []
    ctx_concepts = concepts_of(ctx_words, lex)
    ctx_plain, ctx_negated = _polarity(ctx_words, lex)
    ctx_asserted = ctx_plain - ctx_negated
    emotions = frozenset(e for name in ("emotion", "hard") for e in lex.lists.get(name, ()) if " " not in e)
    mental = frozenset(lex.lists.get("mental", ()))
    out: list[ReflectionFinding] = []
    taken = Coverage(blocked, len(tokens))
    stems = sorted(stem_starts)
    stem_firsts = [s[0] for s in stems]
    for first, last in sentences(tokens):
        words = [t.norm for t in tokens[first : last + 1]]
        if _is_question(tokens, first, last) or taken.touches(first, last):
            continue
        if words[0] in rules.not_opening:
            continue
        k = bisect.bisect_left(stem_firsts, first)
        stem = stems[k] if k < len(stems) and stems[k][0] <= last else None
        if stem is not None and stem[0] > first and not concepts_of(words[stem[1] - first + 1 :], lex):
            stem = None  # "... and a meeting sounds like too much": the content is before the stem
        after = words[stem[1] - first + 1 :] if stem else words
        shared = len(concepts_of(words, lex) & ctx_concepts)
        person = _person(after)
        feeling = any(w in emotions for w in words)
        # "You'd rather have some privacy", "part of you wants ...": saying what the person
        # feels or wants is a complex reflection (MITI 4.2.1) even with few shared words.
        inner = feeling or any(w in mental for w in words)
        if stem is None and not inner and ctx_asserted and _polarity(words, lex)[1] & ctx_asserted:
            # "Your roommate isn't using" denies what the persona said: not a reflection, and
            # arguing when it denies a fact outright (not "I can't ...", "let's not ...")
            arguing = bool(_polarity(words, lex, outright=True)[1] & ctx_asserted)
            out.append(ReflectionFinding(first, last, denial=True, arguing=arguing))
            continue
        if stem is not None:
            if not concepts_of(after, lex):
                out.append(ReflectionFinding(first, last, rules.stock_note))
                continue
            # Without the persona's line, "this feels like a big deal" is not about the person.
            ok = shared >= 1 or person == "second" if ctx_words else person == "second"
        elif person == "second":
            ok = bool(ctx_words) and (shared >= rules.min_overlap or inner)
        elif person == "none":
            need = rules.min_overlap if inner else rules.min_overlap_impersonal
            ok = bool(ctx_words) and shared >= need
        else:
            ok = False
        if ok and ctx_words and _echo(words, ctx_words, rules.echo_words):
            out.append(ReflectionFinding(first, last, rules.echo_note))
        elif ok:
            out.append(ReflectionFinding(stem[0] if stem else first, last))
    return out


def _polarity(words: Sequence[str], lex: Lexicon, outright: bool = False) -> tuple[set[str], set[str]]:
    """The ideas of a run of words outside and inside a negation's scope (to its clause's end).

    A negation right after a second-person subject ("you can't sleep") says the person's own
    lack back and opens no scope; with ``outright``, only a negation that denies a fact about a
    thing or a third party does ("it isn't", "your ride didn't", not "I can't", "nobody").
    """
    plain: set[str] = set()
    negated: set[str] = set()
    neg = False
    prev = ""
    for w in words:
        if w in CLAUSE_PUNCT or w in SENTENCE_PUNCT:
            neg = False
        elif w in _NEGATORS or w.endswith("n't"):
            opens = prev not in _SECOND_PERSON
            if outright:
                opens = opens and prev not in _FIRST_PERSON and prev not in _NOT_A_SUBJECT
                opens = (
                    opens and w not in ("nobody", "nobody's", "nothing") and (w != "not" or prev in _BE_AUX)
                )
            neg = neg or opens
        elif w not in lex.stopwords and len(w) >= 2:
            (negated if neg else plain).add(_stem(w))
        prev = w
    return plain, negated


def _is_question(tokens: Sequence[Token], first: int, last: int) -> bool:
    if last + 1 < len(tokens) and tokens[last + 1].norm == "?":
        return True
    return tokens[first].norm in _QUESTION_OPENERS


def _person(words: Sequence[str]) -> str:
    """Who the sentence is about, from its first personal pronoun: first, second or none."""
    for w in words:
        if w in _FIRST_PERSON:
            return "first"
        if w in _SECOND_PERSON:
            return "second"
    return "none"


def _echo(words: Sequence[str], ctx: Sequence[str], run: int) -> bool:
    """True when nearly the whole sentence is copied in runs of ``run``+ words.

    Pronouns are compared by role, so "they gave your bed away" echoes "they gave my bed away":
    swapping "my" for "your" alone is parroting, not a paraphrase.
    """
    content = [_PRONOUN_ROLE.get(w, w) for w in words if w not in CLAUSE_PUNCT]
    ctx = [_PRONOUN_ROLE.get(w, w) for w in ctx]
    if len(content) < run:
        return False
    ctx_runs = {tuple(ctx[i : i + run]) for i in range(len(ctx) - run + 1)}
    copied = [False] * len(content)
    for i in range(len(content) - run + 1):
        if tuple(content[i : i + run]) in ctx_runs:
            for j in range(i, i + run):
                copied[j] = True
    return sum(copied) >= 0.9 * len(content)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
