"""Server-side SVG: a year's heat map of papers per day, and papers per month."""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

_CELL, _GAP = 24, 3
_STEP = _CELL + _GAP
_MONTH_H = 40 + 6 * _STEP


def heat_levels(counts: Sequence[int], levels: int = 4) -> list[int]:
    """Thresholds splitting the non-zero counts into `levels` classes of similar size, so that
    a year with one huge day still shows its texture."""
    values = sorted(n for n in counts if n > 0)
    if not values:
        return []
    return [values[min(len(values) - 1, (len(values) * k) // levels)] for k in range(1, levels)]


def level_of(n: int, thresholds: Sequence[int]) -> int:
    if n <= 0:
        return 0
    return 1 + sum(n >= t for t in thresholds)


def year_heatmap(year: int, counts: Mapping[date, int], href: Callable[[date], str]) -> Markup:
    """Twelve month calendars (weeks from Monday), each day shaded by its paper count.

    One small SVG per month, laid out by CSS grid: four months a row on a wide screen, two
    on a phone, each readable at its own size.
    """
    thresholds = heat_levels(list(counts.values()))
    months = "".join(_month_svg(year, m, counts, thresholds, href) for m in range(1, 13))
    return Markup(
        f'<div class="heatmap" role="group" aria-label="Papers per day in {year}">'
        f"{months}</div>{_legend(thresholds)}"
    )


def _month_svg(
    year: int,
    month: int,
    counts: Mapping[date, int],
    thresholds: Sequence[int],
    href: Callable[[date], str],
) -> str:
    out = [f'<svg class="monthcal" viewBox="0 0 {7 * _STEP} {_MONTH_H}" role="img" '
           f'aria-label="{calendar.month_name[month]} {year}">',
           f'<text class="month" x="0" y="14">{calendar.month_name[month]}</text>']  # fmt: skip
    for i, name in enumerate("MTWTFSS"):
        out.append(f'<text class="wd" x="{i * _STEP + _CELL / 2}" y="34">{name}</text>')
    first_col = date(year, month, 1).weekday()
    for d in range(1, calendar.monthrange(year, month)[1] + 1):
        day = date(year, month, d)
        slot = first_col + d - 1
        out.append(
            _day_cell(day, (slot % 7) * _STEP, 40 + (slot // 7) * _STEP, counts, thresholds, href)
        )
    out.append("</svg>")
    return "".join(out)


def _day_cell(
    day: date,
    x: int,
    y: int,
    counts: Mapping[date, int],
    thresholds: Sequence[int],
    href: Callable[[date], str],
) -> str:
    n = counts.get(day, 0)
    label = f"{day:%a} {day.day} {day:%b %Y}: {n:,} paper{'s' if n != 1 else ''}"
    cell = (
        f'<rect class="c l{level_of(n, thresholds)}" x="{x}" y="{y}" width="{_CELL}" '
        f'height="{_CELL}" rx="4"/><text class="dn" x="{x + _CELL / 2}" y="{y + 16}">'
        f"{day.day}</text><title>{escape(label)}</title>"
    )
    return f'<a href="{escape(href(day))}" class="day">{cell}</a>' if n else cell


def _legend(thresholds: Sequence[int]) -> str:
    bounds = [1, *thresholds]
    labels = ["none"] + [
        f"{lo:,}+" if i == len(bounds) - 1 else f"{lo:,}–{max(lo, bounds[i + 1] - 1):,}"
        for i, lo in enumerate(bounds)
    ]
    out = [f'<svg class="legend" viewBox="0 0 {5 * 86} 16" role="img" aria-label="Legend">']
    for i, label in enumerate(labels[:5]):
        out.append(
            f'<rect class="c l{i}" x="{i * 86}" y="1" width="14" height="14" rx="3"/>'
            f'<text x="{i * 86 + 19}" y="12.5">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def nice_step(top: float, ticks: int = 4) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) giving about `ticks` lines."""
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


@dataclass(frozen=True, slots=True)
class _Frame:
    """Geometry of the monthly plot, in SVG units."""

    width: int = 900
    height: int = 260
    left: int = 48
    bottom: int = 24
    top: int = 10

    @property
    def plot_w(self) -> int:
        return self.width - self.left - 8

    @property
    def plot_h(self) -> int:
        return self.height - self.bottom - self.top

    @property
    def base(self) -> int:
        return self.top + self.plot_h


def month_plot(months: Mapping[tuple[int, int], int], href: Callable[[int], str]) -> Markup:
    """Papers per month over the whole span as bars, a gridline scale and year labels."""
    if not months:
        return Markup("")
    series = _month_series(min(months), max(months))
    frame = _Frame()
    step = nice_step(max(months.values()))
    scale = max(step * math.ceil(max(months.values()) / step), 1)
    out = [
        f'<svg class="months" viewBox="0 0 {frame.width} {frame.height}" role="img" '
        'aria-label="Papers per month">',
        *_gridlines(frame, scale, step),
        *_bars(frame, series, months, scale, href),
        "</svg>",
    ]
    return Markup("".join(out))


def _month_series(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    start, end = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    return [(k // 12, k % 12 + 1) for k in range(start, end + 1)]


def _gridlines(frame: _Frame, scale: int, step: int) -> list[str]:
    out = []
    for tick in range(0, scale + 1, step):
        y = frame.base - frame.plot_h * tick / scale
        out.append(
            f'<line class="grid" x1="{frame.left}" x2="{frame.width - 8}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/><text class="tick" x="{frame.left - 6}" '
            f'y="{y + 4:.1f}">{tick:,}</text>'
        )
    return out


def _bars(
    frame: _Frame,
    series: Sequence[tuple[int, int]],
    months: Mapping[tuple[int, int], int],
    scale: int,
    href: Callable[[int], str],
) -> list[str]:
    bar = frame.plot_w / len(series)
    years = len({y for y, _ in series})
    every = 1 if years <= 12 else 2 if years <= 24 else 5
    out = []
    for i, (y, m) in enumerate(series):
        n = months.get((y, m), 0)
        x = frame.left + i * bar
        h = frame.plot_h * n / scale
        if n:
            out.append(
                f'<a href="{escape(href(y))}"><rect class="bar" x="{x + bar * 0.1:.2f}" '
                f'y="{frame.base - h:.2f}" width="{max(bar * 0.8, 0.6):.2f}" '
                f'height="{h:.2f}"/><title>{calendar.month_abbr[m]} {y}: {n:,} papers</title></a>'
            )
        if m == 1 or i == 0:
            out.append(
                f'<line class="yr" x1="{x:.1f}" x2="{x:.1f}" y1="{frame.base}" '
                f'y2="{frame.base + 5}"/>'
            )
            if y % every == 0:
                out.append(f'<text class="year" x="{x:.1f}" y="{frame.height - 6}">{y}</text>')
    return out
