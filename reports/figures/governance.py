"""Governance: participation in the general assemblies of the period, the board and its
mandates, the ethics committee's activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from governance.models import EthicsCase, EthicsMeeting, GeneralAssembly, Mandate, Participation

from .base import (
    COUNT,
    SHARE,
    Cell,
    Column,
    Period,
    Scope,
    SectionData,
    block,
    headline_block,
    headline_rows,
    share,
    whole_years,
)

CHANNELS = (
    Participation.Channel.ONLINE,
    Participation.Channel.IN_PERSON,
    Participation.Channel.PROXY,
)
ASSEMBLIES = block(
    "governance_assemblies",
    _("General assemblies"),
    _(
        "Assemblies held in the period: members on the voter roll, members who took part "
        "(one person, one participation, whatever the channel), by channel."
    ),
    (
        Column(_("Assembly")),
        Column(_("On the roll"), COUNT),
        Column(_("Took part"), COUNT),
        Column(_("Online"), COUNT),
        Column(_("In person"), COUNT),
        Column(_("By proxy"), COUNT),
        Column(_("Participation (%)"), SHARE),
    ),
    people=True,
)
BOARD = headline_block(
    "governance_board",
    _("Board"),
    _(
        "Board members: mandates in force on the last day of the period (started, not "
        "ended). Mandates ending: terms ending within a year after that day. Elected and "
        "co-opted: mandates starting in the period. Ended early: mandates ended in the "
        "period otherwise than by their term."
    ),
)
ETHICS = headline_block(
    "governance_ethics",
    _("Ethics committee"),
    _(
        "Cases received in the period, opinions published to the members in the period, "
        "meetings held in the period."
    ),
)


def _assemblies(period: Period) -> list[list[Cell]]:
    assemblies = (
        GeneralAssembly.objects.filter(date__range=period.range)
        .annotate(
            took_part=Count("participations"),
            **{
                f"by_{channel}": Count("participations", filter=Q(participations__channel=channel))
                for channel in CHANNELS
            },
        )
        .order_by("date")
    )
    return [
        [
            assembly.title,
            assembly.roll_size,
            assembly.took_part,
            *(getattr(assembly, f"by_{channel}") for channel in CHANNELS),
            share(assembly.took_part, assembly.roll_size),
        ]
        for assembly in assemblies
    ]


def mandates_in_force(day: date) -> QuerySet[Mandate]:
    """Mandates started on or before `day` and not ended (nor at their term) by then."""
    return Mandate.objects.annotate(until=Coalesce("ended_on", "end")).filter(
        start__lte=day, until__gt=day
    )


def _board(period: Period) -> dict[str, Cell]:
    day = period.end
    in_force = mandates_in_force(day)
    started = Mandate.objects.filter(start__range=period.range)
    ending = in_force.filter(end__gt=day, end__lte=day + timedelta(days=365))
    ended_early = Mandate.objects.filter(ended_on__range=period.range).exclude(
        end_reason=Mandate.EndReason.TERM
    )
    return {
        N_("Board members"): in_force.count(),
        N_("of whom co-opted"): in_force.filter(how=Mandate.How.COOPTED).count(),
        N_("Mandates ending within a year"): ending.count(),
        N_("Elected in the period"): started.filter(how=Mandate.How.ELECTED).count(),
        N_("Co-opted in the period"): started.filter(how=Mandate.How.COOPTED).count(),
        N_("Mandates ended early"): ended_early.count(),
    }


def _ethics(period: Period) -> dict[str, Cell]:
    received = EthicsCase.objects.filter(received_on__range=period.range)
    published = EthicsCase.objects.filter(published_at__date__range=period.range)
    return {
        N_("Cases received"): received.count(),
        N_("Opinions published"): published.count(),
        N_("Meetings"): EthicsMeeting.objects.filter(date__range=period.range).count(),
    }


def governance_figure(*, period: Period, scope: Scope) -> SectionData:
    """Assemblies, board and ethics committee in the period (for the whole cooperative)."""
    section = SectionData("governance", period)
    section.add(ASSEMBLIES, _assemblies(period))
    section.add(BOARD, headline_rows(_board(period), _board(period.previous)))
    section.add(ETHICS, headline_rows(_ethics(period), _ethics(period.previous)))
    return section


@dataclass(frozen=True)
class OrdinaryAssembly:
    day: date
    roll: int
    voters: int


def ordinary_assembly(period: Period) -> OrdinaryAssembly | None:
    """The (last) ordinary general assembly held in the period: its day, the members on its
    roll and those who took part (counted as in the assemblies block)."""
    assembly = (
        GeneralAssembly.objects.filter(kind=GeneralAssembly.Kind.ORDINARY, date__range=period.range)
        .annotate(took_part=Count("participations"))
        .order_by("-date")
        .first()
    )
    if assembly is None:
        return None
    return OrdinaryAssembly(assembly.date, assembly.roll_size, assembly.took_part)


def mandate_terms(period: Period) -> dict[int, int]:
    """The mandates in force on the last day of the period (as the board block counts them)
    by the length of their term in whole years."""
    day = period.end
    in_force = mandates_in_force(day)
    terms: dict[int, int] = {}
    for start, end in in_force.values_list("start", "end"):
        years = whole_years(start, end + timedelta(days=1))
        terms[years] = terms.get(years, 0) + 1
    return dict(sorted(terms.items()))
