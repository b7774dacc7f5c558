"""One selector per figure (a section of the dashboard), used by the page, the export and
the PDF alike. Each takes the period and the scope (office, sector) and returns plain data
(figures.base.SectionData) whose meaning, headings and definitions are in figures.base.BLOCKS.

SECTIONS says, per section, its title, its selector, and which filters make sense for it:
sections without the office filter are for the whole cooperative (board and admin only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .base import BLOCKS, Period, Scope, SectionData, Selector, period_of
from .clients import clients_figure
from .contribution import contribution_figure
from .governance import governance_figure
from .holders import holders_figure
from .members import members_figure
from .portal import portal_figure
from .units import units_figure
from .work import work_figure


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    selector: Selector
    by_office: bool = True
    by_sector: bool = True


SECTIONS = {
    section.key: section
    for section in (
        Section("members", _("Members"), members_figure, by_sector=False),
        Section("holders", _("Unit holders"), holders_figure),
        Section("units", _("Production units"), units_figure),
        Section("work", _("Work and pay"), work_figure),
        Section("clients", _("Clients and invoicing"), clients_figure),
        Section("contribution", _("Mutual contribution"), contribution_figure),
        Section("portal", _("Portal use"), portal_figure, by_office=False, by_sector=False),
        Section("governance", _("Governance"), governance_figure, by_office=False, by_sector=False),
    )
}


def compute(key: str, *, year: int, today: date, scope: Scope) -> SectionData:
    """The figures of section `key` for `year` (to date if current) in `scope`."""
    section = SECTIONS[key]
    if not section.by_office and scope.office_id is not None:
        raise ValueError(f"{key} has no office filter")
    if not section.by_sector and scope.sector_id is not None:
        raise ValueError(f"{key} has no sector filter")
    return section.selector(period=period_of(year, today), scope=scope)


__all__ = ["BLOCKS", "SECTIONS", "Period", "Scope", "SectionData", "compute", "period_of"]
