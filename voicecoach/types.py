"""Every piece of data that flows between VoiceCoach's stages.

Read this module first: it is the map of the system. A trainee's reply travels as

    AudioClip --transcribe--> Transcript
              --analyze_tone--> ToneReport        (None for typed replies)
    Transcript --analyze_wording--> WordingReport
    (PersonaState, WordingReport, ToneReport) --next_state--> StateUpdate
    (Persona, StateUpdate, WordingReport) --choose_reply--> persona line
    everything above --> TurnResult; all turns --> SessionReport

All of these are frozen dataclasses; stages are pure functions over them. Only the ports
(``voicecoach.ports``) touch devices, models and files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

#: Sample rate every stage works at; clips are resampled to it at the edge (``audio.clip``).
#: 16 kHz is what Whisper and Silero VAD expect, and it keeps pitch up to 8 kHz harmonics.
ANALYSIS_RATE = 16_000

Tag = Literal[
    "validation",
    "reflection",
    "open_question",
    "closed_question",
    "offer_choice",
    "collaboration",
    "agreement",
    "apology",
    "respectful_limit",
    "command",
    "threat",
    "blame",
    "dismissal",
    "arguing",
    "labeling",
    "rule_citing",
    "sarcasm",
    "profanity",
]

#: Tags that move a conversation toward calm (or at least do not inflame it).
DEESCALATING_TAGS: tuple[Tag, ...] = (
    "validation",
    "reflection",
    "open_question",
    "offer_choice",
    "collaboration",
    "agreement",
    "apology",
    "respectful_limit",
)
#: ``closed_question`` is neither: it is counted for MI ratios but moves nothing by itself.
#: Tags every source in DOMAIN.md names as escalating.
ESCALATING_TAGS: tuple[Tag, ...] = (
    "command",
    "threat",
    "blame",
    "dismissal",
    "arguing",
    "labeling",
    "rule_citing",
    "sarcasm",
    "profanity",
)
#: The fixed tag set of the public JSON, in documentation order.
ALL_TAGS: tuple[Tag, ...] = get_args(Tag)

Effect = Literal["deescalating", "escalating", "neutral"]
#: Persona stages after the CPI Crisis Development Model and the BARS scale (DOMAIN.md).
Stage = Literal["calm", "anxious", "defensive", "agitated", "crisis"]
STAGES: tuple[Stage, ...] = ("calm", "anxious", "defensive", "agitated", "crisis")
Outcome = Literal["resolved", "escalated", "unresolved"]
#: Difficulty levels: starting agitation and sensitivity (``persona.state.DIFFICULTY``).
Difficulty = Literal["easy", "standard", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "standard", "hard")
#: What the persona heard the trainee do, in the words a reply is chosen by (``persona.reply``).
ReactionKind = Literal[
    "threatened",
    "triggered",
    "commanded",
    "blamed",
    "ruled",
    "dismissed",
    "swore",
    "need_met",
    "apologized",
    "validated",
    "offered",
    "asked",
    "agreed",
    "silent",
]
REACTION_KINDS: tuple[ReactionKind, ...] = get_args(ReactionKind)
BaselineSource = Literal["trainee", "population"]


@dataclass(frozen=True, eq=False)
class AudioClip:
    """Mono float32 samples in [-1, 1] at ``sample_rate`` Hz."""

    samples: npt.NDArray[np.float32]
    sample_rate: int

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing in seconds from the start of the clip."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    """What the speech recogniser heard, with the options that produced it."""

    text: str
    words: tuple[Word, ...] = ()
    model: str = ""
    beam_size: int = 1

    @property
    def word_count(self) -> int:
        """Number of words, from the word timings when present, else from the text."""
        return len(self.words) if self.words else len(self.text.split())


@dataclass(frozen=True, eq=False)
class Reply:
    """One trainee reply as it arrives: spoken (``clip``) or typed (``text``), named by ``label``.

    ``label`` says where it came from (a file name, "microphone turn 3") for messages and reports.
    """

    label: str
    clip: AudioClip | None = None
    text: str | None = None
    #: Already transcribed (and tone-analysed) while the trainee was still speaking (the live
    #: loop works ahead on each pause); else None.
    transcript: Transcript | None = None
    tone: ToneReport | None = None
    #: Monotonic clock readings from the live loop: "last_voice" (the last voiced sample
    #: arrived), "end_detected", "transcribed". Empty for recorded replies.
    times: dict[str, float] = field(default_factory=dict)
    #: The trainee started speaking while the persona was still talking.
    barge_in: bool = False
    #: The trainee went on within moments of the previous reply's end: this reply is the previous
    #: one and its continuation heard as one (the session replaces that turn with it).
    continues: bool = False


@dataclass(frozen=True)
class ToneFlag:
    """One finding about delivery: a stable ``code`` and the plain-words ``message``."""

    code: str
    message: str


@dataclass(frozen=True)
class Baseline:
    """A trainee's calm delivery, measured from a reading passage (``voicecoach calibrate``)."""

    level_dbfs: float
    pitch_hz_median: float
    articulation_rate_sps: float
    wpm: float | None = None
    trainee: str = ""
    source_file: str = ""


