"""Reads about members and the share register, used by the portal, the back-office,
the API, governance and the yearly reports.

Everything "at a date" is computed from the register entries dated on or before that date
and nothing else, so the register as it stood on any past day can be reproduced.

Good standing (who votes): on a date, a person is in good standing when they are a member
that day (admitted on or before it, not yet left) and hold at least one fully paid share.
Further shares only partly paid don't take the vote away: one person, one vote, whatever
their number of shares (statutes art. 37; royal decree of 8 January 1962, art. 1 § 3).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.cached import SignalCached
from core.money import cents

from .models import (
    MONEY,
    Member,
    MemberQuerySet,
    MembershipApplication,
    MembershipDocument,
    SharePolicy,
    ShareRegisterEntry,
)

ZERO = Decimal("0.00")
Operation = ShareRegisterEntry.Operation


@dataclass(frozen=True)
class SharePosition:
    """A member's shares on a date.

    held: shares held; nominal: their value at subscription price; paid_up: everything paid
    for shares (payments, plus transfers in, minus transfers out); refunded: paid back;
    shares_refunded: shares given back to the cooperative.
    """

    held: int = 0
    nominal: Decimal = ZERO
    paid_up: Decimal = ZERO
    refunded: Decimal = ZERO
    shares_refunded: int = 0

    @property
    def refundable(self) -> Decimal:
        """Paid up and not yet refunded: the most a refund can ever pay back."""
        return self.paid_up - self.refunded

    @property
    def unpaid(self) -> Decimal:
        """What is still to pay for the shares held."""
        return self.nominal - self.refundable

    @property
    def fully_paid_shares(self) -> int:
        """How many of the shares held are fully paid (payments cover the first shares)."""
        if self.held <= 0 or self.nominal <= 0:
            return 0
        return min(self.held, int(self.refundable * self.held // self.nominal))

    def nominal_of(self, shares: int) -> Decimal:
        """The nominal value of `shares` of the shares held (exact when all of them)."""
        if shares >= self.held:
            return self.nominal
        return cents(self.nominal * shares / self.held)


def _position_aggregates(prefix: str = "", extra: Q | None = None) -> dict:
    """Sum expressions over register entries (reached through `prefix`), with `extra` filter."""
    base = extra or Q()
    refund = Q(**{f"{prefix}operation": Operation.REFUND})
    money = {"output_field": _money_field()}
    return {
        "held": Coalesce(Sum(f"{prefix}shares", filter=base), Value(0)),
        "nominal": Coalesce(Sum(f"{prefix}amount", filter=base), Value(ZERO), **money),
        "paid_up": Coalesce(
            Sum(f"{prefix}paid_amount", filter=base & ~refund), Value(ZERO), **money
        ),
        "refunded": Coalesce(
            -Sum(f"{prefix}paid_amount", filter=base & refund), Value(ZERO), **money
        ),
        "shares_refunded": Coalesce(
            -Sum(f"{prefix}shares", filter=base & refund), Value(0), output_field=IntegerField()
        ),
    }


def _money_field() -> DecimalField:
    return DecimalField(**MONEY)


def _position_from(row: dict[str, Any] | Member) -> SharePosition:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return SharePosition(
        held=int(get("held") or 0),
        nominal=cents(get("nominal") or 0),
        paid_up=cents(get("paid_up") or 0),
        refunded=cents(get("refunded") or 0),
        shares_refunded=int(get("shares_refunded") or 0),
    )


def member_shares(*, member: Member, at: date | None = None) -> SharePosition:
    """The member's shares from their register entries dated on or before `at` (all when None)."""
    entries = ShareRegisterEntry.objects.filter(member=member)
    if at is not None:
        entries = entries.filter(date__lte=at)
    return _position_from(entries.aggregate(**_position_aggregates()))


def member_entries(*, member: Member, at: date | None = None) -> QuerySet[ShareRegisterEntry]:
    """The member's register entries in order, dated on or before `at` (all when None)."""
    entries = ShareRegisterEntry.objects.filter(member=member).select_related(
        "counterparty", "recorded_by"
    )
    if at is not None:
        entries = entries.filter(date__lte=at)
    return entries.order_by("date", "id")


def _share_policy_on(day: date) -> SharePolicy | None:
    return SharePolicy.objects.in_force_on(day).order_by("-valid_from").first()


