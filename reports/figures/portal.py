"""Portal use: members' logins to the portal per day (reports.models.PortalLoginDay)."""

from __future__ import annotations

from calendar import monthrange

from django.db.models import Max, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..models import PortalLoginDay
from .base import (
    HEADLINE_COLUMNS,
    MONTHS,
    NUMBER,
    BlockSpec,
    Cell,
    Column,
    Period,
    Scope,
    SectionData,
    average,
    block,
    compared,
)

DEFINITION = _(
    "Logins: each time a member logged in to the member portal (staff excluded). Members: "
    "different members who logged in that day. Daily averages over the calendar days of the "
    "period (or of the month)."
)
HEADLINE = block("portal", BlockSpec(_("Portal use"), DEFINITION, HEADLINE_COLUMNS))
BY_MONTH = block(
    "portal_by_month",
    BlockSpec(
        _("Logins a day, per month"),
        DEFINITION,
        (
            Column(_("Month")),
            Column(_("This year"), NUMBER),
            Column(_("Year before"), NUMBER),
        ),
        chart="series",
    ),
)


def _headline(period: Period) -> dict[str, Cell]:
    totals = PortalLoginDay.objects.filter(day__range=period.range).aggregate(
        all_logins=Sum("logins"), all_members=Sum("members"), busiest=Max("logins")
    )
    return {
        "logins": totals["all_logins"] or 0,
        "daily": average(totals["all_logins"] or 0, period.days),
        "members": average(totals["all_members"] or 0, period.days),
        "busiest": totals["busiest"] or 0,
    }


def _monthly(period: Period) -> dict[int, int]:
    return dict(
        PortalLoginDay.objects.filter(day__range=period.range)
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(total=Sum("logins"))
        .values_list("month", "total")
        .order_by()
    )


def _days_in(period: Period, month: int) -> int:
    days = monthrange(period.year, month)[1]
    return period.end.day if month == period.end.month else days


HEADLINE_ROWS = (
    (N_("Logins"), "logins"),
    (N_("Logins a day, on average"), "daily"),
    (N_("Members logging in a day, on average"), "members"),
    (N_("Logins on the busiest day"), "busiest"),
)


def portal_figure(*, period: Period, scope: Scope) -> SectionData:
    """Logins to the member portal in the period (for the whole cooperative)."""
    now, before = _headline(period), _headline(period.previous)
    section = SectionData("portal", period)
    section.add(HEADLINE, [compared(label, now[key], before[key]) for label, key in HEADLINE_ROWS])
    this, last = _monthly(period), _monthly(period.previous)
    section.add(
        BY_MONTH,
        [
            [
                MONTHS[month - 1],
                average(this.get(month, 0), _days_in(period, month)),
                average(last.get(month, 0), _days_in(period.previous, month)),
            ]
            for month in range(1, period.end.month + 1)
        ],
    )
    return section