@dataclass(frozen=True)
class ToneReport:
    """How a reply sounded. Fields are ``None`` where the audio did not allow a measurement."""

    duration_s: float
    speech_s: float
    words: int
    wpm: float | None
    articulation_rate_sps: float | None
    pause_count: int
    mean_pause_s: float | None
    level_dbfs: float | None
    level_range_db: float | None
    pitch_hz_median: float | None
    pitch_spread_st: float | None
    rising_end_ratio: float | None
    snr_db: float | None
    level_db_vs_baseline: float | None
    pitch_st_vs_baseline: float | None
    rate_pct_vs_baseline: float | None
    rate_trend_pct: float | None
    clipped_ratio: float
    baseline: BaselineSource
    calm_score: int
    flags: tuple[ToneFlag, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form (field names are a documented contract)."""
        out: dict[str, Any] = {
            name: _round(getattr(self, name)) for name in self.__dataclass_fields__ if name != "flags"
        }
        out["flags"] = [f.code for f in self.flags]
        out["flag_messages"] = [f.message for f in self.flags]
        return out


@dataclass(frozen=True)
class Evidence:
    """The words that triggered a finding: ``text == utterance[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Technique:
    """One de-escalation move (or anti-move) found in an utterance."""

    tag: Tag
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"tag", "evidence", "start", "end"}``."""
        return {
            "tag": self.tag,
            "evidence": self.evidence.text,
            "start": self.evidence.start,
            "end": self.evidence.end,
        }


@dataclass(frozen=True)
class WordingReport:
    """What the words did: the moves found, their overall effect and a signed score."""

    text: str
    effect: Effect
    score: float
    techniques: tuple[Technique, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def tags(self) -> frozenset[Tag]:
        """The distinct tags found."""
        return frozenset(t.tag for t in self.techniques)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form."""
        return {
            "effect": self.effect,
            "score": round(self.score, 2),
            "techniques": [t.to_dict() for t in self.techniques],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Reason:
    """Why agitation moved: a signed change and a sentence the trainee can read."""

    delta: float
    text: str

    def __str__(self) -> str:
        sign = "+" if self.delta >= 0 else "\u2212"
        size = abs(self.delta)
        # Whole points read best; a small scaled move keeps one decimal rather than showing "+0".
        shown = f"{size:.0f}" if size >= 0.95 else f"{size:.1f}"
        return f"{sign}{shown}: {self.text}"


@dataclass(frozen=True)
class PersonaState:
    """Everything the persona remembers between turns. Pure data; see ``persona.state``."""

    agitation: float
    stage: Stage
    turn: int = 0
    trust: float = 1.0
    calm_turns: int = 0
    needs_met: frozenset[str] = frozenset()
    threatened: bool = False
    phrase_counts: tuple[tuple[str, int], ...] = ()
    lines_used: tuple[str, ...] = ()
    difficulty: Difficulty = "standard"
    silent_turns: int = 0
    #: Needs whose concrete words (a ride, a bed tonight) the trainee said in the last reply, so
    #: "Let's make that call together" right after offering the ride line meets the need.
    just_mentioned: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StateUpdate:
    """One turn's move of the persona: the new state, why it moved, and how things stand."""

    before: PersonaState
    after: PersonaState
    reasons: tuple[Reason, ...]
    outcome: Outcome | None = None
    #: What the persona heard, most provoking first; ``persona.reply`` answers the first it can.
    cues: tuple[Cue, ...] = ()
    #: Set when ``outcome == "escalated"``: what a specialist should do now (from the persona file).
    safety_step: str | None = None


@dataclass(frozen=True)
class TurnScore:
    """Calm presence for one turn, 0–100, with the reasons behind it."""

    score: int
    delivery: int | None
    wording: int
    effect: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class TurnResult:
    """Everything that happened in one exchange."""

    index: int
    transcript: Transcript
    tone: ToneReport | None
    wording: WordingReport
    update: StateUpdate
    persona_reply: str
    score: TurnScore
    audio_file: str | None = None
    persona_audio_file: str | None = None
    #: When the reply started in the session's recording (persona lines and replies end to end),
    #: in seconds; None when unknown (a session kept in memory only).
    start_s: float | None = None
    #: Live loop only: seconds spent on each step after the trainee's last voiced sample.
    latency: dict[str, float] | None = None
    barge_in: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form of one turn (field names are a documented contract)."""
        return {
            "index": self.index,
            "transcript": self.transcript.text,
            "tone": self.tone.to_dict() if self.tone else None,
            "wording": self.wording.to_dict(),
            "agitation_before": round(self.update.before.agitation, 1),
            "agitation_after": round(self.update.after.agitation, 1),
            "stage": self.update.after.stage,
            "reasons": [str(r) for r in self.update.reasons],
            "persona_reply": self.persona_reply,
            "calm_presence": self.score.score,
            "calm_presence_reasons": list(self.score.reasons),
            "audio_file": self.audio_file,
            "persona_audio_file": self.persona_audio_file,
            "start_s": None if self.start_s is None else round(self.start_s, 2),
            "latency": None if self.latency is None else {k: round(v, 3) for k, v in self.latency.items()},
            "barge_in": self.barge_in,
        }


@dataclass(frozen=True)
class SessionReport:
    """A whole practice session: the contract behind ``session.json`` and ``--json``."""

    persona: str
    outcome: Outcome
    calm_presence: int
    turns: tuple[TurnResult, ...]
    opening_line: str
    calm_presence_reasons: tuple[str, ...] = ()
    baseline: BaselineSource = "population"
    safety_step: str | None = None  # what a specialist should do now, when the client escalated
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form."""
        return {
            "persona": self.persona,
            "outcome": self.outcome,
            "calm_presence": self.calm_presence,
            "calm_presence_reasons": list(self.calm_presence_reasons),
            "baseline": self.baseline,
            "opening_line": self.opening_line,
            "safety_step": self.safety_step,
            "turns": [t.to_dict() for t in self.turns],
            "settings": self.settings,
        }


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    return value


@dataclass(frozen=True)
class Cue:
    """One thing the persona heard this turn and may answer: a kind and the trainee's words.

    ``echo`` is the trainee's own phrase (``"calm down"``) so a reply can throw it back
    ("Don't tell me to calm down!"); empty when there is nothing to echo.
    """

    kind: ReactionKind
    echo: str = ""


@dataclass(frozen=True)
class VoiceSettings:
    """How the persona's voice sounds at a stage, as multipliers of the synthesiser's defaults.

    The TTS adapter multiplies pyttsx3's ``rate`` and ``volume`` (and espeak's pitch where the
    driver allows it) by these. They rise with agitation: anger raises rate, loudness and F0
    (Banse & Scherer 1996, DOMAIN.md).
    """

    rate: float = 1.0
    volume: float = 1.0
    pitch: float = 1.0
    gender: Literal["male", "female", "neutral"] = "neutral"


#: How a reflection-to-question ratio rates against MITI 4.2.1 (1:1 fair, 2:1 good).
MitiRating = Literal["good", "fair", "low", "n/a"]


@dataclass(frozen=True)
class MICounts:
    """A session's motivational-interviewing counts (MITI 4.2.1) and Project BETA domains shown.

    ``reflection_to_question`` is ``None`` when no question was asked (then any reflection rates
    "good", and no reflection rates "n/a"). ``talk_share`` is the trainee's share of all words.
    """

    turns: int
    open_questions: int
    closed_questions: int
    reflections: int
    reflection_to_question: float | None
    ratio_rating: MitiRating
    percent_open_questions: float | None
    trainee_words: int
    persona_words: int
    talk_share: float | None
    beta_domains: tuple[str, ...] = ()
    beta_domains_missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form (field names are a documented contract)."""
        out: dict[str, Any] = {name: _round(getattr(self, name)) for name in self.__dataclass_fields__}
        out["beta_domains"] = list(self.beta_domains)
        out["beta_domains_missing"] = list(self.beta_domains_missing)
        return out
