"""Reads of governance shared by the portal, the back-office, the API, the services and the
minutes: assemblies and their results, the statutes' rules in force, the board and its renewal,
candidacies, and the participation figures the board sees while the vote is open."""

import datetime
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cached import SignalCached
from core.dated import in_force
from members.models import Member

from .models import (
    AgendaItem,
    Candidacy,
    GeneralAssembly,
    GovernancePolicy,
    ItemResult,
    Mandate,
    Participation,
    Proxy,
    VoterRollEntry,
)

Status = GeneralAssembly.Status
How = Mandate.How
Ratification = Mandate.Ratification
CandidacyStatus = Candidacy.Status
# Candidacies still in the race (the same list as the constraint `candidacy_once_a_year`).
OPEN_CANDIDACY = [CandidacyStatus.FILED, CandidacyStatus.ON_BALLOT, CandidacyStatus.DEFERRED]
# Assemblies that are over: a candidacy can no longer be for them.
ASSEMBLY_OVER = [Status.CLOSED, Status.PUBLISHED]


def today() -> date:
    return timezone.localdate()


# --- assemblies ------------------------------------------------------------------------------


def _voting_windows() -> list[tuple[datetime.datetime, datetime.datetime]]:
    return list(
        GeneralAssembly.objects.filter(status=GeneralAssembly.Status.VOTING_OPEN).values_list(
            "voting_opens_at", "voting_closes_at"
        )
    )


# Asked on every home page (is a vote open for this member?), changed only when an assembly
# is saved: kept in the cache until then (governance.apps follows the assemblies).
voting_windows = SignalCached("governance-voting-windows", _voting_windows)


def voting_open_somewhere(*, now: datetime.datetime) -> bool:
    """Is the online vote of some assembly open at `now`? (Who may vote there is asked
    only when it is.)"""
    return any(
        opens is not None and closes is not None and opens <= now < closes
        for opens, closes in voting_windows.get()
    )


def assemblies_for_members() -> QuerySet[GeneralAssembly]:
    """Assemblies members see: every one that is convened (drafts are the board's)."""
    return GeneralAssembly.objects.exclude(status=Status.DRAFT).order_by("-date", "-id")


@dataclass
class ItemWithResults:
    item: AgendaItem
    results: list[ItemResult] = field(default_factory=list)

    @property
    def result(self) -> ItemResult | None:
        return self.results[0] if self.results else None


def results_by_item(assembly: GeneralAssembly) -> list[ItemWithResults]:
    """The agenda with its frozen results: empty lists until the results are published."""
    published = assembly.status == Status.PUBLISHED
    results: dict = {}
    if published:
        for result in ItemResult.objects.filter(item__assembly=assembly).select_related(
            "candidate__member"
        ):
            results.setdefault(result.item_id, []).append(result)
    return [
        ItemWithResults(item=item, results=results.get(item.pk, []))
        for item in assembly.items.prefetch_related("documents", "candidates__member")
    ]


def receipts_published(assembly: GeneralAssembly) -> QuerySet:
    """The receipt codes of every ballot counted online, in alphabetical order (not casting
    order), once the results are published."""
    if assembly.status != Status.PUBLISHED:
        return assembly.encrypted_ballots.none().values_list("receipt", flat=True)
    return assembly.encrypted_ballots.order_by("receipt").values_list("receipt", flat=True)


def proxies_of(*, assembly: GeneralAssembly, member: Member) -> tuple[list, list]:
    """(proxies the member gave, proxies given to the member) at this assembly."""
    given = list(
        Proxy.objects.filter(assembly=assembly, giver=member)
        .select_related("holder")
        .order_by("-given_at")
    )
    held = list(
        Proxy.objects.filter(assembly=assembly, holder=member)
        .select_related("giver")
        .order_by("-given_at")
    )
    return given, held


# --- what the board sees while the vote is open ----------------------------------------------

SUPPRESS_BELOW = 10


def _suppressed(count: int) -> int | None:
    """Groups of fewer than SUPPRESS_BELOW people are not shown (None)."""
    return count if count >= SUPPRESS_BELOW else None


def participation_figures(*, assembly: GeneralAssembly) -> dict:
    """How many took part, by day, by channel and by category: never how anyone voted.
    Groups under SUPPRESS_BELOW are suppressed."""
    participations = Participation.objects.filter(assembly=assembly)
    category = VoterRollEntry.objects.filter(assembly=assembly, member=OuterRef("member")).values(
        "category"
    )[:1]
    by_day = participations.values("day").annotate(n=Count("id")).order_by("day")
    by_channel = participations.values("channel").annotate(n=Count("id")).order_by("channel")
    by_category = (
        participations.annotate(category=Subquery(category))
        .values("category")
        .annotate(n=Count("id"))
        .order_by("category")
    )
    total = participations.count()
    channels = dict(Participation.Channel.choices)
    return {
        "eligible": assembly.roll_size,
        "total": total,
        "by_day": [(row["day"], _suppressed(row["n"])) for row in by_day],
        "by_channel": [
            (channels.get(row["channel"], row["channel"]), _suppressed(row["n"]))
            for row in by_channel
        ],
        "by_category": [(row["category"], _suppressed(row["n"])) for row in by_category],
    }


# --- the statutes' rules and the board -------------------------------------------------------


def governance_policy_on(day: date) -> GovernancePolicy:
    """The statutes' rules in force on `day`; ValidationError when none is."""
    return in_force(
        GovernancePolicy,
        day,
        missing=_("No governance policy is in force on %(day)s: record the statutes' rules first."),
    )