# Read on every home page (the one-share-per-year prompt): kept in the cache per day until a
# policy is saved or deleted (members.apps follows them).
share_policies = SignalCached("share-policy-on", _share_policy_on)


def share_policy_on(day: date) -> SharePolicy | None:
    """The share policy in force on `day`, or None."""
    return share_policies.get(day)


def _latest_by_kind(day: date) -> dict[str, MembershipDocument]:
    found: dict[str, MembershipDocument] = {}
    for document in MembershipDocument.objects.in_force_on(day).order_by("kind", "-valid_from"):
        found.setdefault(document.kind, document)
    return found


def documents_in_force(day: date) -> list[MembershipDocument]:
    """The latest version in force on `day` of each kind of membership document."""
    return list(_latest_by_kind(day).values())


def documents_to_accept(*, category: str, on: date) -> list[MembershipDocument]:
    """The versions someone joining in `category` on `on` must accept: the statutes and the
    internal rules, and for category A (who will use the shared enterprise) the user contract."""
    kinds = [MembershipDocument.Kind.STATUTES, MembershipDocument.Kind.INTERNAL_RULES]
    if category == Member.Category.A:
        kinds.append(MembershipDocument.Kind.USER_CONTRACT)
    found = _latest_by_kind(on)
    return [found[kind] for kind in kinds if kind in found]


# When a member used the cooperative's services: a function (member, before_year) -> the years
# before `before_year` in which they did. The app that knows (invoicing: the invoices of the
# units they hold) registers it in its AppConfig.ready; members sits below it and cannot ask.
YearsOfUse = Callable[[Member, int], Iterable[int]]
_YEARS_OF_USE: list[YearsOfUse] = []


def register_years_of_use(source: YearsOfUse) -> None:
    """Add a source of years in which members used the services (see years_of_use)."""
    if source not in _YEARS_OF_USE:
        _YEARS_OF_USE.append(source)


def years_of_use(*, member: Member, before_year: int) -> list[int]:
    """The calendar years before `before_year` in which the member used the services, in
    order (none when no app registered a source)."""
    years: set[int] = set()
    for source in _YEARS_OF_USE:
        years.update(source(member, before_year))
    return sorted(years)


def shares_missing(*, member: Member, years_of_use: int, at: date, held: int | None = None) -> int:
    """How many shares the member should subscribe on `at`: up to the policy minimum, and with
    the one-share-per-year rule on, up to one share per year of use of the services (counted
    by the caller, who knows the units). `held`: the shares held on `at`, when the caller
    has already counted them."""
    policy = share_policy_on(at)
    if policy is None:
        return 0
    needed = policy.minimum_shares
    if policy.one_share_per_year_rule:
        needed = max(needed, years_of_use)
    if held is None:
        held = member_shares(member=member, at=at).held
    return max(0, needed - held)


# --- the register at a date --------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    member_id: int
    number: int | None
    name: str
    category: str
    member_since: date | None
    left_on: date | None
    position: SharePosition


def members_with_shares_at(at: date) -> MemberQuerySet:
    """Members with at least one register entry on or before `at`, annotated with their
    position on that date (held, nominal, paid_up, refunded, shares_refunded) and their
    category then (`category_at`)."""
    dated = Q(share_entries__date__lte=at)
    latest_category = (
        ShareRegisterEntry.objects.filter(member=OuterRef("pk"), date__lte=at)
        .order_by("-date", "-id")
        .values("category")[:1]
    )
    rows = (
        # Filtering before annotating joins only the entries up to `at`.
        Member.objects.filter(dated)
        .annotate(
            entry_count=Count("share_entries", filter=dated),
            category_at=Subquery(latest_category),
            **_position_aggregates("share_entries__", dated),
        )
        .filter(entry_count__gt=0)
        .order_by("number", "pk")
    )
    return cast(MemberQuerySet, rows)


def register_at(at: date, *, include_former: bool = False) -> list[RegisterRow]:
    """The share register as it stood at the end of `at`: one row per member holding shares
    that day (with `include_former`, also those who held some before and none any more),
    ordered by member number."""
    # Rows annotated by members_with_shares_at (held, category_at…), beyond the model's fields.
    members: Any = members_with_shares_at(at)
    if not include_former:
        members = members.filter(held__gt=0)
    return [
        RegisterRow(
            member_id=member.pk,
            number=member.number,
            name=member.display_name,
            category=member.category_at or member.category,
            member_since=member.member_since,
            left_on=member.left_on if member.left_on and member.left_on <= at else None,
            position=_position_from(member),
        )
        for member in members.only(
            "pk",
            "number",
            "category",
            "is_organisation",
            "first_name",
            "last_name",
            "organisation_name",
            "member_since",
            "left_on",
        )
    ]


