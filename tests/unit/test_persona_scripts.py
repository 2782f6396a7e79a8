"""Every persona against three scripted trainees: skilled resolves, unskilled escalates, mixed in between.

The scripts in ``tests/scripts/<persona>/`` are plain typed replies, one per line; the integrator's
end-to-end tests feed the same files to ``voicecoach practice --replies``. Here they run through
the pure model twice: once with a small keyword tagger standing in for the wording analyser (so
the persona logic is tested on its own), and once with the real ``analyze_wording`` when it is
installed (so the library keeps working with the analyser it ships with).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from voicecoach.persona.reply import choose_reply
from voicecoach.persona.schema import Persona, list_personas, load_persona, persona_dir
from voicecoach.persona.state import initial_state, next_state
from voicecoach.testing import tone_report
from voicecoach.types import (
    ESCALATING_TAGS,
    Difficulty,
    Effect,
    Evidence,
    StateUpdate,
    Tag,
    Technique,
    ToneReport,
    WordingReport,
)

pytestmark = pytest.mark.unit

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
PERSONAS = sorted(p.stem for p in persona_dir().glob("*.yaml"))
MAX_TURNS = 12  # SessionOptions.max_turns

# A deliberately plain stand-in for the wording analyser: enough patterns to tag the scripts the
# way a listener would, none of the analyser's subtlety. Order does not matter; each tag once.
_FAKE_PATTERNS: dict[Tag, str] = {
    "validation": r"\bsounds? (?:like )?(?:a |so |really )*(?:exhausting|frustrating|scary|awful|hard|rough|"
    r"humiliating|upsetting|stressful|unfair|lonely|overwhelming|miserable|terrifying)\b|"
    r"\bi hear you\b|\bmakes sense\b|\bno wonder\b|\byou(?:'re| are| must be| feel| felt)\b[^.?!]*?\b"
    r"(?:frustrated|scared|angry|upset|worried|exhausted|embarrassed|hurt|shut out|humiliated|sick)\b|"
    r"\bthat(?:'s| is) (?:a lot|hard|awful|scary|so hard)\b|\bworked hard\b|\bit took courage\b",
    "reflection": r"^so you\b|\bit sounds like you\b|\byou(?:'re| are) saying\b|\bwhat i(?:'m| am) hearing\b",
    "open_question": r"^(?:what|how|tell me|help me understand|can you tell me)\b[^.]*",
    "closed_question": r"^(?:do|did|is|are|can|could|was|have|were)\b[^?]*\?",
    "offer_choice": r"\bwould you (?:like|rather|prefer)\b|\bwe could\b|\byou could\b|\bone option\b|"
    r"\bi can (?:call|ask|help|get|set|take|walk)\b|\bwhich would you\b",
    "collaboration": r"\blet's\b|\btogether\b|\bwe can\b",
    "agreement": r"\byou(?:'re| are) right\b|\bi agree\b|\bthat(?:'s| is) fair\b",
    "apology": r"\bi(?:'m| am) (?:really |so )?sorry\b|\bi apologi[sz]e\b",
    "respectful_limit": r"\bi can(?:'t|not)\b[^.]*\bbut\b",
    "command": r"\bcalm down\b|\brelax\b|\bstop\b|\bsit down\b|\blower your voice\b|\byou need to\b|"
    r"\bsettle down\b|\bgo home\b|\bcome back tomorrow\b|\bleave\b",
    "threat": r"\bif you (?:don't|keep|do not)\b[^.]*\b(?:i'll|i will|i'm|you'll)\b|"
    r"\bor (?:else|i'll|i will)\b|"
    r"\bcall(?:ing)? (?:security|the police)\b|\bkick(?:ed)? (?:you )?out\b|\byou'll be (?:discharged|out)\b",
    "blame": r"\byou should have\b|\byour (?:own )?fault\b|\bthat's on you\b|\bbecause you\b|"
    r"\byou did this\b",
    "dismissal": r"\bnot my problem\b|\b(?:not|no) (?:a )?big deal\b|\boverreacting\b|\bwhatever\b|"
    r"\bit's just\b|\bget over\b|\byou'll be fine\b",
    "arguing": r"\bthat's not true\b|\byou're wrong\b|\bthat's not how\b",
    "labeling": r"\byou people\b|\baddicts?\b|\bjunkies?\b|\bdrug[- ]seeking\b|\bdramatic\b|\bliar\b",
    "rule_citing": r"\brules are rules\b|\bthe rules?\b|\bpolicy\b|\bprotocol\b|\bconfidentiality\b",
    "sarcasm": r"\boh,? great\b|\bsure you did\b|\byeah,? right\b|\bgood luck with that\b",
    "profanity": r"\bdamn\b|\bhell\b|\bcrap\b|\bshit\b",
}
_COMPILED = {tag: re.compile(p, re.IGNORECASE) for tag, p in _FAKE_PATTERNS.items()}


def fake_wording(text: str, context: str = "") -> WordingReport:
    """Tag ``text`` with the keyword patterns above; evidence is the matched span."""
    del context
    found = []
    for tag, pattern in _COMPILED.items():
        m = pattern.search(text)
        if m:
            found.append(Technique(tag, Evidence(m.group(0), m.start(), m.end())))
    if any(t.tag == "offer_choice" for t in found):
        found = [t for t in found if t.tag != "closed_question"]  # "would you like...?" is an offer
    bad = sum(t.tag in ESCALATING_TAGS for t in found)
    good = len(found) - bad
    effect: Effect = "escalating" if bad else "deescalating" if good else "neutral"
    return WordingReport(text, effect, float(good - bad), tuple(found))


Analyzer = Callable[[str, str], WordingReport]


def script(persona_id: str, kind: str) -> list[str]:
    """The typed replies of one script (blank lines are silent turns, as in the CLI)."""
    return (SCRIPTS / persona_id / f"{kind}.txt").read_text(encoding="utf-8").splitlines()


def run(
    persona: Persona,
    lines: list[str],
    analyze: Analyzer,
    *,
    tone: ToneReport | None = None,
    difficulty: Difficulty = "standard",
    seed: int = 0,
) -> list[tuple[StateUpdate, str]]:
    """Play a script like the session loop does; stop at the first outcome."""
    rng = random.Random(seed)
    state = initial_state(persona, difficulty)
    said = ""
    out = []
    for line in lines[:MAX_TURNS]:
        wording = analyze(line, said)
        update = next_state(persona, state, wording, tone, max_turns=MAX_TURNS)
        said, state = choose_reply(persona, update, wording, rng)
        out.append((update, said))
        if update.outcome:
            break
    return out


def outcome_of(turns: list[tuple[StateUpdate, str]]) -> str:
    """The session outcome: the last update's, or unresolved when the script ran out first."""
    return turns[-1][0].outcome or "unresolved"


