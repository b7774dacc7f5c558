"""Charts drawn on the server as inline SVG, from local code only (no script, no CDN): bars
for a distribution, grouped columns for a monthly series. Each chart is decorative for
assistive technology (aria-hidden): the same numbers are in the table under it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1d5c63", "#9bb8bb", "#c7792b")
ROW, LABEL_WIDTH, BAR_WIDTH, WIDTH = 24, 220, 340, 660


def _number(value: object) -> Decimal:
    return (
        Decimal(value)
        if isinstance(value, int | Decimal) and not isinstance(value, bool)
        else Decimal(0)
    )


def _svg(width: int, height: int, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text in body went through escape()
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'focusable="false">{"".join(body)}</svg>'
    )


def bar_chart(labels: Sequence[str], values: Sequence[object], shown: Sequence[str]) -> SafeString:
    """Horizontal bars, one per label, scaled to the largest value; `shown` are the values
    as the table prints them."""
    numbers = [_number(value) for value in values]
    top = max(numbers, default=Decimal(0)) or Decimal(1)
    body = []
    for index, (label, number, text) in enumerate(zip(labels, numbers, shown, strict=True)):
        y = index * ROW
        length = int(BAR_WIDTH * max(number, Decimal(0)) / top)
        body.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end" font-size="12">'
            f"{escape(label[:34])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW - 8}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 16}" font-size="12">'
            f"{escape(text)}</text>"
        )
    return _svg(WIDTH, max(len(labels), 1) * ROW, body)


def series_chart(
    labels: Sequence[str], series: Sequence[Sequence[object]], names: Sequence[str]
) -> SafeString:
    """Grouped columns: one group per label (month), one column per series, with a legend."""
    height, base, left = 220, 180, 10
    numbers = [[_number(value) for value in values] for values in series]
    top = max((n for values in numbers for n in values), default=Decimal(0)) or Decimal(1)
    group = (WIDTH - left) // max(len(labels), 1)
    column = max((group - 6) // max(len(series), 1), 2)
    body = []
    for index, label in enumerate(labels):
        x = left + index * group
        for rank, values in enumerate(numbers):
            size = int((base - 10) * max(values[index], Decimal(0)) / top)
            body.append(
                f'<rect x="{x + rank * column}" y="{base - size}" width="{column - 1}" '
                f'height="{size}" fill="{COLOURS[rank % len(COLOURS)]}"/>'
            )
        body.append(
            f'<text x="{x + group // 2}" y="{base + 14}" text-anchor="middle" font-size="11">'
            f"{escape(label[:3])}</text>"
        )
    for rank, name in enumerate(names):
        x = left + rank * 200
        body.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" '
            f'fill="{COLOURS[rank % len(COLOURS)]}"/>'
            f'<text x="{x + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>'
        )
    return _svg(WIDTH, height, body)


def line_chart(labels: Sequence[str], values: Sequence[object], name: str) -> SafeString:
    """A line through one value per label (a balance over the months), negative values below
    a zero line, with a legend."""
    height, top_margin, base_margin, left = 220, 10, 40, 10
    numbers = [_number(value) for value in values]
    high = max([*numbers, Decimal(0)])
    low = min([*numbers, Decimal(0)])
    span = (high - low) or Decimal(1)
    plot = height - top_margin - base_margin
    step = (WIDTH - 2 * left) // max(len(labels), 1)

    def y(value: Decimal) -> int:
        return top_margin + int(plot * (high - value) / span)

    points = " ".join(
        f"{left + index * step + step // 2},{y(number)}" for index, number in enumerate(numbers)
    )
    body = [
        f'<line x1="{left}" y1="{y(Decimal(0))}" x2="{WIDTH - left}" y2="{y(Decimal(0))}" '
        f'stroke="{COLOURS[1]}" stroke-dasharray="4 3"/>',
        f'<polyline points="{points}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>',
    ]
    for index, (label, number) in enumerate(zip(labels, numbers, strict=True)):
        x = left + index * step + step // 2
        body.append(f'<circle cx="{x}" cy="{y(number)}" r="3" fill="{COLOURS[0]}"/>')
        body.append(
            f'<text x="{x}" y="{height - base_margin + 14}" text-anchor="middle" '
            f'font-size="11">{escape(label[:3])}</text>'
        )
    body.append(
        f'<rect x="{left}" y="{height - 14}" width="10" height="10" fill="{COLOURS[0]}"/>'
        f'<text x="{left + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>'
    )
    return _svg(WIDTH, height, body)
