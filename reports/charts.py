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
