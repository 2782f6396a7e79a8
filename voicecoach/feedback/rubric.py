"""The calm-presence rubric: weights, thresholds and advice, from an instructor-editable YAML file.

The packaged ``rubric.yaml`` is VoiceCoach's starting rubric; ``voicecoach review --rubric FILE``
and ``voicecoach grade --rubric FILE`` load another. Every score and report names the rubric that
produced it (``Rubric.name``). A mistake in a rubric file is reported as ``file:line: key: problem``
(the same safe, line-keeping YAML reader the persona files use).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from voicecoach.errors import AuthoredFileError
from voicecoach.persona.yamlsafe import Reader, load_located
from voicecoach.types import DEESCALATING_TAGS, ESCALATING_TAGS

#: The rubric shipped with VoiceCoach.
DEFAULT_RUBRIC_FILE = Path(__file__).with_name("rubric.yaml")

#: Delivery flags the tone analysis raises about how a reply sounded (``analysis.tone``).
DELIVERY_FLAGS = (
    "louder",
    "faster",
    "higher_pitch",
    "sped_up",
    "rising_ends",
    "loud_burst",
    "rushed",
    "fast_population",
    "slow_population",
)
_INSTEAD_KEYS = (*ESCALATING_TAGS, "closed_question")


class RubricError(AuthoredFileError):
    """A rubric file failed validation."""


@dataclass(frozen=True)
class Rubric:
    """Weights, thresholds and advice of the calm-presence score (see ``rubric.yaml``).

    The numeric defaults here equal the packaged file's, so a ``Rubric()`` built in a test scores
    exactly as VoiceCoach does; the advice texts come from the file.
    """

    name: str = "voicecoach-default-1"
    title: str = "VoiceCoach starting rubric: calm presence"
    source: str = "rubric.yaml"
    delivery_weight: float = 0.35
    wording_weight: float = 0.45
    effect_weight: float = 0.20
    wording_base: float = 50.0  # a reply with no recognised move is neither good nor bad
    points_per_good_move: float = 15.0
    points_per_bad_move: float = 25.0  # one command or threat outweighs one validation
    effect_points_per_agitation: float = 2.5  # a 20-point drop in agitation scores 100
    # DOMAIN.md starting thresholds for a tense delivery, relative to the calm baseline.
    band_rate_pct: float = 15.0
    band_level_db: float = 6.0
    band_pitch_st: float = 3.0
    # DOMAIN.md population fallback: flag sustained speech above ~190 or below ~100 wpm.
    band_wpm_low: float = 100.0
    band_wpm_high: float = 190.0
    moments: int = 3
    strong_turn: int = 60
    weak_turn: int = 50
    instead: tuple[tuple[str, str], ...] = field(default=(), compare=True)
    keep: tuple[tuple[str, str], ...] = ()
    delivery: tuple[tuple[str, str], ...] = ()
    no_move: str = ""

    def advice(self, table: str, key: str) -> str:
        """The advice text for ``key`` in ``instead``, ``keep`` or ``delivery`` ('' when none)."""
        pairs: tuple[tuple[str, str], ...] = getattr(self, table)
        return dict(pairs).get(key, "")


def load_rubric(path: Path | None = None) -> Rubric:
    """Load and validate a rubric file (the packaged one when ``path`` is None)."""
    if path is None:
        return default_rubric()
    return _load(Path(path))


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The packaged starting rubric (read once)."""
    rubric = _load(DEFAULT_RUBRIC_FILE)
    return Rubric(**{**rubric.__dict__, "source": DEFAULT_RUBRIC_FILE.name})


def _load(path: Path) -> Rubric:
    doc = load_located(path, RubricError)
    r = Reader(doc, str(path), RubricError)
    r.mapping(
        (),
        {
            "name",
            "title",
            "weights",
            "wording",
            "effect",
            "calm_band",
            "moments",
            "instead",
            "keep",
            "delivery",
            "no_move",
        },
    )
    r.mapping(("weights",), {"delivery", "wording", "effect"})
    r.mapping(("wording",), {"base", "per_good_move", "per_bad_move"})
    r.mapping(("effect",), {"points_per_agitation"})
    r.mapping(("calm_band",), {"rate_pct", "level_db", "pitch_st", "wpm_low", "wpm_high"})
    r.mapping(("moments",), {"count", "strong_turn", "weak_turn"})
    weights = [r.number(("weights", k), 0.0, 100.0) for k in ("delivery", "wording", "effect")]
    if weights[1] + weights[2] <= 0:
        raise r.fail(
            ("weights",), "wording and effect cannot both weigh 0 (typed replies would score nothing)"
        )
    wpm_low = r.number(("calm_band", "wpm_low"), 40.0, 300.0)
    wpm_high = r.number(("calm_band", "wpm_high"), 40.0, 400.0)
    if wpm_high <= wpm_low:
        raise r.fail(("calm_band", "wpm_high"), f"must be above wpm_low ({wpm_low:g})")
    name = r.text(("name",), limit=80)
    if not all(ch.isalnum() or ch in "-_. " for ch in name):
        raise r.fail(("name",), "use letters, digits, spaces, '-', '_' or '.'")
    return Rubric(
        name=name,
        title=r.text(("title",), default=name, limit=200),
        source=str(path),
        delivery_weight=weights[0],
        wording_weight=weights[1],
        effect_weight=weights[2],
        wording_base=r.number(("wording", "base"), 0.0, 100.0),
        points_per_good_move=r.number(("wording", "per_good_move"), 0.0, 100.0),
        points_per_bad_move=r.number(("wording", "per_bad_move"), 0.0, 100.0),
        effect_points_per_agitation=r.number(("effect", "points_per_agitation"), 0.0, 50.0),
        band_rate_pct=r.number(("calm_band", "rate_pct"), 1.0, 100.0),
        band_level_db=r.number(("calm_band", "level_db"), 0.5, 30.0),
        band_pitch_st=r.number(("calm_band", "pitch_st"), 0.5, 12.0),
        band_wpm_low=wpm_low,
        band_wpm_high=wpm_high,
        moments=int(_whole(r, ("moments", "count"), 1, 10)),
        strong_turn=int(_whole(r, ("moments", "strong_turn"), 0, 100)),
        weak_turn=int(_whole(r, ("moments", "weak_turn"), 0, 100)),
        instead=_table(r, "instead", _INSTEAD_KEYS),
        keep=_table(r, "keep", DEESCALATING_TAGS),
        delivery=_table(r, "delivery", DELIVERY_FLAGS),
        no_move=r.text(("no_move",), limit=400),
    )


def _whole(r: Reader, path: tuple[str, ...], lo: int, hi: int) -> float:
    value = r.number(path, lo, hi)
    if value != int(value):
        raise r.fail(path, "must be a whole number")
    return value


def _table(r: Reader, key: str, allowed: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """A mapping of known keys to advice texts; every allowed key must have one."""
    entries = r.mapping((key,), set(allowed))
    missing = [k for k in allowed if k not in entries]
    if missing:
        raise r.fail((key,), f"missing advice for: {', '.join(missing)}")
    return tuple((k, r.text((key, k), limit=400)) for k in allowed)
