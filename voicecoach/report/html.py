"""``report.html``: one self-contained file (styles, charts and audio inline; no network).

A pure function of ``session.json``'s data (with its ``feedback`` section) and the session's
audio bytes. Jinja2 autoescapes every value and the charts escape their own labels, so a
transcript containing ``<script>`` renders as text; the page's Content-Security-Policy allows no
script and no fetch at all, so even a missed escape could not run or phone home.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from voicecoach.feedback.build import DEFAULT_STAGE_BANDS
from voicecoach.feedback.moments import clock
from voicecoach.report.highlight import pieces, tag_class
from voicecoach.report.markdown import BARGE_IN_NOTE, OUTCOME_WORDS
from voicecoach.report.plots import Series, agitation_chart, band_chart

_ENV = Environment(
    loader=PackageLoader("voicecoach.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _data_uri(data: bytes) -> str:
    return "data:audio/wav;base64," + base64.b64encode(data).decode("ascii")


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def delivery_series(
    turns: Sequence[Mapping[str, Any]], baseline: str, band: Mapping[str, float]
) -> list[Series]:
    """Pace, loudness and pitch per reply, against the calm band of the rubric.

    With a trainee baseline the measures are relative to it and the band reaches up to the
    rubric's thresholds (DOMAIN.md starting thresholds: +15% rate, +6 dB, +3 st); it is open below,
    since "calm, low and slow" is the guidance and slower, quieter or lower is not tense.
    Without one, pace is shown in words
    per minute against the population band, and loudness and pitch in raw units with no band
    (raw dBFS depends on the microphone's gain, DOMAIN.md).
    """
    tones = [t.get("tone") or {} for t in turns]

    def col(key: str) -> tuple[float | None, ...]:
        return tuple(_num(tone.get(key)) for tone in tones)

    if baseline == "trainee":
        rate, level, pitch = band["rate_pct"], band["level_db"], band["pitch_st"]
        return [
            Series("Pace vs your calm pace", "%", col("rate_pct_vs_baseline"), (None, rate)),
            Series("Loudness vs your calm level", "dB", col("level_db_vs_baseline"), (None, level)),
            Series("Pitch vs your calm pitch", "st", col("pitch_st_vs_baseline"), (None, pitch)),
        ]
    return [
        Series("Pace", "wpm", col("wpm"), (band["wpm_low"], band["wpm_high"])),
        Series("Loudness (no baseline: no calm band)", "dBFS", col("level_dbfs"), None),
        Series("Pitch (no baseline: no calm band)", "Hz", col("pitch_hz_median"), None),
    ]


def _techniques(turn: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    wording = turn.get("wording")
    return list(wording.get("techniques") or []) if isinstance(wording, Mapping) else []


class _DataUris(Mapping[str, str]):
    """``audio`` as data URIs, each encoded only when the template writes its player."""

    def __init__(self, audio: Mapping[str, bytes]) -> None:
        self._audio = audio

    def __getitem__(self, name: str) -> str:
        return _data_uri(self._audio[name])

    def __contains__(self, name: object) -> bool:
        return name in self._audio  # without encoding it

    def __iter__(self) -> Iterator[str]:
        return iter(self._audio)

    def __len__(self) -> int:
        return len(self._audio)


def render_html(session: Mapping[str, Any], audio: Mapping[str, bytes]) -> str:
    """The HTML report for one session; ``audio`` maps file names in session.json to WAV bytes."""
    return "".join(html_chunks(session, audio))


def html_chunks(session: Mapping[str, Any], audio: Mapping[str, bytes]) -> Iterator[str]:
    """The HTML report in pieces, for writing straight to a file.

    A long session embeds hundreds of recordings: streamed, with ``audio`` reading each file
    only when asked, one recording at a time is in memory instead of all of them, their base64
    form and the whole page (a 200-turn session peaked at twice the live loop's memory).
    """
    feedback: Mapping[str, Any] = session.get("feedback") or {}
    turns: list[Mapping[str, Any]] = [t for t in session.get("turns", []) if isinstance(t, Mapping)]
    starts = list(feedback.get("turn_starts") or [t.get("start_s") for t in turns])
    labels = [f"{t.get('index')}" for t in turns]
    values = [float(turns[0].get("agitation_before") or 0)] if turns else []
    values += [float(t.get("agitation_after") or 0) for t in turns]
    band = feedback.get("calm_band") or {
        "rate_pct": 15.0,
        "level_db": 6.0,
        "pitch_st": 3.0,
        "wpm_low": 100.0,
        "wpm_high": 190.0,
    }
    spoken = any(t.get("tone") for t in turns)
    charts = (
        [band_chart(s, labels) for s in delivery_series(turns, str(session.get("baseline")), band)]
        if spoken
        else []
    )
    notes = list(feedback.get("notes") or [])
    template = _ENV.get_template("report.html.j2")
    return template.generate(
        s=session,
        fb=feedback,
        outcome_text=OUTCOME_WORDS.get(str(session.get("outcome")), str(session.get("outcome"))),
        barge_in_note=BARGE_IN_NOTE,
        audio=_DataUris(audio),
        agitation=agitation_chart(
            values, ["start", *labels], feedback.get("stage_bands") or DEFAULT_STAGE_BANDS
        ),
        charts=charts,
        turns=[
            {
                "t": t,
                "pieces": pieces(
                    str(t.get("transcript") or ""), (t.get("wording") or {}).get("techniques") or []
                ),
                "time": clock(_num(starts[i]) if i < len(starts) else None),
                "notes": [n for n in notes if n.get("turn") == t.get("index")],
            }
            for i, t in enumerate(turns)
        ],
        session_notes=[n for n in notes if n.get("turn") is None],
        tag_class=tag_class,
    )
