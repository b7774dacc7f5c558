"""The unit holders (titulaires): who holds the units active in the period, where they live,
their gender, age and seniority, how much they invoiced (and that crossed with gender, age
and seniority, as the activity report's tables), and how many clients they invoiced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from members.models import Member
from production_units.models import ProductionUnit

from .activity import REGIONS, SIGNED_NET, active_units, issued_in, region_of
from .base import (
    AGE_BANDS,
    COUNT,
    SENIORITY_BANDS,
    UNKNOWN,
    Cell,
    Column,
    Period,
    Scope,
    SectionData,
    age_band,
    band_of,
    banded,
    bands,
    block,
    crossing,
    distribution,
    distribution_block,
    headline_block,
    headline_rows,
    labels,
    seniority_band,
)

K = Decimal(1000)
INVOICED_BANDS = bands(
    [
        (N_("less than 1 k€"), 1 * K),
        (N_("1 to 3 k€"), 3 * K),
        (N_("3 to 5 k€"), 5 * K),
        (N_("5 to 10 k€"), 10 * K),
        (N_("10 to 20 k€"), 20 * K),
        (N_("20 k€ and more"), None),
    ],
    low=Decimal(-(10**12)),
)
CLIENT_BANDS = bands(
    [
        (N_("1 client"), 2),
        (N_("2 clients"), 3),
        (N_("3 to 5 clients"), 6),
        (N_("more than 5 clients"), None),
    ],
    low=1,
)
GENDERS = {"F": N_("women"), "M": N_("men"), "X": N_("other / not stated"), "": UNKNOWN}


def _holders_block(key: str, title: str, definition: str, first: str) -> str:
    return distribution_block(key, _(title), _(definition), _(first), _("Holders"), people=True)


def _crossing_block(key: str, title: str, definition: str, columns: list[str]) -> str:
    """Holders by amount invoiced (rows) crossed with `columns`, and a total column."""
    heads = (
        Column(_("Invoiced in the period")),
        *(Column(_(label), COUNT) for label in columns),
        Column(_("All holders"), COUNT),
    )
    return block(key, _(title), _(definition), heads, people=True)


HEADLINE = headline_block(
    "holders",
    _("Unit holders"),
    _(
        "Holders: members holding at least one active unit, i.e. a unit with at least one "
        "issued invoice or credit note, or one declared work day, in the period. New "
        "holders: whose first unit opened during the period. Units held: their units open at "
        "some time in the period, active or not."
    ),
)
BY_REGION = _holders_block(
    "holders_by_region",
    N_("Holders by region"),
    N_("Region of the holder's address: Belgian postal code, or abroad."),
    N_("Region"),
)
BY_GENDER = _holders_block(
    "holders_by_gender",
    N_("Holders by gender"),
    N_("Gender as stated in the member's file."),
    N_("Gender"),
)
BY_AGE = _holders_block(
    "holders_by_age",
    N_("Holders by age"),
    N_("Age in completed years on the last day of the period."),
    N_("Age"),
)
BY_SENIORITY = _holders_block(
    "holders_by_seniority",
    N_("Holders by seniority"),
    N_("Completed years of membership on the last day of the period."),
    N_("Seniority"),
)
BY_INVOICED = _holders_block(
    "holders_by_invoiced",
    N_("Holders by amount invoiced"),
    N_(
        "Total excl. VAT of the invoices issued in the period by all the holder's units, "
        "less their credit notes."
    ),
    N_("Invoiced in the period"),
)
INVOICED_BY_GENDER = _crossing_block(
    "holders_invoiced_by_gender",
    N_("Amount invoiced by gender"),
    N_("Holders counted by amount invoiced in the period and gender."),
    list(GENDERS.values()),
)
INVOICED_BY_AGE = _crossing_block(
    "holders_invoiced_by_age",
    N_("Amount invoiced by age"),
    N_("Holders counted by amount invoiced in the period and age on its last day."),
    [*labels(AGE_BANDS), UNKNOWN],
)
INVOICED_BY_SENIORITY = _crossing_block(
    "holders_invoiced_by_seniority",
    N_("Amount invoiced by seniority"),
    N_("Holders counted by amount invoiced in the period and years of membership."),
    [*labels(SENIORITY_BANDS), UNKNOWN],
)
BY_CLIENTS = _holders_block(
    "holders_by_clients",
    N_("Holders by number of clients invoiced"),
    N_(
        "Different clients invoiced in the period by all the holder's units, over the "
        "holders who issued at least one invoice."
    ),
    N_("Clients invoiced"),
)


@dataclass
class Holder:
    gender: str
    age: str
    seniority: str
    region: str
    units: int
    new: bool
    invoiced: Decimal
    clients: int

    @property
    def band(self) -> str:
        return band_of(self.invoiced, INVOICED_BANDS)


def holders_of(period: Period, scope: Scope) -> list[Holder]:
    """One row per holder of an active unit in scope: three grouped queries."""
    # Units held: every unit of theirs open at some time in the period (as the report's
    # "titulaires de 1, 2, 3 UP"), active or not.
    units = dict(
        ProductionUnit.objects.filter(
            holder_id__in=active_units(period, scope).values("holder_id"),
            opened_on__lte=period.end,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.start))
        .values("holder_id")
        .annotate(n=Count("pk"))
        .values_list("holder_id", "n")
        .order_by()
    )
    sales: dict[int, Mapping[str, Any]] = {
        row["unit__holder_id"]: row
        for row in issued_in(period, scope)
        .values("unit__holder_id")
        .annotate(net=Sum(SIGNED_NET), clients=Count("client_id", distinct=True))
        .order_by()
    }
    people = (
        Member.objects.filter(pk__in=active_units(period, scope).values("holder_id"))
        .annotate(first_unit=Min("units__opened_on"))
        .values(
            "pk", "gender", "birth_date", "member_since", "country", "postal_code", "first_unit"
        )
        .order_by()
    )
    day = period.end
    return [
        Holder(
            gender=person["gender"] or "",
            age=age_band(person["birth_date"], day),
            seniority=seniority_band(person["member_since"], day),
            region=region_of(person["country"], person["postal_code"]),
            units=units.get(person["pk"], 0),
            new=_within(person["first_unit"], period),
            invoiced=sales.get(person["pk"], {}).get("net") or Decimal(0),
            clients=sales.get(person["pk"], {}).get("clients") or 0,
        )
        for person in people
    ]


def _within(day: date | None, period: Period) -> bool:
    return day is not None and period.start <= day <= period.end


def _headline(holders: list[Holder]) -> dict[str, Cell]:
    return {
        N_("Holders"): len(holders),
        N_("New holders"): sum(holder.new for holder in holders),
        N_("Holders of 1 unit"): sum(holder.units == 1 for holder in holders),
        N_("Holders of 2 units"): sum(holder.units == 2 for holder in holders),
        N_("Holders of 3 units or more"): sum(holder.units >= 3 for holder in holders),
    }


def holders_figure(*, period: Period, scope: Scope) -> SectionData:
    """The unit holders' figures of the period (headline compared with a year before)."""
    holders = holders_of(period, scope)
    now, before = _headline(holders), _headline(holders_of(period.previous, scope))
    section = SectionData("holders", period)
    section.add(HEADLINE, headline_rows(now, before))
    section.add(BY_REGION, distribution((h.region for h in holders), REGIONS))
    genders = list(GENDERS.values())
    section.add(BY_GENDER, distribution((GENDERS[h.gender] for h in holders), genders[:3]))
    ages, seniorities = labels(AGE_BANDS), labels(SENIORITY_BANDS)
    section.add(BY_AGE, distribution((h.age for h in holders), ages))
    section.add(BY_SENIORITY, distribution((h.seniority for h in holders), seniorities))
    bands = labels(INVOICED_BANDS)
    section.add(BY_INVOICED, distribution((h.band for h in holders), bands))
    section.add(
        INVOICED_BY_GENDER,
        crossing(((h.band, GENDERS[h.gender]) for h in holders), bands, genders),
    )
    section.add(
        INVOICED_BY_AGE, crossing(((h.band, h.age) for h in holders), bands, [*ages, UNKNOWN])
    )
    section.add(
        INVOICED_BY_SENIORITY,
        crossing(((h.band, h.seniority) for h in holders), bands, [*seniorities, UNKNOWN]),
    )
    section.add(BY_CLIENTS, banded((h.clients for h in holders if h.clients), CLIENT_BANDS))
    return section
