"""The key-figure pages of the yearly activity report ("Chiffres clés"), as a designed PDF:
the figures of the dashboards' sections for the whole cooperative (reports.documents), a page
per theme as the printed report has them, with highlighted figures, the pages' charts (inline
SVG, reports.charts) and their tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from .documents import YearFigures, render_report_pdf, year_figures
from .presentation import ShownBlock

SECTIONS = ("members", "holders", "units", "work", "clients", "portal")


@dataclass(frozen=True)
class Page:
    """A theme's page: figures printed large (headline rows, by label: the first section
    in SECTIONS whose headline has it), then blocks drawn with their chart and table."""

    title: str | Promise
    highlights: tuple[str, ...]
    blocks: tuple[str, ...] = ()


PAGES = (
    Page(
        _("General figures"),
        (
            N_("Turnover excl. VAT (€)"),
            N_("Members at the end of the period"),
            N_("Employees"),
            N_("Full-time equivalents"),
            N_("Active units"),
            N_("Contracts"),
            N_("Clients invoiced"),
            N_("Logins a day, on average"),
        ),
        ("units_by_tool",),
    ),
    Page(
        _("The unit holders"),
        (
            N_("Holders"),
            N_("New holders"),
            N_("Holders of 1 unit"),
            N_("Holders of 2 units"),
            N_("Holders of 3 units or more"),
        ),
        (
            "holders_by_region",
            "holders_by_gender",
            "holders_by_age",
            "holders_by_seniority",
            "holders_by_invoiced",
            "holders_invoiced_by_gender",
            "holders_invoiced_by_age",
            "holders_invoiced_by_seniority",
            "holders_by_clients",
        ),
    ),
    Page(
        _("The production units"),
        (
            N_("Active units"),
            N_("Turnover excl. VAT (€)"),
            N_("Units employing others"),
        ),
        (
            "units_by_age",
            "units_by_invoiced",
            "units_by_employed",
            "units_by_sector",
        ),
    ),
    Page(
        _("The employees"),
        (
            N_("Budget spent employing others (€)"),
            N_("Contracts"),
            N_("Expense claims validated"),
            N_("Declared work days"),
            N_("Declared hours"),
            N_("Employees"),
            N_("Full-time equivalents"),
            N_("Employees holding no unit"),
            N_("Social security contributions (€)"),
        ),
        ("work_by_hours", "work_by_sector"),
    ),
    Page(
        _("The members"),
        (
            N_("Members at the end of the period"),
            N_("Shares held"),
            N_("Equity (€)"),
            N_("Average seniority (years)"),
            N_("Average age (years)"),
            N_("Average invested per member (€)"),
            N_("Maximum invested by a member (€)"),
            N_("Shares refunded"),
        ),
        ("members_by_category",),
    ),
    Page(
        _("The clients"),
        (
            N_("Clients invoiced"),
            N_("New clients"),
            N_("Invoices issued"),
            N_("Receivables at the end of the period (€)"),
            N_("Clients in Belgium (%)"),
            N_("Documents sent over Peppol (%)"),
        ),
        ("clients_by_kind",),
    ),
)


@dataclass(frozen=True)
class ShownHighlight:
    value: str
    label: str
    change: str


@dataclass(frozen=True)
class ShownPage:
    title: str
    highlights: list[ShownHighlight]
    blocks: list[ShownBlock]


def _change(figures: YearFigures, label: str) -> str:
    """ "+1,794 in a year" (the headline's change column), empty when none or not known."""
    value = figures.value(label, column=3)
    if not isinstance(value, int | Decimal) or not value:
        return ""
    sign = "+" if value > 0 else ""
    return gettext("%(change)s in a year") % {"change": sign + figures.shown(label, column=3)}


def activity_pages(figures: YearFigures) -> list[ShownPage]:
    """The pages in the active language."""
    return [
        ShownPage(
            title=str(page.title),
            highlights=[
                ShownHighlight(figures.shown(label), gettext(label), _change(figures, label))
                for label in page.highlights
            ],
            blocks=[figures.block(key) for key in page.blocks],
        )
        for page in PAGES
    ]


def activity_report_pdf(*, year: int, language: str, today: date) -> bytes:
    """The key-figure pages of the activity report of `year` as a PDF in `language`."""
    figures = year_figures(year, SECTIONS, today)

    def context() -> dict[str, Any]:
        return {
            "year": year,
            "title": gettext("Activity report %(year)s") % {"year": year},
            "period_end": figures.period_end,
            "pages": activity_pages(figures),
        }

    return render_report_pdf("reports/pdf/activity.html", context, language, today)
