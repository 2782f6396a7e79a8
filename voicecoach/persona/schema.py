"""Persona files: load, validate and describe them.

A persona is a YAML file in ``personas/`` (format documented, with a full annotated example, in
``personas/README.md``). Validation happens here, once, at the boundary; everything downstream
(``persona.state``, ``persona.reply``) trusts the frozen :class:`Persona` it gets. Every error
names file, line and key: ``personas/marcus.yaml:14: replies.stages.defensive: must be a
non-empty list``. Loading goes through :mod:`voicecoach.persona.yamlsafe`, so a file can never run
code, expand an alias bomb or nest without bound.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, cast, get_args

from voicecoach.config import PERSONAS_ENV
from voicecoach.errors import PersonaError
from voicecoach.persona.yamlsafe import Path_, Reader, load_located
from voicecoach.types import (
    ALL_TAGS,
    DIFFICULTIES,
    ESCALATING_TAGS,
    REACTION_KINDS,
    STAGES,
    Difficulty,
    ReactionKind,
    Stage,
    Tag,
)

Pronoun = Literal["he", "she", "they"]
Gender = Literal["male", "female", "neutral"]
#: Placeholders a reply line may use; anything else in braces is an authoring mistake.
PLACEHOLDERS = ("{echo}",)


@dataclass(frozen=True)
class Brief:
    """What a trainee reads before starting: who, where, what just happened, their role."""

    who: str
    where: str
    what_happened: str
    your_role: str


@dataclass(frozen=True)
class Trigger:
    """Words that inflame this person, ``about`` says why in plain words for the report."""

    about: str
    phrases: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Need:
    """Something this person must hear before settling.

    Met when the trainee's reply carries any of ``tags`` (if given) *and* any of ``phrases``
    (if given). ``required`` needs hold agitation above the resolve level until met, and after
    ``patience`` turns each unmet turn adds ``penalty`` (ignoring the need keeps agitation up).
    ``replies`` are what the persona says the moment this need is met (before generic lines).
    """

    id: str
    label: str
    tags: tuple[Tag, ...]
    phrases: tuple[str, ...]
    relief: float
    required: bool
    patience: int
    penalty: float
    replies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """Agitation (0–100) at which each stage starts; ``calm`` is everything below ``anxious``."""

    anxious: float
    defensive: float
    agitated: float
    crisis: float

    def stage(self, agitation: float) -> Stage:
        """The stage for an agitation level."""
        if agitation >= self.crisis:
            return "crisis"
        if agitation >= self.agitated:
            return "agitated"
        if agitation >= self.defensive:
            return "defensive"
        if agitation >= self.anxious:
            return "anxious"
        return "calm"


@dataclass(frozen=True)
class Replies:
    """Everything the persona can say, by moment, stage and what the trainee just did."""

    opening: tuple[str, ...]
    stages: dict[Stage, tuple[str, ...]]
    reactions: dict[ReactionKind, tuple[str, ...]]
    resolved: tuple[str, ...]
    escalated: tuple[str, ...]


@dataclass(frozen=True)
class Persona:
    """A validated persona file. ``id`` is the file stem (``marcus``), used on the command line."""

    id: str
    path: str
    name: str
    pronoun: Pronoun
    title: str
    gender: Gender
    brief: Brief
    start: dict[Difficulty, float]
    thresholds: Thresholds
    resolve_below: float
    sensitivity: float
    max_calm_per_turn: float
    weights: dict[Tag, float]
    triggers: tuple[Trigger, ...]
    needs: tuple[Need, ...]
    replies: Replies
    safety_step: str
    voice_rate: float = 1.0
    voice_pitch: float = 1.0

    def __hash__(self) -> int:
        return hash((self.id, self.path))

    @property
    def possessive(self) -> str:
        """Possessive pronoun (his, her, their), as in "you named his frustration"."""
        return {"he": "his", "she": "her", "they": "their"}[self.pronoun]

    def they(self, singular: str, plural: str) -> str:
        """Pronoun and agreeing verb: ``they("hears", "hear")`` → "he hears" or "they hear"."""
        return f"{self.pronoun} {plural if self.pronoun == 'they' else singular}"

    @property
    def object_pronoun(self) -> str:
        """Object pronoun: him, her or them."""
        return {"he": "him", "she": "her", "they": "them"}[self.pronoun]


_TOP_KEYS = {
    "name", "pronoun", "title", "voice", "brief", "agitation", "weights", "triggers", "needs",
    "replies", "safety_step",
}  # fmt: skip


def load_persona(path: str | os.PathLike[str]) -> Persona:
    """Load and validate one persona file; raise :class:`PersonaError` naming file, line and key."""
    file = Path(path)
    shown = str(path)
    doc = load_located(file, PersonaError)
    if not isinstance(doc.data, dict):
        raise PersonaError(shown, 1, "", "a persona file must be a mapping of key: value lines")
    r = Reader(doc, shown, PersonaError)
    r.mapping((), _TOP_KEYS)
    r.mapping(("voice",), {"gender", "rate", "pitch"}, required=False)
    r.mapping(("brief",), {"who", "where", "what_happened", "your_role"})
    brief = Brief(*(r.text(("brief", k)) for k in ("who", "where", "what_happened", "your_role")))
    thresholds, start, resolve_below = _agitation(r)
    weights: dict[Tag, float] = {}
    for key in r.mapping(("weights",), set(ALL_TAGS), required=False):
        weights[cast(Tag, key)] = r.number(("weights", key), -30, 30)
    persona = Persona(
        id=file.stem,
        path=shown,
        name=r.text(("name",), limit=60),
        pronoun=cast(Pronoun, r.choice(("pronoun",), ("he", "she", "they"), "they")),
        title=r.text(("title",), limit=200),
        gender=cast(Gender, r.choice(("voice", "gender"), get_args(Gender), "neutral")),
        brief=brief,
        start=start,
        thresholds=thresholds,
        resolve_below=resolve_below,
        sensitivity=r.number(("agitation", "sensitivity"), 0.25, 3.0, 1.0),
        max_calm_per_turn=r.number(("agitation", "max_calm_per_turn"), 1, 50, 12.0),
        weights=weights,
        triggers=_triggers(r),
        needs=_needs(r),
        replies=_replies(r),
        safety_step=r.text(("safety_step",)),
        voice_rate=r.number(("voice", "rate"), 0.5, 2.0, 1.0),
        voice_pitch=r.number(("voice", "pitch"), 0.5, 2.0, 1.0),
    )
    return persona


def _agitation(r: Reader) -> tuple[Thresholds, dict[Difficulty, float], float]:
    r.mapping(("agitation",), {"start", "stages", "resolve_below", "sensitivity", "max_calm_per_turn"})
    stages_path: Path_ = ("agitation", "stages")
    names = ("anxious", "defensive", "agitated", "crisis")
    r.mapping(stages_path, set(names))
    values = [r.number((*stages_path, k), 1, 100) for k in names]
    for i in range(1, len(values)):
        if not values[i - 1] < values[i]:
            raise r.fail(
                (*stages_path, names[i]),
                "stage thresholds must rise: anxious < defensive < agitated < crisis",
            )
    thresholds = Thresholds(*values)
    start_path: Path_ = ("agitation", "start")
    raw = r.get(start_path)
    start: dict[Difficulty, float] = {}
    if isinstance(raw, dict):
        r.mapping(start_path, set(DIFFICULTIES))
        for level in DIFFICULTIES:
            start[level] = r.number((*start_path, level), 0, thresholds.crisis - 1)
    else:
        # One number: easy starts 10 lower and hard 10 higher (a stage is ~20 points wide).
        base = r.number(start_path, 0, thresholds.crisis - 1)
        start = {"easy": max(0.0, base - 10), "standard": base, "hard": min(thresholds.crisis - 1, base + 10)}
    resolve = r.number(("agitation", "resolve_below"), 1, thresholds.agitated)
    for level, value in start.items():
        if value < resolve:
            raise r.fail(
                start_path, f"{level} start ({value:g}) is already below resolve_below ({resolve:g})"
            )
    return thresholds, start, resolve


def _triggers(r: Reader) -> tuple[Trigger, ...]:
    raw = r.get(("triggers",))
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise r.fail(("triggers",), "must be a list")
    out = []
    for i, _ in enumerate(raw):
        p: Path_ = ("triggers", i)
        r.mapping(p, {"about", "phrases", "weight"})
        out.append(
            Trigger(
                r.text((*p, "about"), limit=120), r.texts((*p, "phrases")), r.number((*p, "weight"), 0, 40)
            )
        )
    return tuple(out)


def _needs(r: Reader) -> tuple[Need, ...]:
    raw = r.get(("needs",))
    if not isinstance(raw, list) or not raw:
        raise r.fail(("needs",), "must be a non-empty list (what must this person hear to settle?)")
    out: list[Need] = []
    for i, _ in enumerate(raw):
        p: Path_ = ("needs", i)
        r.mapping(
            p, {"id", "label", "tags", "phrases", "relief", "required", "patience", "penalty", "replies"}
        )
        tags = r.texts((*p, "tags"), required=False)
        for j, tag in enumerate(tags):
            if tag not in ALL_TAGS:
                raise r.fail((*p, "tags", j), f"unknown tag {tag!r} (tags: {', '.join(ALL_TAGS)})")
            if tag in ESCALATING_TAGS:
                raise r.fail((*p, "tags", j), f"{tag!r} escalates; a need is met by a calming move")
        phrases = r.texts((*p, "phrases"), required=False)
        if not tags and not phrases:
            raise r.fail(p, "a need must list tags, phrases or both (how is it met?)")
        required = r.get((*p, "required"))
        if required is not None and not isinstance(required, bool):
            raise r.fail((*p, "required"), "must be true or false")
        need_id = r.text((*p, "id"), limit=40)
        if any(n.id == need_id for n in out):
            raise r.fail((*p, "id"), f"duplicate need id {need_id!r}")
        out.append(
            Need(
                id=need_id,
                label=r.text((*p, "label"), limit=120),
                tags=cast(tuple[Tag, ...], tags),
                phrases=phrases,
                relief=r.number((*p, "relief"), 0, 40),
                required=bool(required),
                patience=int(r.number((*p, "patience"), 0, 50, 2)),
                penalty=r.number((*p, "penalty"), 0, 20, 3),
                replies=_lines(r, (*p, "replies"), required=False),
            )
        )
    return tuple(out)


def _replies(r: Reader) -> Replies:
    r.mapping(("replies",), {"opening", "stages", "reactions", "resolved", "escalated"})
    r.mapping(("replies", "stages"), set(STAGES))
    stages = {stage: _lines(r, ("replies", "stages", stage)) for stage in STAGES}
    reactions: dict[ReactionKind, tuple[str, ...]] = {}
    for kind in r.mapping(("replies", "reactions"), set(REACTION_KINDS), required=False):
        reactions[cast(ReactionKind, kind)] = _lines(r, ("replies", "reactions", kind))
    return Replies(
        opening=_lines(r, ("replies", "opening")),
        stages=stages,
        reactions=reactions,
        resolved=_lines(r, ("replies", "resolved")),
        escalated=_lines(r, ("replies", "escalated")),
    )


_BRACES = re.compile(r"\{[^{}]*\}")


def _lines(r: Reader, path: Path_, required: bool = True) -> tuple[str, ...]:
    lines = r.texts(path, required=required)
    for i, line in enumerate(lines):
        for found in _BRACES.findall(line):
            if found not in PLACEHOLDERS:
                raise r.fail((*path, i), f"unknown placeholder {found} (only {', '.join(PLACEHOLDERS)})")
    return lines


# ---------------------------------------------------------------- finding and describing personas


def persona_dir() -> Path:
    """The persona folder: ``$VOICECOACH_PERSONAS``, else ``personas/`` beside the package."""
    env = os.environ.get(PERSONAS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "personas"


def find_persona(name: str) -> Path:
    """The file for persona ``name`` (a file stem, or a path to a .yaml file)."""
    if name.endswith((".yaml", ".yml")) or os.sep in name:
        path = Path(name)
        if path.is_file():
            return path
        raise PersonaError(name, None, "", "no such persona file")
    folder = persona_dir()
    for suffix in (".yaml", ".yml"):
        candidate = folder / f"{name}{suffix}"
        if re.fullmatch(r"[A-Za-z0-9_-]+", name) and candidate.is_file():
            return candidate
    available = ", ".join(p.stem for p in _persona_files(folder)) or "none"
    raise PersonaError(str(folder), None, "", f"no persona named {name!r} (available: {available})")


def _persona_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def list_personas() -> list[Persona]:
    """Every persona in :func:`persona_dir`, sorted by id; a broken file raises its PersonaError."""
    return [load_persona(p) for p in _persona_files(persona_dir())]


def scan_personas() -> tuple[list[Persona], list[PersonaError]]:
    """Every persona that loads, and the error of every file that does not (for listings)."""
    good: list[Persona] = []
    bad: list[PersonaError] = []
    for path in _persona_files(persona_dir()):
        try:
            good.append(load_persona(path))
        except PersonaError as exc:
            bad.append(exc)
    return good, bad


@cache
def _cached(path: str, mtime_ns: int) -> Persona:
    return load_persona(path)


def get_persona(name: str) -> Persona:
    """Find and load persona ``name`` (cached per file modification time)."""
    path = find_persona(name)
    return _cached(str(path), path.stat().st_mtime_ns)


def brief(persona: Persona) -> str:
    """The scenario brief a trainee reads before starting (``voicecoach personas show NAME``)."""
    b = persona.brief
    return "\n".join(
        [
            f"{persona.name}: {persona.title}",
            "",
            f"Who: {b.who}",
            f"Where: {b.where}",
            f"What just happened: {b.what_happened}",
            f"Your role: {b.your_role}",
        ]
    )


def summary(persona: Persona) -> str:
    """A validation summary for ``voicecoach personas check FILE``."""
    t = persona.thresholds
    r = persona.replies
    n_lines = (
        len(r.opening) + sum(map(len, r.stages.values())) + sum(map(len, r.reactions.values()))
        + len(r.resolved) + len(r.escalated)
    )  # fmt: skip
    needs = "; ".join(f"{n.label}{' (required)' if n.required else ''}" for n in persona.needs)
    triggers = "; ".join(f"{tr.about} (+{tr.weight:g})" for tr in persona.triggers) or "none"
    start = ", ".join(f"{k} {v:g}" for k, v in persona.start.items())
    return "\n".join(
        [
            f"{persona.path}: OK",
            f"  {persona.name} ({persona.id}): {persona.title}",
            f"  stages: anxious {t.anxious:g} / defensive {t.defensive:g} / agitated {t.agitated:g}"
            f" / crisis {t.crisis:g}; resolves below {persona.resolve_below:g}",
            f"  start: {start}; sensitivity {persona.sensitivity:g}",
            f"  needs: {needs}",
            f"  triggers: {triggers}",
            f"  replies: {n_lines} lines; reactions to: {', '.join(r.reactions) or 'none'}",
            f"  safety step: {persona.safety_step}",
        ]
    )
