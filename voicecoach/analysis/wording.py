"""What the trainee's words did: de-escalation moves with evidence, an effect and a score.

Rule-based and explainable: every finding names the words that triggered it (offsets into the
original text) and comes from a phrase in ``lexicon.yaml`` that an instructor can read and edit.
The steps, in order:

1. normalise the text (case, apostrophes, ASR spellings, fillers) keeping original offsets;
2. try each lexicon phrase where its first word occurs;
3. drop phrases cancelled by a negation shortly before ("I'm *not* going to tell you to calm
   down") or by a tag's ``not_after`` words, then apply the tags' ``suppresses``/``overrides``
   ("can you calm down?" is a command, not a question);
4. judge reflections against the persona's last line (``wording_reflect``);
5. "yes, but": a de-escalating move followed by "but" and an escalating move is not credited
   (CPI, MI: "but" erases what came before), and the tags' ``overrides`` apply again (an
   escalating move takes the credit from a reflection or question beside it);
6. a learned second opinion (``wording_model``, logistic regression averaged with a small
   network, trained on the labelled dev sets and the older held-back sets) drops a phrase
   finding it finds very unlikely (with a note; never one resting on a phrase written after
   the model was trained) and adds a move the phrases missed: any tag it is fairly sure of when
   the phrases found nothing, only tags it is very sure of otherwise, never a move the phrases
   saw negated, a sentence the reflection rule judged a near miss, or a dismissal beside an
   apology the phrases found; its evidence is the clause it rests on, and the ``overrides``
   apply to its moves too;
7. effect: escalating if any escalating tag remains, else de-escalating if any de-escalating
   tag, else neutral; the score is the sum of the weights of the distinct tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voicecoach.analysis.lexicon import ClauseRule, Lexicon, load_lexicon
from voicecoach.analysis.wording_model import WordingModel, load_model, trusts, unlikely
from voicecoach.analysis.wording_model import predict as model_predict
from voicecoach.analysis.wording_model import score as model_score
from voicecoach.analysis.wording_reflect import find_reflections, sentences
from voicecoach.analysis.wording_text import (
    CLAUSE_PUNCT,
    SENTENCE_PUNCT,
    Coverage,
    Token,
    joined,
    normalise,
    raw_tokens,
)
from voicecoach.types import (
    DEESCALATING_TAGS,
    ESCALATING_TAGS,
    Effect,
    Evidence,
    Tag,
    Technique,
    WordingReport,
)

#: How far back ``not_after`` words reach: they qualify the phrase right after them
#: ("what time did you", "if you stop").
NOT_AFTER_WINDOW = 3
#: The model vetoes phrase findings only in texts up to this many words: the longest labelled
#: utterance it was trained and checked on has 39, and beyond that its probabilities are
#: unmeasured (a 50,000-character paste is many utterances, not one), so the phrases stand.
VETO_MAX_WORDS = 60
#: Moves the model never adds where the phrases found the paired move. The lexicon tells a
#: sincere apology ("I'm sorry you had to find out that way") from a non-apology ("I'm sorry you
#: feel that way", a dismissal) by its wording, so an apology it found is one it judged sincere.
#: The training script's ``combine`` reads this too, so thresholds are chosen on the same rule.
MODEL_NOT_BESIDE: dict[str, str] = {"dismissal": "apology"}
_BE = frozenset({"is", "are", "means"})
_DETERMINERS = frozenset({"the", "a", "our", "my"})


@dataclass(frozen=True)
class Hit:
    """A phrase that matched: what it signals and its inclusive token span."""

    kind: str
    key: str
    first: int
    last: int
    #: The lexicon phrases it rests on (none for a rule in code); see ``wording_model.trusts``.
    phrases: tuple[str, ...] = ()

    def overlaps(self, other: Hit) -> bool:
        """True when the two token spans share a token."""
        return self.first <= other.last and other.first <= self.last


def analyze_wording(
    text: str,
    context: str | None = None,
    lexicon: Lexicon | None = None,
    *,
    model: WordingModel | bool | None = True,
) -> WordingReport:
    """Find the de-escalation moves in ``text``; ``context`` is what the persona just said.

    ``model``: True uses the shipped learned model (``wording_model.json``), False or None the
    lexicon alone, or pass a loaded :class:`WordingModel`.

    Never raises for any string: empty, very long, non-English or symbol-only text gives a
    neutral report with no techniques.
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    tokens = normalise(raw_tokens(text), lex.respell, lex.fillers)
    words_said = sum(1 for t in tokens if t.norm not in CLAUSE_PUNCT)
    if not words_said:
        return WordingReport(text=text, effect="neutral", score=0.0, notes=("No words to analyse.",))
    ctx_tokens = normalise(raw_tokens(context), lex.respell, lex.fillers) if context else None
    hits = match_phrases(tokens, lex) + _tautologies(tokens, lex)
    notes: list[str] = []
    negated: list[Hit] = []
    tag_hits = _resolve(tokens, [h for h in hits if h.kind == "tag"], lex, notes, negated)
    reflected, judged = _reflections(
        tokens, ctx_tokens=ctx_tokens, hits=hits, tag_hits=tag_hits, lex=lex, notes=notes
    )
    tag_hits += reflected
    tag_hits += _bare_questions(tokens, tag_hits, lex)
    tag_hits = _apply_overrides(_yes_but(tokens, tag_hits, lex, notes), lex)
    tags = {h.key for h in tag_hits}
    learned = load_model() if model is True else model if isinstance(model, WordingModel) else None
    if learned is not None:
        # A clause the lexicon names as a stock phrase ("I hear you": a note, not a move), or
        # a sentence the reflection rule judged an echo or a stem without content ("It sounds
        # like it."), is the lexicon's call, so the model does not turn it into a move.
        stock = [h for h in hits if h.kind == "note"] + [h for h in judged if h.kind == "note"]
        # A sentence that denies what the persona said is not made a reflection by the model.
        denials = [h for h in judged if h.kind == "denial"]
        # A move the lexicon found and saw negated ("nobody is telling you to leave") is not
        # added back by the model, which has no notion of a negation's reach.
        cancelled = {h.key for h in negated}
        view = model_score(tokens, ctx_tokens, lex, learned)
        # A phrase finding the model finds very unlikely here is dropped, with a note saying so
        # (chosen leave-one-set-out: on new annotators' wording it is then more often wrong).
        # A phrase an instructor wrote after the model was trained is taken as written.
        doubted = unlikely(view, learned, tags) if words_said <= VETO_MAX_WORDS else frozenset()
        vetoed = [h for h in tag_hits if h.key in doubted and not trusts(learned, h.phrases)]
        for h in vetoed:
            words = _evidence(text, tokens, h).text
            notes.append(
                f'"{words}" looks like {h.key}, but the learned model reads it otherwise here,'
                " so it is not counted."
            )
        tag_hits = [h for h in tag_hits if h not in vetoed]
        tags = {h.key for h in tag_hits}
        for f in model_predict(tokens, ctx_tokens, lex, learned, rules_found=bool(tags), scored=view):
            if f.tag in tags | cancelled | doubted or any(
                h.first <= f.first and f.last <= h.last for h in stock
            ):
                continue
            if f.tag == "reflection" and any(h.overlaps(Hit("tag", f.tag, f.first, f.last)) for h in denials):
                continue
            if MODEL_NOT_BESIDE.get(f.tag) in tags:
                continue
            tag_hits.append(Hit("tag", f.tag, f.first, f.last))
        # The model's moves obey the lexicon's `overrides:` too (an escalating move it adds
        # takes the credit from a reflection, as one the phrases found does).
        tag_hits = _apply_overrides(tag_hits, lex)
        tags = {h.key for h in tag_hits}
    if not tags & {"reflection", "validation"}:
        for h in hits:
            if h.kind == "note":
                notes.append(lex.notes[int(h.key)].note)
    techniques = tuple(
        Technique(tag=_tag(h.key), evidence=_evidence(text, tokens, h))
        for h in sorted(tag_hits, key=lambda h: (h.first, h.last))
    )
    found = {t.tag for t in techniques}
    score = sum(lex.rule(tag).weight for tag in found)
    return WordingReport(
        text=text,
        effect=_effect(found),
        score=float(score),
        techniques=techniques,
        notes=tuple(dict.fromkeys(notes)),
    )


