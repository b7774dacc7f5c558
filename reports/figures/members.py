"""The members (sociétariat): members at the end of the period by category, who joined and
left, shares and equity, seniority and age; compared with the same period a year before."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from members.models import Member, MembershipApplication, ShareRegisterEntry

from .base import (
    Cell,
    Period,
    Scope,
    SectionData,
    average,
    distribution_block,
    headline_block,
    headline_rows,
    money,
    share,
    whole_years,
)

HEADLINE = headline_block(
    "members",
    _("Members"),
    _(
        "Members: people and organisations admitted on or before the last day of the "
        "period, not gone by then, holding at least one share that day. Joined: admitted "
        "during the period. Resigned, excluded, deceased: left during the period. Refused: "
        "applications refused during the period. Shares and equity: shares held on the last "
        "day and their nominal value; average and maximum invested per member. Shares "
        "refunded: shares paid back during the period. Seniority and age: completed years "
        "on the last day (age over the members whose birth date is known)."
    ),
)
BY_CATEGORY = distribution_block(
    "members_by_category",
    _("Members by category"),
    _(
        "Members on the last day of the period by their category that day: A develops an "
        "activity, B support staff, C clients, partners, investors and sympathisers."
    ),
    _("Category"),
    _("Members"),
    people=True,
)
CATEGORY_LABELS = {"A": N_("Category A"), "B": N_("Category B"), "C": N_("Category C")}


def _figure(label: str) -> Any:
    """A field shown in the headline table under `label` (a msgid)."""
    return field(metadata={"label": label})


@dataclass
class MemberFigures:
    """The members' figures of a period; the labelled ones make the headline table."""

    members: int = _figure(N_("Members at the end of the period"))
    joined: int = _figure(N_("Joined"))
    resigned: int = _figure(N_("Resigned"))
    excluded: int = _figure(N_("Excluded"))
    deceased: int = _figure(N_("Deceased"))
    refused: int = _figure(N_("Applications refused"))
    shares: int = _figure(N_("Shares held"))
    equity: Decimal = _figure(N_("Equity (€)"))
    average_invested: Decimal | None = _figure(N_("Average invested per member (€)"))
    maximum_invested: Decimal = _figure(N_("Maximum invested by a member (€)"))
    shares_refunded: int = _figure(N_("Shares refunded"))
    average_seniority: Decimal | None = _figure(N_("Average seniority (years)"))
    average_age: Decimal | None = _figure(N_("Average age (years)"))
    by_category: dict[str, int] = field(default_factory=dict)

    def headline(self) -> dict[str, Cell]:
        return {
            f.metadata["label"]: getattr(self, f.name)
            for f in fields(self)
            if "label" in f.metadata
        }


def _holding(period: Period, scope: Scope) -> list[dict]:
    """One row per member on the last day: category then, shares held, nominal value."""
    day = period.end
    dated = Q(share_entries__date__lte=day)
    latest_category = (
        ShareRegisterEntry.objects.filter(member=OuterRef("pk"), date__lte=day)
        .order_by("-date", "-id")
        .values("category")[:1]
    )
    members = scope.apply(Member.objects.admitted_on(day), "office")
    return list(
        members.annotate(
            held=Sum("share_entries__shares", filter=dated),
            nominal=Sum("share_entries__amount", filter=dated),
            category_at=Subquery(latest_category),
        )
        .filter(held__gt=0)
        .values("category_at", "category", "held", "nominal", "member_since", "birth_date")
        .order_by()
    )


def member_figures(period: Period, scope: Scope) -> MemberFigures:
    rows = _holding(period, scope)
    day = period.end
    by_category = dict.fromkeys(CATEGORY_LABELS, 0)
    for row in rows:
        by_category[row["category_at"] or row["category"]] += 1
    left = scope.apply(Member.objects.filter(left_on__range=period.range), "office")
    left_by = dict(
        left.values("status").annotate(n=Count("pk")).values_list("status", "n").order_by()
    )
    refunds = scope.apply(
        ShareRegisterEntry.objects.filter(
            operation=ShareRegisterEntry.Operation.REFUND, date__range=period.range
        ),
        "member__office",
    ).aggregate(shares=Sum(-F("shares")))
    count = len(rows)
    equity = money(sum((row["nominal"] for row in rows), Decimal(0)))
    ages = [whole_years(row["birth_date"], day) for row in rows if row["birth_date"]]
    seniority = [whole_years(row["member_since"], day) for row in rows if row["member_since"]]
    return MemberFigures(
        members=count,
        by_category=by_category,
        joined=scope.apply(Member.objects.filter(member_since__range=period.range), "office")
        .exclude(status=Member.Status.APPLICANT)
        .count(),
        resigned=left_by.get(Member.Status.RESIGNED, 0),
        excluded=left_by.get(Member.Status.EXCLUDED, 0),
        deceased=left_by.get(Member.Status.DECEASED, 0),
        refused=scope.apply(
            MembershipApplication.objects.filter(
                status=MembershipApplication.Status.REFUSED, decided_on__range=period.range
            ),
            "office",
        ).count(),
        shares=sum(row["held"] for row in rows),
        equity=equity,
        average_invested=average(equity, count, "0.01"),
        maximum_invested=money(max((row["nominal"] for row in rows), default=0)),
        shares_refunded=refunds["shares"] or 0,
        average_seniority=average(sum(seniority), len(seniority)),
        average_age=average(sum(ages), len(ages)),
    )


def members_figure(*, period: Period, scope: Scope) -> SectionData:
    """The members' figures of the period and of the same period a year before."""
    now, before = member_figures(period, scope), member_figures(period.previous, scope)
    section = SectionData("members", period)
    section.add(HEADLINE, headline_rows(now.headline(), before.headline()))
    section.add(
        BY_CATEGORY,
        [
            [label, now.by_category[code], share(now.by_category[code], now.members)]
            for code, label in CATEGORY_LABELS.items()
        ],
    )
    return section