def _real_analyzer() -> Analyzer | None:
    try:
        from voicecoach.analysis.wording import analyze_wording
    except ImportError:
        return None
    return lambda text, context: analyze_wording(text, context=context)


ANALYZERS: dict[str, Analyzer | None] = {"fake": fake_wording, "real": _real_analyzer()}


def _analyzer(name: str) -> Analyzer:
    analyze = ANALYZERS[name]
    if analyze is None:
        pytest.skip("voicecoach.analysis.wording is not in this tree yet")
    return analyze


def test_every_persona_has_three_scripts() -> None:
    assert len(PERSONAS) >= 7
    for pid in PERSONAS:
        for kind in ("skilled", "unskilled", "mixed"):
            lines = script(pid, kind)
            assert 3 <= len(lines) <= MAX_TURNS, f"{pid}/{kind}.txt"


@pytest.mark.parametrize("analyzer", ["fake", "real"])
@pytest.mark.parametrize("pid", PERSONAS)
def test_skilled_trainee_resolves(pid: str, analyzer: str) -> None:
    persona = load_persona(persona_dir() / f"{pid}.yaml")
    turns = run(persona, script(pid, "skilled"), _analyzer(analyzer))
    assert outcome_of(turns) == "resolved", _story(turns)
    assert turns[-1][0].after.agitation < turns[0][0].before.agitation