def match_phrases(tokens: Sequence[Token], lex: Lexicon) -> list[Hit]:
    """Every lexicon phrase (tags, notes, stems, domains) matching at some token."""
    norm, starts = joined(tokens)
    end_of = {s + len(t.norm) + 1: i for i, (s, t) in enumerate(zip(starts, tokens, strict=True))}
    hits: list[Hit] = []
    index, prefixed, screens = lex.index, lex.prefix_index, lex.screens
    for i, tok in enumerate(tokens):
        screen = screens.get(tok.norm)
        entries = index.get(tok.norm, ()) if screen is not None and screen.match(norm, starts[i]) else ()
        if prefixed:
            entries += tuple(e for p, e in prefixed if tok.norm.startswith(p))
        if not entries:
            continue
        opens: bool | None = None  # only worked out when an anchored phrase needs it
        at = starts[i]
        for entry in entries:
            phrase = entry.phrase
            if phrase.anchored:
                if opens is None:
                    opens = _sentence_starts(tokens, i, lex)
                if not opens:
                    continue
            m = phrase.regex.match(norm, at)
            if m:
                hits.append(Hit(entry.kind, entry.key, i, end_of[m.end()], (phrase.source,)))
    return hits


def _tautologies(tokens: Sequence[Token], lex: Lexicon) -> list[Hit]:
    """ "Rules are rules", "the results are the results": a tautology shuts the question down.

    Not expressible in the phrase language (it needs "the same word twice"), so it lives here.
    """
    out: list[Hit] = []
    words = [t.norm for t in tokens]
    for i, w in enumerate(words):
        if w not in _BE:
            continue
        for size in (1, 2):  # "rules are rules", "lights out is lights out"
            left = words[max(i - size, 0) : i]
            start = i + 2 if i + 1 < len(words) and words[i + 1] in _DETERMINERS else i + 1
            right = words[start : start + size]
            if len(left) < size or left != right or all(x in lex.stopwords for x in left):
                continue
            first = i - size
            first = first - 1 if first > 0 and words[first - 1] in _DETERMINERS else first
            out.append(Hit("tag", "rule_citing", first, start + size - 1))
            break
    return out


