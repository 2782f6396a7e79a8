"""Inline SVG charts for the HTML reports: pure functions from numbers to an SVG string.

Hand-written SVG keeps ``report.html`` one self-contained file with no plotting dependency and
nothing to fetch. Every text that reaches a chart is escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Colours of the persona stages (CPI / BARS, DOMAIN.md), calm to crisis.
STAGE_COLOURS = {
    "calm": "#e8f5e9",
    "anxious": "#fffde7",
    "defensive": "#fff3e0",
    "agitated": "#ffebee",
    "crisis": "#f3e5f5",
}
_W, _H, _PAD_L, _PAD_B, _PAD_T = 640, 200, 44, 28, 24


def _x(i: int, n: int) -> float:
    return _PAD_L + (i * (_W - _PAD_L - 12) / max(1, n - 1) if n > 1 else (_W - _PAD_L) / 2)


def _y(value: float, lo: float, hi: float) -> float:
    span = hi - lo or 1.0
    return _PAD_T + (hi - value) / span * (_H - _PAD_T - _PAD_B)


def agitation_chart(values: Sequence[float], labels: Sequence[str], bands: Mapping[str, float]) -> Markup:
    """Agitation (0-100) at the opening and after each reply, over the persona's stage bands."""
    edges = [0.0, bands["anxious"], bands["defensive"], bands["agitated"], bands["crisis"], 100.0]
    parts = [_open("Client agitation after each reply, over the stage bands")]
    for (stage, colour), lo, hi in zip(STAGE_COLOURS.items(), edges, edges[1:], strict=False):
        top, bottom = _y(hi, 0, 100), _y(lo, 0, 100)
        parts.append(
            f'<rect class="band band-{stage}" x="{_PAD_L}" y="{top:.1f}" width="{_W - _PAD_L}" '
            f'height="{bottom - top:.1f}" fill="{colour}"/>'
            f'<text x="{_W - 4}" y="{bottom - 4:.1f}" text-anchor="end" class="lbl">{stage}</text>'
        )
    parts.append(_axis_left(0, 100, (0, 25, 50, 75, 100), ""))
    n = len(values)
    points = " ".join(f"{_x(i, n):.1f},{_y(v, 0, 100):.1f}" for i, v in enumerate(values))
    if n:
        parts.append(
            f'<polyline class="line" points="{points}" fill="none" stroke="#1565c0" stroke-width="3"/>'
        )
    for i, (v, label) in enumerate(zip(values, labels, strict=False)):
        parts.append(
            f'<circle cx="{_x(i, n):.1f}" cy="{_y(v, 0, 100):.1f}" r="4" fill="#1565c0">'
            f"<title>{escape(label)}: agitation {v:.0f}</title></circle>"
            f'<text x="{_x(i, n):.1f}" y="{_H - 8}" text-anchor="middle" class="lbl">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Series:
    """One delivery measure per reply, with the calm band to draw behind it."""

    title: str
    unit: str
    values: tuple[float | None, ...]
    #: Calm from..to; ``from`` None: open below (slower, quieter or lower is not tense);
    #: the whole band None when there is no reference to draw it from.
    band: tuple[float | None, float] | None


def band_chart(series: Series, labels: Sequence[str]) -> Markup:
    """Points per reply against the calm band (shaded); a point outside the band is red."""
    known = [v for v in series.values if v is not None]
    edges = [e for e in series.band or () if e is not None] + known
    if not edges:
        return Markup(f'<p class="muted">{escape(series.title)}: not measured.</p>')
    lo, hi = min(edges), max(edges)
    margin = max((hi - lo) * 0.15, 1.0)
    lo, hi = lo - margin, hi + margin
    parts = [_open(f"{series.title} per reply")]
    parts.append(f'<text x="4" y="14" class="lbl">{escape(series.title)} ({escape(series.unit)})</text>')
    if series.band:
        floor = lo if series.band[0] is None else series.band[0]
        top, bottom = _y(series.band[1], lo, hi), _y(floor, lo, hi)
        parts.append(
            f'<rect class="calm-band" x="{_PAD_L}" y="{top:.1f}" width="{_W - _PAD_L}" '
            f'height="{bottom - top:.1f}" fill="#e8f5e9"/>'
            f'<text x="{_W - 4}" y="{top + 12:.1f}" text-anchor="end" class="lbl">calm band</text>'
        )
    parts.append(_axis_left(lo, hi, _ticks(lo, hi), ""))
    n = len(series.values)
    for i, (v, label) in enumerate(zip(series.values, labels, strict=False)):
        parts.append(
            f'<text x="{_x(i, n):.1f}" y="{_H - 8}" text-anchor="middle" class="lbl">{escape(label)}</text>'
        )
        if v is None:
            continue
        inside = series.band is None or (
            (series.band[0] is None or series.band[0] <= v) and v <= series.band[1]
        )
        colour = "#2e7d32" if inside else "#c62828"
        parts.append(
            f'<circle class="{"in" if inside else "out"}" cx="{_x(i, n):.1f}" cy="{_y(v, lo, hi):.1f}" '
            f'r="6" fill="{colour}"><title>{escape(label)}: {v:.1f} {escape(series.unit)}</title></circle>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(label: str) -> str:
    return (
        # Inline SVG in HTML needs no xmlns; leaving it out keeps the page free of any URL.
        f'<svg viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(label)}">'
    )


def _axis_left(lo: float, hi: float, ticks: Sequence[float], unit: str) -> str:
    out = []
    for t in ticks:
        y = _y(t, lo, hi)
        out.append(
            f'<line x1="{_PAD_L}" x2="{_W}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.5"/>'
            f'<text x="{_PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end" class="lbl">{t:g}{unit}</text>'
        )
    return "".join(out)


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if span / s <= 6)
    first = int(lo // step + 1) * step
    return [float(first + k * step) for k in range(int((hi - first) // step) + 1)]


def histogram(values: Sequence[float], bins: Sequence[float], title: str) -> Markup:
    """Counts of ``values`` in consecutive ``bins`` edges (the last bin includes its right edge)."""
    counts = [0] * (len(bins) - 1)
    for v in values:
        for i in range(len(counts)):
            if bins[i] <= v < bins[i + 1] or (i == len(counts) - 1 and v == bins[-1]):
                counts[i] += 1
                break
    top = max([*counts, 1])
    width = (_W - _PAD_L - 12) / max(1, len(counts))
    parts = [_open(title), f'<text x="4" y="14" class="lbl">{escape(title)}</text>']
    parts.append(_axis_left(0, top, _ticks(0, top) if top > 5 else list(range(top + 1)), ""))
    for i, c in enumerate(counts):
        x = _PAD_L + i * width
        y = _y(c, 0, top)
        parts.append(
            f'<rect class="bar" x="{x + 2:.1f}" y="{y:.1f}" width="{width - 4:.1f}" '
            f'height="{_y(0, 0, top) - y:.1f}" fill="#1565c0">'
            f"<title>{bins[i]:g}-{bins[i + 1]:g}: {c}</title></rect>"
            f'<text x="{x + width / 2:.1f}" y="{_H - 8}" text-anchor="middle" class="lbl">{bins[i]:g}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def progress_chart(lines: Mapping[str, Sequence[float]], title: str) -> Markup:
    """One line per trainee: calm presence over their repeated sessions (x = session number)."""
    longest = max([len(v) for v in lines.values()] + [1])
    parts = [_open(title), f'<text x="4" y="14" class="lbl">{escape(title)}</text>']
    parts.append(_axis_left(0, 100, (0, 25, 50, 75, 100), ""))
    palette = ("#1565c0", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#455a64")
    for k, (name, values) in enumerate(sorted(lines.items())):
        colour = palette[k % len(palette)]
        pts = " ".join(f"{_x(i, longest):.1f},{_y(v, 0, 100):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline class="trainee" points="{pts}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(name)}</title></polyline>"
        )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{_x(i, longest):.1f}" cy="{_y(v, 0, 100):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)}, session {i + 1}: {v:.0f}</title></circle>"
            )
    for i in range(longest):
        parts.append(
            f'<text x="{_x(i, longest):.1f}" y="{_H - 8}" text-anchor="middle" class="lbl">{i + 1}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
