"""A section's stored figures as the reader sees them: translated titles, headings, labels
and definitions, numbers in the reader's locale, and the chart. Used by the pages, the
exports (headings, labels) and the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from .charts import bar_chart, series_chart
from .figures.base import BLOCKS, Cell, SectionData


@dataclass(frozen=True)
class ShownBlock:
    key: str
    title: str
    definition: str
    columns: list[str]
    rows: list[list[str]]
    raw: list[list[Cell]]
    chart: SafeString | None


def label(value: Cell) -> str:
    """A row's label in the reader's language (names from the data stay as they are)."""
    return gettext(value) if isinstance(value, str) and value else str(value or "")


def shown(value: Cell) -> str:
    """A cell as printed: grouped digits, a Decimal with its own decimals, "—" for a figure
    that is not available, the small-group mark as is."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        places = max(-int(value.as_tuple().exponent), 0)
        return number_format(value, decimal_pos=places, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(value)


def _chart(
    kind: str, columns: list[str], labels: list[str], raw: list[list[Cell]]
) -> SafeString | None:
    if not raw:
        return None
    if kind == "bars":
        return bar_chart(labels, [row[1] for row in raw], [shown(row[1]) for row in raw])
    if kind == "series":
        series = [[row[index] for row in raw] for index in range(1, len(columns))]
        return series_chart(labels, series, columns[1:])
    return None


def present_block(key: str, raw: list[list[Cell]]) -> ShownBlock:
    spec = BLOCKS[key]
    columns = [str(column.label) for column in spec.columns]
    labels = [label(row[0]) for row in raw]
    return ShownBlock(
        key=key,
        title=str(spec.title),
        definition=str(spec.definition),
        columns=columns,
        rows=[[labels[i], *(shown(cell) for cell in row[1:])] for i, row in enumerate(raw)],
        raw=raw,
        chart=_chart(spec.chart, columns, labels, raw),
    )


def present(section: SectionData) -> list[ShownBlock]:
    return [present_block(block.key, block.rows) for block in section.blocks]


def export_rows(section: SectionData) -> list[list[Cell]]:
    """The section as a long table for CSV and XLSX: figure, row, column, value (typed)."""
    rows: list[list[Cell]] = []
    for block in section.blocks:
        spec = BLOCKS[block.key]
        for row in block.rows:
            for column, value in zip(spec.columns[1:], row[1:], strict=False):
                rows.append([str(spec.title), label(row[0]), str(column.label), value])
    return rows