def _sentence_starts(tokens: Sequence[Token], i: int, lex: Lexicon) -> bool:
    """True at the first word, after a sentence end, or after an opener ("okay, what ...").

    A comma alone does not start a sentence: "the door, where there's room" is one clause.
    """
    j = i - 1
    if j >= 0 and tokens[j].norm == ",":
        j -= 1
        return j >= 0 and tokens[j].norm in lex.openers
    if j < 0 or tokens[j].norm in SENTENCE_PUNCT:
        return True
    # Without a comma an opener starts a sentence only where it opens one itself: "okay are
    # you hurt", "so uh no sit down", but not the "no" of "still no answer about your son".
    return tokens[j].norm in lex.openers and _sentence_starts(tokens, j, lex)


def preceded_by(
    tokens: Sequence[Token],
    i: int,
    cues: Iterable[Sequence[str]],
    window: int,
    stops: frozenset[str],
    *,
    clause: ClauseRule | None = None,
) -> str:
    """The cue found within ``window`` words before token ``i`` in the same clause, or "".

    With ``clause``, a subject that opens a new clause ends the search, so in unpunctuated
    speech "we didn't lose anything you never gave it to us" keeps "you never" out of the
    negation's reach.
    """
    if clause is not None and clause.opens(tokens, i):
        return ""
    before: list[str] = []
    j = i - 1
    while j >= 0 and len(before) < window:
        word = tokens[j].norm
        if word in CLAUSE_PUNCT or word in stops:
            break
        before.append(word)
        if clause is not None and clause.opens(tokens, j):
            break
        j -= 1
    before.reverse()
    for cue in cues:
        n = len(cue)
        if any(tuple(before[k : k + n]) == tuple(cue) for k in range(len(before) - n + 1)):
            return " ".join(cue)
    return ""


