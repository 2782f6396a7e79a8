"""Session-level counts in the motivational-interviewing style, for the feedback report.

MITI 4.2.1 (Moyers et al.) rates the reflection-to-question ratio: 1:1 is fair, 2:1 good. It also
watches open versus closed questions. Share of talk (trainee words over all words) shows who did
the talking: a listener talks less. Project BETA's ten domains (Richmond et al. 2012) are shown
by tags (a reflection shows "listen closely"), by phrases in ``lexicon.yaml`` (``beta_domains``),
and two by the whole session: "don't be provocative" (no escalating move at all) and "be concise"
(short turns on average).
"""

from __future__ import annotations

from collections.abc import Sequence

from voicecoach.analysis.lexicon import Lexicon, load_lexicon
from voicecoach.analysis.wording import match_phrases
from voicecoach.analysis.wording_text import CLAUSE_PUNCT, normalise, raw_tokens
from voicecoach.config import MIOptions
from voicecoach.types import ESCALATING_TAGS, MICounts, MitiRating, WordingReport

#: MITI 4.2.1 reflection-to-question thresholds.
MITI_GOOD_RATIO = 2.0
MITI_FAIR_RATIO = 1.0


def session_counts(
    reports: Sequence[WordingReport],
    persona_lines: Sequence[str] = (),
    lexicon: Lexicon | None = None,
    options: MIOptions | None = None,
) -> MICounts:
    """Count a session's questions, reflections, talk share and Project BETA domains.

    ``reports``: the trainee's turns in order. ``persona_lines``: everything the persona said,
    for the share of talk (leave empty to report ``talk_share`` as ``None``).
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    opts = options if options is not None else MIOptions()
    tags = [t.tag for r in reports for t in r.techniques]
    open_q, closed_q, refl = (
        tags.count("open_question"),
        tags.count("closed_question"),
        tags.count("reflection"),
    )
    questions = open_q + closed_q
    ratio = refl / questions if questions else None
    trainee_words = sum(_words(r.text) for r in reports)
    persona_words = sum(_words(line) for line in persona_lines)
    total = trainee_words + persona_words
    shown = _domains(reports, lex, opts, trainee_words)
    return MICounts(
        turns=len(reports),
        open_questions=open_q,
        closed_questions=closed_q,
        reflections=refl,
        reflection_to_question=ratio,
        ratio_rating=rate_ratio(refl, questions),
        percent_open_questions=100.0 * open_q / questions if questions else None,
        trainee_words=trainee_words,
        persona_words=persona_words,
        talk_share=trainee_words / total if persona_lines and total else None,
        beta_domains=tuple(d.key for d in lex.domains if d.key in shown),
        beta_domains_missing=tuple(d.key for d in lex.domains if d.key not in shown),
    )


def rate_ratio(reflections: int, questions: int) -> MitiRating:
    """MITI 4.2.1 rating of a reflection-to-question ratio."""
    if questions == 0:
        return "good" if reflections else "n/a"
    ratio = reflections / questions
    if ratio >= MITI_GOOD_RATIO:
        return "good"
    return "fair" if ratio >= MITI_FAIR_RATIO else "low"


def _domains(reports: Sequence[WordingReport], lex: Lexicon, opts: MIOptions, words: int) -> set[str]:
    tags = {t.tag for r in reports for t in r.techniques}
    shown = {d.key for d in lex.domains if d.tags & tags}
    for r in reports:
        tokens = normalise(raw_tokens(r.text), lex.respell, lex.fillers)
        shown |= {h.key for h in match_phrases(tokens, lex) if h.kind == "domain"}
    if reports and not tags & set(ESCALATING_TAGS):
        shown.add("not_provocative")
    if reports and words / len(reports) <= opts.concise_max_words:
        shown.add("concise")
    return shown


def _words(text: str) -> int:
    return sum(1 for t in raw_tokens(text) if t.norm not in CLAUSE_PUNCT)