@pytest.mark.parametrize("analyzer", ["fake", "real"])
@pytest.mark.parametrize("pid", PERSONAS)
def test_unskilled_trainee_escalates(pid: str, analyzer: str) -> None:
    persona = load_persona(persona_dir() / f"{pid}.yaml")
    turns = run(persona, script(pid, "unskilled"), _analyzer(analyzer))
    assert outcome_of(turns) == "escalated", _story(turns)
    assert turns[-1][0].safety_step == persona.safety_step


@pytest.mark.parametrize("analyzer", ["fake", "real"])
@pytest.mark.parametrize("pid", PERSONAS)
def test_mixed_trainee_ends_in_between(pid: str, analyzer: str) -> None:
    persona = load_persona(persona_dir() / f"{pid}.yaml")
    analyze = _analyzer(analyzer)
    mixed = run(persona, script(pid, "mixed"), analyze)
    skilled = run(persona, script(pid, "skilled"), analyze)
    unskilled = run(persona, script(pid, "unskilled"), analyze)
    assert outcome_of(mixed) == "unresolved", _story(mixed)
    end = mixed[-1][0].after.agitation
    assert skilled[-1][0].after.agitation < end < unskilled[-1][0].after.agitation, _story(mixed)


def _story(turns: list[tuple[StateUpdate, str]]) -> str:
    """A readable trace for assertion messages: agitation, stage and reasons per turn."""
    rows = []
    for update, said in turns:
        reasons = "; ".join(str(r) for r in update.reasons)
        rows.append(
            f"{update.before.agitation:5.1f} -> {update.after.agitation:5.1f} {update.after.stage:9} "
            f"{update.outcome or '':10} {reasons} || {said}"
        )
    return "\n" + "\n".join(rows)


def test_loud_fast_delivery_escalates_faster_than_calm_delivery() -> None:
    persona = load_persona(persona_dir() / "marcus.yaml")
    lines = script("marcus", "mixed")
    calm = run(persona, lines, fake_wording, tone=_tone(level=0.0, rate=0.0, pitch=0.0, calm=85))
    loud = run(persona, lines, fake_wording, tone=_tone(level=9.0, rate=30.0, pitch=4.0, calm=30))
    n = min(len(calm), len(loud))
    assert all(loud[i][0].after.agitation > calm[i][0].after.agitation for i in range(n))
    assert any("louder than your baseline" in str(r) for u, _ in loud for r in u.reasons)
    assert any("calm and steady" in str(r) for u, _ in calm for r in u.reasons)


def test_skilled_words_in_a_shouting_voice_do_not_resolve() -> None:
    persona = load_persona(persona_dir() / "marcus.yaml")
    turns = run(persona, script("marcus", "skilled"), fake_wording, tone=_tone(12.0, 40.0, 6.0, 10))
    assert outcome_of(turns) != "resolved", _story(turns)


def test_difficulty_orders_how_hard_a_script_is() -> None:
    persona = load_persona(persona_dir() / "dana.yaml")
    lines = script("dana", "mixed")
    ends = [
        run(persona, lines, fake_wording, difficulty=d)[-1][0].after.agitation
        for d in ("easy", "standard", "hard")
    ]
    assert ends[0] < ends[1] < ends[2]


def test_same_seed_same_session_and_all_personas_load() -> None:
    for persona in list_personas():
        lines = script(persona.id, "mixed")
        a = run(persona, lines, fake_wording, seed=7)
        b = run(persona, lines, fake_wording, seed=7)
        assert [(u, s) for u, s in a] == [(u, s) for u, s in b]


def _tone(level: float, rate: float, pitch: float, calm: int) -> ToneReport:
    return tone_report(level=level, rate=rate, pitch=pitch, calm=calm)
