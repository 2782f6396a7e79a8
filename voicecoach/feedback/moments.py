"""The moments a trainee learns from: what went best and what to practise, each tied to a moment.

Every finding names the words said (with their character offsets in the transcript, so a report
can highlight them), when the reply started in the session's recording, and advice from the
rubric: for a strength, what it builds toward; for something to practise, a better alternative
("Instead of "calm down" at 0:42, try naming the feeling: ...").

Ranking is deliberately simple and explainable: escalating moves first (every source in
DOMAIN.md names them), then tense delivery, closed questions where an open one would do, and
replies that moved nothing; strengths are de-escalating moves in replies that scored well, the
client's calming weighing most. Distinct turns are preferred so the moments cover the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from voicecoach.feedback.notes import Note
from voicecoach.feedback.rubric import DELIVERY_FLAGS, Rubric
from voicecoach.types import DEESCALATING_TAGS, ESCALATING_TAGS

Kind = Literal["strength", "practise"]
#: Quoted words in a sentence are cut to this many characters (a reply can be a paragraph).
QUOTE_CHARS = 90

# Ranking weights: an escalating move outranks a tense delivery, which outranks a closed
# question; a reply that moved nothing is last. Within a class, the lower-scoring reply first.
_WEIGHT_ESCALATING, _WEIGHT_DELIVERY, _WEIGHT_NO_MOVE, _WEIGHT_CLOSED = 300, 200, 150, 100


@dataclass(frozen=True)
class Finding:
    """One moment: what was found in which turn, the words, the time and the advice."""

    id: str
    kind: Kind
    turn: int
    code: str
    said: str
    start: int
    end: int
    time_s: float | None
    advice: str
    text: str
    rank: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form inside ``session.json``'s ``feedback``."""
        return {
            "id": self.id,
            "kind": self.kind,
            "turn": self.turn,
            "code": self.code,
            "said": self.said,
            "start": self.start,
            "end": self.end,
            "time_s": self.time_s,
            "advice": self.advice,
            "text": self.text,
        }


def clock(seconds: float | None) -> str:
    """``m:ss`` for a time in the recording ('' when unknown)."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _when(turn: int, time_s: float | None) -> str:
    return f"at {clock(time_s)} (turn {turn})" if time_s is not None else f"in turn {turn}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _label(code: str) -> str:
    return code.replace("_", " ")


def find_all(session: Mapping[str, Any], starts: Sequence[float | None], rubric: Rubric) -> list[Finding]:
    """Every candidate finding in a session (before ranking and instructor overrides)."""
    out: list[Finding] = []
    for i, turn in enumerate(session.get("turns", [])):
        time_s = starts[i] if i < len(starts) else None
        out += _turn_findings(turn, time_s, rubric)
    return out


def _turn_findings(turn: Mapping[str, Any], time_s: float | None, rubric: Rubric) -> list[Finding]:
    index = int(turn.get("index", 0))
    transcript = str(turn.get("transcript") or "")
    score = int(turn.get("calm_presence") or 0)
    drop = float(turn.get("agitation_before") or 0) - float(turn.get("agitation_after") or 0)
    when = _when(index, time_s)
    found: list[Finding] = []
    techniques = (turn.get("wording") or {}).get("techniques") or []
    tags = {t.get("tag") for t in techniques}
    for t in techniques:
        tag, said = str(t.get("tag")), str(t.get("evidence") or "")
        start, end = int(t.get("start") or 0), int(t.get("end") or 0)
        fid = f"t{index}.{tag}@{start}"
        if tag in ESCALATING_TAGS or (tag == "closed_question" and "open_question" not in tags):
            advice = rubric.advice("instead", tag)
            weight = _WEIGHT_ESCALATING if tag in ESCALATING_TAGS else _WEIGHT_CLOSED
            text = f"Instead of \u201c{_quote(said)}\u201d {when}, try {advice}"
            found.append(
                Finding(fid, "practise", index, tag, said, start, end, time_s, advice, text, weight - score)
            )
        elif tag in DEESCALATING_TAGS and score >= rubric.strong_turn:
            advice = rubric.advice("keep", tag)
            text = f"{_cap(when)} you said \u201c{_quote(said)}\u201d ({_label(tag)}). {advice}"
            rank = score + 2 * drop
            found.append(Finding(fid, "strength", index, tag, said, start, end, time_s, advice, text, rank))
    found += _delivery_findings(turn, index, transcript, time_s, rubric)
    # A reply with no recognised move at all (a closed question already has its own advice).
    if not tags and score < rubric.weak_turn and drop <= 0:
        text = (
            f"{_cap(when)} you said \u201c{_quote(transcript)}\u201d and the client did not "
            f"settle. Next time, {rubric.no_move}"
        )
        found.append(
            Finding(
                f"t{index}.no_move",
                "practise",
                index,
                "no_move",
                transcript,
                0,
                len(transcript),
                time_s,
                rubric.no_move,
                text,
                _WEIGHT_NO_MOVE - score,
            )
        )
    return found


def _delivery_findings(
    turn: Mapping[str, Any], index: int, transcript: str, time_s: float | None, rubric: Rubric
) -> list[Finding]:
    tone = turn.get("tone") or {}
    codes = list(tone.get("flags") or [])
    messages = list(tone.get("flag_messages") or []) + [""] * len(codes)
    found = []
    # A delivery finding is about the whole reply: quote it, so the moment names the words said.
    when = _cap(_when(index, time_s))
    lead = f"{when} you said \u201c{_quote(transcript)}\u201d" if transcript.strip() else when
    for code, message in zip(codes, messages, strict=False):
        if code not in DELIVERY_FLAGS:
            continue  # recording-quality flags (noise, clipping) are not the trainee's delivery
        advice = rubric.advice("delivery", code)
        text = f"{lead}: {message} Next time, {advice}"
        rank = _WEIGHT_DELIVERY - int(tone.get("calm_score") or 0)
        found.append(
            Finding(
                f"t{index}.{code}",
                "practise",
                index,
                code,
                transcript,
                0,
                len(transcript),
                time_s,
                advice,
                " ".join(text.split()),
                rank,
            )
        )
    return found


def choose(
    findings: Sequence[Finding], kind: Kind, count: int, overridden: Mapping[str, Note]
) -> list[Finding]:
    """The ``count`` top findings of ``kind``, one per turn first, skipping dismissed ones."""
    pool = sorted(
        (f for f in findings if f.kind == kind and f.id not in overridden),
        key=lambda f: (-f.rank, f.turn, f.start),
    )
    chosen: list[Finding] = []
    turns: set[int] = set()
    for f in pool:
        if len(chosen) < count and f.turn not in turns:
            chosen.append(f)
            turns.add(f.turn)
    for f in pool:
        if len(chosen) < count and f not in chosen:
            chosen.append(f)
    return sorted(chosen, key=lambda f: (f.turn, f.start))
