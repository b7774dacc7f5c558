"""What the yearly reports (activity report, cooperative-principles report) share: the figures
of a year read from the same snapshots as the dashboards (or computed by the same selectors
when a section has none yet), a figure looked up by its label, and the rendering of a report
template to PDF in the report's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from core.dates import format_day
from core.pdf import render_html_to_pdf
from members.models import LegalEntity
from members.pdf import COOPERATIVE_CODE

from .figures import Scope, SectionData, compute
from .figures.base import BLOCKS, HEADLINE_COLUMNS, Cell
from .presentation import ShownBlock, present_block, shown
from .selectors import snapshot_sections

LANGUAGES = ("fr", "nl", "en")


@dataclass(frozen=True)
class YearFigures:
    """The sections of a year for the whole cooperative, as the dashboards show them."""

    year: int
    sections: dict[str, SectionData]

    def rows(self, block: str) -> list[list[Cell]]:
        """The rows of the block `block` (block keys are unique across sections)."""
        for section in self.sections.values():
            for candidate in section.blocks:
                if candidate.key == block:
                    return candidate.rows
        raise KeyError(block)

    def value(self, label: str, block: str = "", column: int = 1) -> Cell:
        """The cell of the row labelled `label` (its msgid) in `block`, by default in the
        first headline block that has it: this year's figure, or another column's."""
        blocks = [block] if block else self._headlines()
        for key in blocks:
            for row in self.rows(key):
                if row[0] == label:
                    return row[column]
        raise KeyError(label)

    def shown(self, label: str, block: str = "", column: int = 1) -> str:
        return shown(self.value(label, block, column))

    def block(self, block: str) -> ShownBlock:
        """A block as the page shows it (translated, numbers in the active locale, chart)."""
        return present_block(block, self.rows(block))

    def _headlines(self) -> list[str]:
        return [
            b.key
            for section in self.sections.values()
            for b in section.blocks
            if BLOCKS[b.key].columns == HEADLINE_COLUMNS
        ]

    @property
    def period_end(self) -> date:
        return next(iter(self.sections.values())).period.end


def year_figures(year: int, keys: tuple[str, ...], today: date) -> YearFigures:
    """The sections `keys` of `year` for the whole cooperative: the stored snapshots (the
    numbers of the dashboards), each missing one computed now by its selector."""
    stored = snapshot_sections(year=year, scope=Scope())
    sections = {
        key: stored[key].data
        if key in stored
        else compute(key, year=year, today=today, scope=Scope())
        for key in keys
    }
    return YearFigures(year, sections)


def cooperative_name() -> str:
    entity = LegalEntity.objects.filter(code=COOPERATIVE_CODE).first()
    return entity.name if entity else "SmartCoop"


def render_report_pdf(
    template: str, build_context: Callable[[], dict[str, Any]], language: str, today: date
) -> bytes:
    """Render a report template to PDF in `language`: the context is built under that
    language too (titles, labels, numbers as the locale writes them)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language}")
    with translation.override(language):
        context = {
            "language": language,
            "cooperative": cooperative_name(),
            "printed_on": format_day(today),
            **build_context(),
        }
        html = render_to_string(template, context)
    return render_html_to_pdf(html)
