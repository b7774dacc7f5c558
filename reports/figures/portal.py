"""Portal use: members' logins to the portal per day (reports.models.PortalLoginDay)."""

from __future__ import annotations

from calendar import monthrange

from django.db.models import Max, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from ..models import PortalLoginDay
from .base import (
    MONTHS,
    Cell,
    Period,
    Scope,
    SectionData,
    average,
    headline_block,
    headline_rows,
    year_on_year_block,
)

DEFINITION = _(
    "Logins: each time a member logged in to the member portal (staff excluded). Members: "
    "different members who logged in that day. Daily averages over the calendar days of the "
    "period (or of the month)."
)
HEADLINE = headline_block("portal", _("Portal use"), DEFINITION)
BY_MONTH = year_on_year_block("portal_by_month", _("Logins a day, per month"), DEFINITION)


def _headline(period: Period) -> dict[str, Cell]:
    totals = PortalLoginDay.objects.filter(day__range=period.range).aggregate(
        all_logins=Sum("logins"), all_members=Sum("members"), busiest=Max("logins")
    )
    return {
        N_("Logins"): totals["all_logins"] or 0,
        N_("Logins a day, on average"): average(totals["all_logins"] or 0, period.days),
        N_("Members logging in a day, on average"): average(
            totals["all_members"] or 0, period.days
        ),
        N_("Logins on the busiest day"): totals["busiest"] or 0,
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


def portal_figure(*, period: Period, scope: Scope) -> SectionData:
    """Logins to the member portal in the period (for the whole cooperative)."""
    now, before = _headline(period), _headline(period.previous)
    section = SectionData("portal", period)
    section.add(HEADLINE, headline_rows(now, before))
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
