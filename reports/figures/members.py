"""The members (sociétariat): members at the end of the period by category, who joined and
left, shares and equity, seniority and age; compared with the same period a year before."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from members.models import Member, MembershipApplication, ShareRegisterEntry

from .base import (
    COUNT,
    HEADLINE_COLUMNS,
    SHARE,
    BlockSpec,
    Column,
    Period,
    Scope,
    SectionData,
    average,
    block,
    compared,
    money,
    share,
    whole_years,
)

HEADLINE = block(
    "members",
    BlockSpec(
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
        HEADLINE_COLUMNS,
    ),
)
BY_CATEGORY = block(
    "members_by_category",
    BlockSpec(
        _("Members by category"),
        _(
            "Members on the last day of the period by their category that day: A develops an "
            "activity, B support staff, C clients, partners, investors and sympathisers."
        ),
        (Column(_("Category")), Column(_("Members"), COUNT), Column(_("Share (%)"), SHARE)),
        chart="bars",
        people=True,
    ),
)
CATEGORY_LABELS = {"A": N_("Category A"), "B": N_("Category B"), "C": N_("Category C")}


@dataclass
class MemberFigures:
    members: int
    by_category: dict[str, int]
    joined: int
    resigned: int
    excluded: int
    deceased: int
    refused: int
    shares: int
    equity: Decimal
    average_invested: Decimal | None
    maximum_invested: Decimal
    shares_refunded: int
    average_seniority: Decimal | None
    average_age: Decimal | None


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


HEADLINE_ROWS = (
    (N_("Members at the end of the period"), "members"),
    (N_("Joined"), "joined"),
    (N_("Resigned"), "resigned"),
    (N_("Excluded"), "excluded"),
    (N_("Deceased"), "deceased"),
    (N_("Applications refused"), "refused"),
    (N_("Shares held"), "shares"),
    (N_("Equity (€)"), "equity"),
    (N_("Average invested per member (€)"), "average_invested"),
    (N_("Maximum invested by a member (€)"), "maximum_invested"),
    (N_("Shares refunded"), "shares_refunded"),
    (N_("Average seniority (years)"), "average_seniority"),
    (N_("Average age (years)"), "average_age"),
)


def members_figure(*, period: Period, scope: Scope) -> SectionData:
    """The members' figures of the period and of the same period a year before."""
    now, before = member_figures(period, scope), member_figures(period.previous, scope)
    section = SectionData("members", period)
    section.add(
        HEADLINE,
        [
            compared(label, getattr(now, name), getattr(before, name))
            for label, name in HEADLINE_ROWS
        ],
    )
    section.add(
        BY_CATEGORY,
        [
            [label, now.by_category[code], share(now.by_category[code], now.members)]
            for code, label in CATEGORY_LABELS.items()
        ],
    )
    return section