def _resolve(
    tokens: Sequence[Token], hits: list[Hit], lex: Lexicon, notes: list[str], negated: list[Hit]
) -> list[Hit]:
    """Drop negated hits (appended to ``negated``) and hits another tag suppresses or overrides."""
    kept: list[Hit] = []
    for h in hits:
        rule = lex.rule(_tag(h.key))
        cue = ""
        if rule.negatable:
            window = rule.negation_window or lex.negation_window
            cue = preceded_by(tokens, h.first, lex.negation_cues, window, lex.but_words, clause=lex.clause)
        if not cue and rule.not_after:
            cue = preceded_by(
                tokens, h.first, [w.split() for w in rule.not_after], NOT_AFTER_WINDOW, frozenset()
            )
        if not cue and rule.not_before and h.last + 1 < len(tokens):
            cue = tokens[h.last + 1].norm if tokens[h.last + 1].norm in rule.not_before else ""
        if not cue:
            kept.append(h)
        elif rule.tag in ESCALATING_TAGS and rule.negatable:
            negated.append(h)
            words = " ".join(t.norm for t in tokens[h.first : h.last + 1])
            notes.append(f'"{words}" follows "{cue}", so it is not counted as {rule.tag}.')
    kept = _merge_per_tag(kept)
    by_tag: dict[str, list[tuple[int, int]]] = {}
    for h in kept:
        by_tag.setdefault(h.key, []).append((h.first, h.last))
    covers = {
        tag: Coverage(spans, len(tokens)) for tag, spans in by_tag.items() if lex.rule(_tag(tag)).suppresses
    }
    kept = [
        h
        for h in kept
        if not any(
            h.key in lex.rule(_tag(tag)).suppresses and c.touches(h.first, h.last)
            for tag, c in covers.items()
        )
    ]
    return _apply_overrides(_suppress_in_sentence(tokens, kept, lex), lex)


def _apply_overrides(hits: list[Hit], lex: Lexicon) -> list[Hit]:
    """Drop every hit of a tag that another tag present in the utterance overrides."""
    present = {h.key for h in hits}
    overridden = {t for tag in present for t in lex.rule(_tag(tag)).overrides}
    return [h for h in hits if h.key not in overridden]


def _suppress_in_sentence(tokens: Sequence[Token], hits: list[Hit], lex: Lexicon) -> list[Hit]:
    """Drop hits of tags that a tag found in the same sentence suppresses (linear in tokens)."""
    rules = {h.key: lex.rule(_tag(h.key)).suppresses_in_sentence for h in hits}
    if not any(rules.values()):
        return hits
    sentence_of: list[int] = []
    current = 0
    for t in tokens:
        sentence_of.append(current)
        current += t.norm in SENTENCE_PUNCT
    dropped: set[tuple[int, str]] = set()
    for h in hits:
        dropped.update((sentence_of[h.first], tag) for tag in rules[h.key])
    return [h for h in hits if (sentence_of[h.first], h.key) not in dropped]


