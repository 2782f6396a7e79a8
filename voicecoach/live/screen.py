"""The terminal screen of a live session: the client's line, their stage, your input level.

A rich ``Live`` display redrawn ~8 times a second when stderr is a terminal; elsewhere (CI, logs)
the plain line-by-line observer of ``practice --replies`` is used instead.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from voicecoach.live.keys import KEYS_HELP
from voicecoach.types import TurnResult

STAGE_COLOURS = {
    "calm": "green",
    "anxious": "yellow",
    "defensive": "dark_orange",
    "agitated": "red",
    "crisis": "bold red",
}
#: The meter spans -60 dBFS (silence) to 0 dBFS (full scale).
METER_FLOOR_DB = -60.0
METER_WIDTH = 40


def level_meter(level_db: float, width: int = METER_WIDTH) -> str:
    """A bar of ``width`` cells filled in proportion to the level between -60 and 0 dBFS."""
    fraction = min(1.0, max(0.0, (level_db - METER_FLOOR_DB) / -METER_FLOOR_DB))
    filled = round(fraction * width)
    return "\u2588" * filled + "\u2591" * (width - filled)


class LiveScreen:
    """A SessionObserver that draws the conversation, plus the listener's level callback."""

    def __init__(self, console: Console, persona_name: str) -> None:
        self.console = console
        self.name = persona_name
        self.stage = "…"
        self.line = ""
        self.you = ""
        self.note = ""
        self.level_db = METER_FLOOR_DB
        self.status = "starting"
        self._lock = threading.Lock()
        self._live = Live(self._render(), console=console, refresh_per_second=8, transient=False)

    def __enter__(self) -> LiveScreen:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._live.__exit__(*exc)

    def _render(self) -> Panel:
        colour = STAGE_COLOURS.get(self.stage, "white")
        body = Group(
            Text.assemble((f"{self.name}: ", "bold"), (self.line, "")),
            Text(""),
            Text.assemble(("You: ", "bold"), (self.you, "")),
            Text(self.note, style="dim"),
            Text(""),
            Text.assemble(("mic ", "dim"), (level_meter(self.level_db), "cyan"), (f"  {self.status}", "dim")),
            Text(KEYS_HELP, style="dim"),
        )
        return Panel(body, title=f"{self.name} · [{colour}]{self.stage}[/]", border_style=colour)

    def _refresh(self) -> None:
        with self._lock:
            self._live.update(self._render())

    def persona_said(self, line: str, stage: str) -> None:
        """Show the client's new line and stage."""
        self.line, self.stage, self.status = line, stage, "client speaking"
        self._refresh()

    def turn_done(self, turn: TurnResult) -> None:
        """Show what the trainee said and what it did."""
        self.you = turn.transcript.text
        delta = turn.update.after.agitation - turn.update.before.agitation
        reasons = "; ".join(str(r) for r in turn.update.reasons[:3])
        self.note = f"calm presence {turn.score.score}/100 · agitation {delta:+.0f} · {reasons}"
        self._refresh()

    def level(self, level_db: float, status: str) -> None:
        """The listener's input level and state (called for every 32 ms frame)."""
        self.level_db, self.status = level_db, status
        self._refresh()
