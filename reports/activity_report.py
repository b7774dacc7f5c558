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
class Highlight:
    """A figure printed large: the row `label` of a section's block."""

    section: str
    block: str
    label: str


@dataclass(frozen=True)
class Page:
    title: str | Promise
    highlights: tuple[Highlight, ...]
    blocks: tuple[tuple[str, str], ...] = ()  # (section, block) drawn with chart and table


def _h(section: str, label: str, block: str = "") -> Highlight:
    return Highlight(section, block or section, label)


PAGES = (
    Page(
        _("General figures"),
        (
            _h("units", N_("Turnover excl. VAT (€)")),
            _h("members", N_("Members at the end of the period")),
            _h("work", N_("Employees")),
            _h("work", N_("Full-time equivalents")),
            _h("units", N_("Active units")),
            _h("work", N_("Contracts")),
            _h("clients", N_("Clients invoiced")),
            _h("portal", N_("Logins a day, on average")),
        ),
        (("units", "units_by_tool"),),
    ),
    Page(
        _("The unit holders"),
        (
            _h("holders", N_("Holders")),
            _h("holders", N_("New holders")),
            _h("holders", N_("Holders of 1 unit")),
            _h("holders", N_("Holders of 2 units")),
            _h("holders", N_("Holders of 3 units or more")),
        ),
        (
            ("holders", "holders_by_region"),
            ("holders", "holders_by_gender"),
            ("holders", "holders_by_age"),
            ("holders", "holders_by_seniority"),
            ("holders", "holders_by_invoiced"),
            ("holders", "holders_invoiced_by_gender"),
            ("holders", "holders_invoiced_by_age"),
            ("holders", "holders_invoiced_by_seniority"),
            ("holders", "holders_by_clients"),
        ),
    ),
    Page(
        _("The production units"),
        (
            _h("units", N_("Active units")),
            _h("units", N_("Turnover excl. VAT (€)")),
            _h("units", N_("Units employing others")),
        ),
        (
            ("units", "units_by_age"),
            ("units", "units_by_invoiced"),
            ("units", "units_by_employed"),
            ("units", "units_by_sector"),
        ),
    ),
    Page(
        _("The employees"),
        (
            _h("units", N_("Budget spent employing others (€)")),
            _h("work", N_("Contracts")),
            _h("work", N_("Expense claims validated")),
            _h("work", N_("Declared work days")),
            _h("work", N_("Declared hours")),
            _h("work", N_("Employees")),
            _h("work", N_("Full-time equivalents")),
            _h("work", N_("Employees holding no unit")),
            _h("work", N_("Social security contributions (€)")),
        ),
        (("work", "work_by_hours"), ("work", "work_by_sector")),
    ),
    Page(
        _("The members"),
        (
            _h("members", N_("Members at the end of the period")),
            _h("members", N_("Shares held")),
            _h("members", N_("Equity (€)")),
            _h("members", N_("Average seniority (years)")),
            _h("members", N_("Average age (years)")),
            _h("members", N_("Average invested per member (€)")),
            _h("members", N_("Maximum invested by a member (€)")),
            _h("members", N_("Shares refunded")),
        ),
        (("members", "members_by_category"),),
    ),
    Page(
        _("The clients"),
        (
            _h("clients", N_("Clients invoiced")),
            _h("clients", N_("New clients")),
            _h("clients", N_("Invoices issued")),
            _h("clients", N_("Receivables at the end of the period (€)")),
            _h("clients", N_("Clients in Belgium (%)")),
            _h("clients", N_("Documents sent over Peppol (%)")),
        ),
        (("clients", "clients_by_kind"),),
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


def _change(figures: YearFigures, highlight: Highlight) -> str:
    """ "+1,794 in a year" (the headline's change column), empty when not available."""
    value = figures.value(highlight.section, highlight.block, highlight.label, column=3)
    if not isinstance(value, int | Decimal) or not value:
        return ""
    text = figures.shown(highlight.section, highlight.block, highlight.label, column=3)
    sign = "+" if value > 0 else ""
    return gettext("%(change)s in a year") % {"change": f"{sign}{text}"}


def activity_pages(figures: YearFigures) -> list[ShownPage]:
    """The pages in the active language."""
    return [
        ShownPage(
            title=str(page.title),
            highlights=[
                ShownHighlight(
                    value=figures.shown(h.section, h.block, h.label),
                    label=gettext(h.label),
                    change=_change(figures, h),
                )
                for h in page.highlights
            ],
            blocks=[figures.block(section, block) for section, block in page.blocks],
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