def voter_roll(*, at: date) -> QuerySet[Member]:
    """The members in good standing on `at` (see the module docstring), one row each, ordered
    by member number: whatever their number of shares, each has one vote."""
    return (
        members_with_shares_at(at)
        .admitted_on(at)
        .filter(held__gt=0)
        # At least one fully paid share: paid-up capital covers the value of one share.
        .filter(nominal__lte=(F("paid_up") - F("refunded")) * F("held"))
    )


# --- yearly figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class YearlyFigures:
    """The membership figures of one calendar year, for the yearly reports (CNC, assembly)."""

    year: int
    joined: int
    refused: int
    resigned: int
    excluded: int
    deceased: int
    members: int
    members_by_category: dict[str, int]
    shares: int
    equity: Decimal
    paid_up_equity: Decimal
    average_shares: Decimal
    average_amount: Decimal
    maximum_shares: int
    shares_refunded: int
    amount_refunded: Decimal
    average_seniority: Decimal
    average_age: Decimal
    voters: int


def whole_years(start: date, end: date) -> int:
    """Completed years from `start` to `end` (a birthday on 29 February counts on 1 March)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _average(total: Decimal | int, count: int, exponent: str) -> Decimal:
    if not count:
        return Decimal(exponent) * 0
    return (Decimal(total) / Decimal(count)).quantize(Decimal(exponent), rounding=ROUND_HALF_UP)


def yearly_figures(year: int) -> YearlyFigures:
    """Who joined, was refused, resigned, was excluded or died during `year`, and the members
    and shares on 31 December: members holding at least one share that day, by category;
    shares; equity (nominal value of the shares); averages; the maximum; shares refunded in
    the year; average seniority and age on 31 December in completed years (age over the
    members with a birth date)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    left = Member.objects.filter(left_on__range=(start, end))
    rows = list(
        members_with_shares_at(end)
        .admitted_on(end)
        .filter(held__gt=0)
        .values(
            "category_at",
            "category",
            "held",
            "nominal",
            "paid_up",
            "refunded",
            "member_since",
            "birth_date",
        )
    )
    by_category = {value: 0 for value in Member.Category.values}
    for row in rows:
        by_category[row["category_at"] or row["category"]] += 1
    refunds = ShareRegisterEntry.objects.filter(
        operation=Operation.REFUND, date__range=(start, end)
    ).aggregate(shares=Coalesce(-Sum("shares"), Value(0)), amount=-Sum("paid_amount"))
    count = len(rows)
    shares = sum(row["held"] for row in rows)
    equity = cents(sum((row["nominal"] for row in rows), ZERO))
    ages = [whole_years(row["birth_date"], end) for row in rows if row["birth_date"]]
    return YearlyFigures(
        year=year,
        joined=Member.objects.filter(member_since__range=(start, end)).count(),
        refused=MembershipApplication.objects.filter(
            status=MembershipApplication.Status.REFUSED, decided_on__range=(start, end)
        ).count(),
        resigned=left.filter(status=Member.Status.RESIGNED).count(),
        excluded=left.filter(status=Member.Status.EXCLUDED).count(),
        deceased=left.filter(status=Member.Status.DECEASED).count(),
        members=count,
        members_by_category=by_category,
        shares=shares,
        equity=equity,
        paid_up_equity=cents(sum((row["paid_up"] - row["refunded"] for row in rows), ZERO)),
        average_shares=_average(shares, count, "0.01"),
        average_amount=_average(equity, count, "0.01"),
        maximum_shares=max((row["held"] for row in rows), default=0),
        shares_refunded=refunds["shares"] or 0,
        amount_refunded=cents(refunds["amount"] or 0),
        average_seniority=_average(
            sum(whole_years(row["member_since"], end) for row in rows), count, "0.1"
        ),
        average_age=_average(sum(ages), len(ages), "0.1"),
        voters=voter_roll(at=end).count(),
    )
