"""A small server-side SVG bar chart (no JavaScript), for printable staff pages."""
from __future__ import annotations

import math
from datetime import date
from typing import Sequence

from markupsafe import Markup, escape

# Drawn at about a phone's width, so the 12 px labels stay 12 px on a 390 px screen; on a wide page
# the chart scales up and so do its labels.
WIDTH, HEIGHT = 360, 150
LEFT, RIGHT, TOP, BOTTOM = 28, 18, 18, 22
LABEL_EVERY = 5  # date labels on every 5th bar, counted back from the last one


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 x 10^k that is >= value (at least 1): a clean top for the axis."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(points: Sequence[tuple[date, int]], *, color: str = "#4a7bb7",
              highlight: str = "#c0392b", label: str = "") -> Markup:
    """Bars per day; the last day (the digest's day) is highlighted and its value printed."""
    top = nice_ceiling(max((v for _, v in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
             f'role="img" aria-label="{escape(label)}">']
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        value = top * fraction
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>')
        if value == int(value):
            parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{int(value)}</text>')
    last = len(points) - 1
    for i, (day, value) in enumerate(points):
        h = plot_h * value / top
        x, y = LEFT + i * slot + slot * 0.15, TOP + plot_h - h
        fill = highlight if i == last else color
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{fill}">'
                     f'<title>{day.month}/{day.day}: {value}</title></rect>')
        if (last - i) % LABEL_EVERY == 0:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
                         f'class="axis">{day.month}/{day.day}</text>')
        if i == last:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                         f'class="value">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
