"""Plain-words reasons for the moves the wording analyser finds.

Reasons are what a trainee reads in the report ("+8: 'calm down' is an order; being told what to
do pushes back", "−6: you named his feelings ('that sounds exhausting')"), so they say what the
move did to *this* person, in the persona's own pronouns, and quote the trainee's words.
"""

from __future__ import annotations

from voicecoach.persona.schema import Persona
from voicecoach.types import Tag


def _quote(evidence: str, limit: int = 48) -> str:
    """Evidence short enough to read inside a reason; long reflections are cut at a word."""
    if len(evidence) <= limit:
        return evidence
    return evidence[:limit].rsplit(" ", 1)[0] + "…"


def escalating_text(tag: Tag, evidence: str, persona: Persona) -> str:
    """Why an escalating move pushed agitation up, quoting the trainee's words."""
    him, his, name = persona.object_pronoun, persona.possessive, persona.name
    said = f"'{_quote(evidence)}'" if evidence else "that"
    return {
        "threat": f"{said} sounds like a threat, and {name} will remember it",
        "command": f"{said} is an order; being told what to do pushes back",
        "blame": f"{said} puts the blame on {him}",
        "labeling": f"{said} labels {him} instead of the problem",
        "dismissal": f"{said} brushes off what {persona.they('feels', 'feel')}",
        "sarcasm": f"{said} sounds sarcastic",
        "arguing": f"{said} argues with {him} instead of hearing {him}",
        "rule_citing": f"{said} hides behind the rules",
        "profanity": f"{said}: swearing raises the temperature",
    }.get(tag, f"{said} pushed {his} buttons")


def calming_text(tag: Tag, evidence: str, persona: Persona) -> str:
    """Why a calming move brought agitation down, quoting the trainee's words."""
    his, pron = persona.possessive, persona.pronoun
    said = f" ('{_quote(evidence)}')" if evidence else ""
    return {
        "validation": f"you named {his} feelings{said}",
        "reflection": f"you reflected back what {pron} said{said}",
        "open_question": f"you asked {his} side with an open question{said}",
        "offer_choice": f"you offered a choice{said}",
        "collaboration": f"you made it something to work out together{said}",
        "agreement": f"you agreed with what is true in what {pron} said{said}",
        "apology": f"you apologised{said}",
        "respectful_limit": f"you set a clear limit without a threat{said}",
    }.get(tag, f"that helped{said}")