def board_on(day: date) -> QuerySet[Mandate]:
    """The mandates active on `day` (the same test as Mandate.active_on), board order."""
    return (
        Mandate.objects.filter(start__lte=day, end__gt=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .select_related("member", "elected_by__assembly", "ratified_by__assembly")
        .annotate(
            sort_name=Case(
                When(member__is_organisation=True, then=F("member__organisation_name")),
                default=F("member__last_name"),
            )
        )
        .order_by("sort_name", "member__first_name", "pk")
    )


def mandates_counted(member: Member) -> QuerySet[Mandate]:
    """The mandates that count toward the statutes' limit (see the module's docstring)."""
    return member.mandates.exclude(how=How.COOPTED, ratification=Ratification.REFUSED)


def mandates_count(member: Member) -> int:
    """How many mandates count toward the limit for `member`."""
    return mandates_counted(member).count()


def next_ordinary_assembly(day: date) -> GeneralAssembly | None:
    """The next ordinary assembly on or after `day` that is not over."""
    return (
        GeneralAssembly.objects.filter(kind=GeneralAssembly.Kind.ORDINARY, date__gte=day)
        .exclude(status__in=ASSEMBLY_OVER)
        .order_by("date", "pk")
        .first()
    )


def ordinary_assembly_held(day: date) -> bool:
    """Whether this year's ordinary assembly already took place before `day`: one is recorded,
    or members were elected this year (an election happens at an ordinary assembly)."""
    before = {"date__year": day.year, "date__lt": day}
    return (
        GeneralAssembly.objects.filter(kind=GeneralAssembly.Kind.ORDINARY, **before).exists()
        or Mandate.objects.filter(how=How.ELECTED, start__year=day.year, start__lt=day).exists()
    )


def election_year(day: date) -> tuple[int, GeneralAssembly | None]:
    """The next board election after `day`: the next ordinary assembly's when one is planned;
    else next year's when this year's is over, this year's otherwise (its date unknown)."""
    assembly = next_ordinary_assembly(day)
    if assembly is not None:
        return assembly.date.year, assembly
    return (day.year + 1 if ordinary_assembly_held(day) else day.year), None


@dataclass
class Renewal:
    """The partial renewal at the next ordinary assembly: whose terms end, how many seats."""

    year: int
    assembly: GeneralAssembly | None
    ending: list[Mandate] = field(default_factory=list)
    seats: int = 0


def mandates_ending_at_next_assembly(day: date) -> Renewal:
    """The mandates (active on `day`) whose term ends at the next ordinary assembly, and the
    number of seats to elect there: every seat whose term ends that year, held or vacant.

    A seat is the mandate first given by an assembly (`replaces` empty): a co-opted member sits
    on it until its term, and a seat left vacant still comes up for election in its year.
    Without a planned ordinary assembly, the renewal of `election_year` is shown.
    """
    year, assembly = election_year(day)
    ending = [m for m in board_on(day) if m.end.year <= year]
    seats = Mandate.objects.filter(replaces__isnull=True, end__gt=day, end__year__lte=year).count()
    return Renewal(year=year, assembly=assembly, ending=ending, seats=seats)


def pending_ratifications(*, before: date | None = None) -> QuerySet[Mandate]:
    """Co-opted mandates waiting for ratification and on no agenda yet (still running), for
    the next ordinary assembly (only those started before `before` when given)."""
    mandates = Mandate.objects.filter(
        how=How.COOPTED,
        ratification=Ratification.PENDING,
        ended_on__isnull=True,
        ratification_items__isnull=True,
    )
    if before is not None:
        mandates = mandates.filter(start__lt=before)
    return mandates.select_related("member").order_by("start", "pk")


@dataclass
class CandidacyWindow:
    """Which election a candidacy filed on `day` is for, and until when."""

    year: int
    assembly: GeneralAssembly | None
    deadline: date | None
    late: bool


def candidacy_window(day: date) -> CandidacyWindow:
    """The election a candidacy filed on `day` is for.

    - An ordinary assembly is planned (on or after `day`): its election, until its date minus
      the policy's `candidacy_days`; after that deadline, the next year's election (late).
    - None is planned but this year's already took place: next year's election (not late).
    - None at all this year: this year's, deadline unknown.
    """
    year, assembly = election_year(day)
    if assembly is not None:
        days = (assembly.rules or {}).get("candidacy_days")
        if days is None:
            days = governance_policy_on(assembly.date).candidacy_days
        deadline = assembly.date - datetime.timedelta(days=int(days))
        if day <= deadline:
            return CandidacyWindow(assembly.date.year, assembly, deadline, late=False)
        return CandidacyWindow(assembly.date.year + 1, None, None, late=True)
    return CandidacyWindow(year, None, None, late=False)


def candidacies_for_election(year: int) -> QuerySet[Candidacy]:
    """The candidacies to put on the ballot of `year`'s election: filed for it, or kept for it
    after last year's deadline."""
    return (
        Candidacy.objects.filter(
            year=year, status__in=[CandidacyStatus.FILED, CandidacyStatus.DEFERRED]
        )
        .select_related("member")
        .order_by("filed_at", "pk")
    )


def open_candidacies(member: Member) -> QuerySet[Candidacy]:
    return member.candidacies.filter(status__in=OPEN_CANDIDACY)