def _merge_per_tag(hits: list[Hit]) -> list[Hit]:
    """Overlapping findings of one tag become one, spanning all their words."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.key, h.first, -h.last)):
        if out and out[-1].key == h.key and out[-1].overlaps(h):
            prev = out[-1]
            out[-1] = Hit(prev.kind, prev.key, prev.first, max(prev.last, h.last), prev.phrases + h.phrases)
            continue
        out.append(h)
    return out


def _reflections(
    tokens: Sequence[Token],
    *,
    ctx_tokens: Sequence[Token] | None,
    hits: list[Hit],
    tag_hits: list[Hit],
    lex: Lexicon,
    notes: list[str],
) -> tuple[list[Hit], list[Hit]]:
    """Reflection hits, and the sentences judged near misses (an echo, a stem without content:
    kind "note") or denials of what the persona said (kind "denial")."""
    stems = [(h.first, h.last) for h in hits if h.kind == "stem"]
    # A sentence that asks, offers or escalates is doing something other than reflecting.
    not_reflection = lex.reflection.blocked_by
    blocked = [(h.first, h.last) for h in tag_hits if h.key in not_reflection or h.key in ESCALATING_TAGS]
    out: list[Hit] = []
    judged: list[Hit] = []
    for f in find_reflections(tokens, ctx_tokens, stems, blocked, lex):
        if f.denial:
            judged.append(Hit("denial", "reflection", f.first, f.last))
            # Arguing, unless the utterance also does something de-escalating ("I'm sorry,
            # that's our mistake ... so it doesn't happen again").
            if f.arguing and not any(h.key in DEESCALATING_TAGS for h in tag_hits):
                out.append(Hit("tag", "arguing", f.first, f.last))
            continue
        if f.note:
            notes.append(f.note)
            judged.append(Hit("note", "reflection", f.first, f.last))
            continue
        hit = Hit("tag", "reflection", f.first, f.last)
        if not any(h.key == "reflection" and h.overlaps(hit) for h in tag_hits):
            out.append(hit)
    return out, judged


def _bare_questions(tokens: Sequence[Token], tag_hits: list[Hit], lex: Lexicon) -> list[Hit]:
    """A sentence ending in "?" that no phrase explains is counted as a closed question.

    Only if it has an English function word: "¿Qué pasó?" is a question we cannot judge.
    """
    out: list[Hit] = []
    found = Coverage(((h.first, h.last) for h in tag_hits), len(tokens))
    for first, last in sentences(tokens):
        if last + 1 >= len(tokens) or tokens[last + 1].norm != "?" or last == first:
            continue
        english = any(t.norm in lex.stopwords for t in tokens[first : last + 1])
        if english and not found.touches(first, last):
            out.append(Hit("tag", "closed_question", first, last))
    return out


def _yes_but(tokens: Sequence[Token], hits: list[Hit], lex: Lexicon, notes: list[str]) -> list[Hit]:
    """Cancel de-escalating moves that end before a "but" which an escalating move follows."""
    escalating = [h.first for h in hits if h.key in ESCALATING_TAGS]
    if not escalating:
        return hits
    last_escalation = max(escalating)
    buts = [i for i, t in enumerate(tokens) if t.norm in lex.but_words and i < last_escalation]
    if not buts:
        return hits
    cut = max(buts)  # every earlier "but" is covered by this one
    kept: list[Hit] = []
    for h in hits:
        if h.last < cut and h.key in lex.but_cancels:
            notes.append(f'"But" after the {h.key} takes it back; the escalating part is what lands.')
        else:
            kept.append(h)
    return kept


def _evidence(text: str, tokens: Sequence[Token], hit: Hit) -> Evidence:
    start, end = tokens[hit.first].start, tokens[hit.last].end
    return Evidence(text=text[start:end], start=start, end=end)


def _effect(tags: set[Tag]) -> Effect:
    if tags & set(ESCALATING_TAGS):
        return "escalating"
    if tags & set(DEESCALATING_TAGS):
        return "deescalating"
    return "neutral"


def _tag(name: str) -> Tag:
    # Keys of tag hits come from the lexicon, which only accepts names in ALL_TAGS.
    for t in ESCALATING_TAGS + DEESCALATING_TAGS + ("closed_question",):
        if t == name:
            return t
    raise KeyError(name)
