"""My accounting view: a member's year read from the unit ledger (issue 18, part 2).

Every figure is a sum of ledger entries, grouped by kind, month or client (through the entry's
source document), so the page, the exports and the yearly PDF reconcile to the ledger to the
cent: the year's closing balance computed from the groups is compared with the ledger's own
sum up to the 31st of December, and the page says whether they agree. Receivables are the one
figure that is not a ledger reading (what clients still owe on issued invoices, VAT included).

The reads cost a fixed number of queries whatever the number of units or entries
(tests/portal/test_accounting.py pins it).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Cast, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from core.money import cents
from invoicing.models import Client, Invoice
from invoicing.selectors import invoices_with_balance
from members.models import Member, User
from members.selectors import SharePosition, member_shares
from payroll.models import Attestation, Payslip
from production_units.ledger_labels import ledger_label
from production_units.models import LedgerEntry, ProductionUnit

ZERO = Decimal("0.00")
Kind = LedgerEntry.Kind

# The page's groups of ledger kinds, in the order of the page. Every kind is in one group, so
# the groups add up to the ledger's movement.
GROUPS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("income", _("Income (invoices and credit notes)"), (Kind.TURNOVER,)),
    ("costs", _("Costs (expenses and purchases)"), (Kind.EXPENSE, Kind.PURCHASE)),
    ("salaries", _("Salaries and employer charges"), (Kind.EMPLOYMENT_COST,)),
    (
        "contribution",
        _("Mutual contribution"),
        (Kind.TURNOVER_CONTRIBUTION, Kind.EMPLOYMENT_CONTRIBUTION),
    ),
    (
        "other",
        _("Loans and adjustments"),
        (Kind.LOAN_DISBURSEMENT, Kind.LOAN_REPAYMENT, Kind.ADJUSTMENT),
    ),
)
GROUP_OF_KIND = {str(kind): name for name, _label, kinds in GROUPS for kind in kinds}
TOP_CLIENTS = 10
RECEIVABLES_LISTED = 10
SOON_DAYS = 30


@dataclass(frozen=True)
class MonthRow:
    """One month of the year: each group's sum, the month's movement and the balance at its
    end (the opening balance plus every movement up to that month); the same month's income
    and movement the year before."""

    month: date
    groups: dict[str, Decimal]
    movement: Decimal
    balance: Decimal
    previous_income: Decimal
    previous_movement: Decimal


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    group: str
    amount: Decimal
    previous: Decimal
    entries: int

    @property
    def change(self) -> Decimal:
        return self.amount - self.previous


@dataclass(frozen=True)
class ClientRow:
    """A client's turnover entries of the year: invoices (positive) and credit notes."""

    client_id: int | None
    name: str
    invoiced: Decimal
    credited: Decimal
    documents: int

    @property
    def net(self) -> Decimal:
        return self.invoiced + self.credited


@dataclass(frozen=True)
class OpenInvoice:
    pk: int
    number: str
    client: str
    unit_code: str
    due_date: date | None
    balance_due: Decimal


@dataclass(frozen=True)
class Receivables:
    """What clients owe on issued invoices (VAT included; not a ledger figure), by when."""

    total: Decimal
    overdue: Decimal
    due_soon: Decimal
    due_later: Decimal
    count: int
    first: list[OpenInvoice]


@dataclass(frozen=True)
class AccountingYear:
    year: int
    units: list[ProductionUnit]
    entries: int  # the ledger entries of the year that every figure sums
    opening: Decimal  # the ledger's balance on the 31st of December of the year before
    ledger_closing: Decimal  # the ledger's own sum of every entry up to the 31st of December
    kinds: list[KindRow]
    months: list[MonthRow]
    clients: list[ClientRow]
    receivables: Receivables
    groups: dict[str, Decimal] = field(default_factory=dict)
    previous_groups: dict[str, Decimal] = field(default_factory=dict)

    @property
    def movement(self) -> Decimal:
        return sum(self.groups.values(), ZERO)

    @property
    def closing(self) -> Decimal:
        """The opening balance plus the year's groups: equal to ledger_closing to the cent."""
        return self.opening + self.movement

    @property
    def reconciled(self) -> bool:
        return self.closing == self.ledger_closing

    @property
    def previous_movement(self) -> Decimal:
        return sum(self.previous_groups.values(), ZERO)

    @property
    def contribution_by_pillar(self) -> list[KindRow]:
        pillars = {Kind.TURNOVER_CONTRIBUTION, Kind.EMPLOYMENT_CONTRIBUTION}
        return [row for row in self.kinds if row.kind in pillars]

    @property
    def top_clients(self) -> list[ClientRow]:
        return self.clients[:TOP_CLIENTS]


def accounting_units(*, user: User | AnonymousUser) -> QuerySet[ProductionUnit]:
    """The units the user holds (the only ones their accounting view reads)."""
    return ProductionUnit.objects.held_by(user).order_by("code")


def _entries(units: Sequence[ProductionUnit]) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(unit__in=[unit.pk for unit in units])


def _totals(units: Sequence[ProductionUnit], year: int) -> dict:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return _entries(units).aggregate(
        opening=Sum("amount", filter=Q(booked_on__lt=start)),
        closing=Sum("amount", filter=Q(booked_on__lte=end)),
        entries=Count("id", filter=Q(booked_on__range=(start, end))),
    )


def _by_month_and_kind(units: Sequence[ProductionUnit], year: int) -> list[Mapping[str, Any]]:
    """The sums of the year and the year before, per year, month and kind (one query)."""
    rows: Iterable[Mapping[str, Any]] = (
        _entries(units)
        .filter(booked_on__range=(date(year - 1, 1, 1), date(year, 12, 31)))
        .annotate(year=ExtractYear("booked_on"), month=ExtractMonth("booked_on"))
        .values("year", "month", "kind")
        .annotate(total=Sum("amount"), entries=Count("id"))
        .order_by()
    )
    return list(rows)


def _kinds(rows: Iterable[Mapping[str, Any]], year: int) -> list[KindRow]:
    amounts: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        amounts[row["year"], row["kind"]] += cents(row["total"])
        if row["year"] == year:
            counts[row["kind"]] += row["entries"]
    return [
        KindRow(
            kind=str(kind),
            label=str(label),
            group=GROUP_OF_KIND[str(kind)],
            amount=amounts[year, kind],
            previous=amounts[year - 1, kind],
            entries=counts[kind],
        )
        for kind, label in Kind.choices
    ]


def _months(rows: Iterable[Mapping[str, Any]], year: int, opening: Decimal) -> list[MonthRow]:
    sums: dict[tuple[int, int], dict[str, Decimal]] = {
        (y, month): {name: ZERO for name, _label, _kinds in GROUPS}
        for y in (year - 1, year)
        for month in range(1, 13)
    }
    for row in rows:
        sums[row["year"], row["month"]][GROUP_OF_KIND[row["kind"]]] += cents(row["total"])
    months, balance = [], opening
    for month in range(1, 13):
        groups, before = sums[year, month], sums[year - 1, month]
        movement = sum(groups.values(), ZERO)
        balance += movement
        months.append(
            MonthRow(
                month=date(year, month, 1),
                groups=groups,
                movement=movement,
                balance=balance,
                previous_income=before["income"],
                previous_movement=sum(before.values(), ZERO),
            )
        )
    return months


def _clients(units: Sequence[ProductionUnit], year: int) -> list[ClientRow]:
    """The year's turnover entries summed per client of their source invoice or credit note;
    entries without an invoice as source (rare: posted by hand) under one row without a
    client. Two queries: the sums per client (each entry's invoice looked up by its index),
    then the clients' names."""
    invoice_type = ContentType.objects.get_for_model(Invoice)
    invoice = Invoice.objects.filter(pk=Cast(OuterRef("source_id"), BigIntegerField()))
    # The CASE keeps the cast away from other sources' ids (not all of them are numbers).
    client = Case(
        When(source_type=invoice_type.pk, then=Subquery(invoice.values("client_id")[:1])),
        default=None,
    )
    sums = list(
        _entries(units)
        .filter(booked_on__year=year, kind=Kind.TURNOVER)
        .annotate(client=client)
        .values("client")
        .annotate(
            invoiced=Sum("amount", filter=Q(amount__gt=0)),
            credited=Sum("amount", filter=Q(amount__lt=0)),
            documents=Count("id"),
        )
        .order_by()
    )
    names = dict(
        Client.objects.filter(pk__in=[row["client"] for row in sums if row["client"]]).values_list(
            "pk", "name"
        )
    )
    rows = [
        ClientRow(
            client_id=row["client"],
            name=names[row["client"]] if row["client"] else str(_("Without an invoice")),
            invoiced=cents(row["invoiced"] or ZERO),
            credited=cents(row["credited"] or ZERO),
            documents=row["documents"] if row["client"] else 0,
        )
        for row in sums
    ]
    return sorted(rows, key=lambda row: (-row.net, row.name))


def _receivables(units: Sequence[ProductionUnit], today: date) -> Receivables:
    """Issued invoices still owed (balance due > 0), by due date; the first ones listed (two
    queries)."""
    rows = list(
        invoices_with_balance(invoices=Invoice.objects.filter(unit__in=[u.pk for u in units]))
        .filter(balance_due__gt=0)
        .order_by("due_date", "pk")
        .values_list("pk", "due_date", "balance_due")
    )
    soon = today + timedelta(days=SOON_DAYS)
    buckets = {"overdue": ZERO, "soon": ZERO, "later": ZERO}
    for _pk, due, owed in rows:
        if due is not None and due < today:
            buckets["overdue"] += cents(owed)
        elif due is None or due <= soon:
            buckets["soon"] += cents(owed)
        else:
            buckets["later"] += cents(owed)
    listed = {pk: cents(owed) for pk, _due, owed in rows[:RECEIVABLES_LISTED]}
    documents = Invoice.objects.filter(pk__in=list(listed)).select_related(
        "series", "client", "unit"
    )
    first = [
        OpenInvoice(
            pk=invoice.pk,
            number=invoice.display_number,
            client=invoice.client.name,
            unit_code=invoice.unit.code,
            due_date=invoice.due_date,
            balance_due=listed[invoice.pk],
        )
        for invoice in sorted(documents, key=lambda i: (i.due_date or date.max, i.pk))
    ]
    return Receivables(
        total=sum(buckets.values(), ZERO),
        overdue=buckets["overdue"],
        due_soon=buckets["soon"],
        due_later=buckets["later"],
        count=len(rows),
        first=first,
    )


def accounting_year(*, units: Sequence[ProductionUnit], year: int, today: date) -> AccountingYear:
    """The units' year read from their ledger (the year before alongside), their clients'
    turnover, and what clients owe on `today`. A fixed number of queries (six)."""
    totals = _totals(units, year)
    opening = cents(totals["opening"] or ZERO)
    rows = _by_month_and_kind(units, year)
    kinds = _kinds(rows, year)
    groups = {name: ZERO for name, _label, _kinds in GROUPS}
    previous = dict(groups)
    for row in kinds:
        groups[row.group] += row.amount
        previous[row.group] += row.previous
    return AccountingYear(
        year=year,
        units=list(units),
        entries=totals["entries"],
        opening=opening,
        ledger_closing=cents(totals["closing"] or ZERO),
        kinds=kinds,
        months=_months(rows, year, opening),
        clients=_clients(units, year),
        receivables=_receivables(units, today),
        groups=groups,
        previous_groups=previous,
    )


def year_movements(*, units: Sequence[ProductionUnit], year: int) -> list[dict]:
    """The year's ledger entries in date order, each with its source document's reference
    (an invoice's number and client, a purchase's supplier invoice, a claim, a run): one query
    for the entries and one per kind of source document."""
    entries = list(
        _entries(units)
        .filter(booked_on__year=year)
        .order_by("booked_on", "id")
        .values("id", "booked_on", "unit__code", "kind", "label", "label_code", "label_params",
                "amount", "source_type_id", "source_id")
    )  # fmt: skip
    wanted: dict[int, set[str]] = defaultdict(set)
    for entry in entries:
        if entry["source_type_id"] and entry["source_id"]:
            wanted[entry["source_type_id"]].add(entry["source_id"])
    references: dict[tuple[int, str], tuple[str, str]] = {}
    for type_id, ids in wanted.items():
        content_type = ContentType.objects.get_for_id(type_id)
        model = content_type.model_class()
        if model is None:
            continue
        objects = model._default_manager.filter(pk__in=list(ids))
        if model is Invoice:
            objects = objects.select_related("series", "client")
        for obj in objects:
            references[type_id, str(obj.pk)] = _document(obj)
    labels = dict(Kind.choices)
    return [
        {
            **entry,
            # In the reader's language (production_units.ledger_labels); old entries, their text.
            "label": ledger_label(
                entry["label_code"], entry["label_params"], fallback=entry["label"]
            ),
            "amount": cents(entry["amount"]),
            "kind_label": str(labels.get(entry["kind"], entry["kind"])),
            "document": references.get((entry["source_type_id"], entry["source_id"]), ("", ""))[0],
            "reference": references.get((entry["source_type_id"], entry["source_id"]), ("", ""))[1],
        }
        for entry in entries
    ]


def _document(obj: Model) -> tuple[str, str]:
    """A source document's kind and reference, as the member knows them."""
    if isinstance(obj, Invoice):
        return str(obj.get_kind_display()), f"{obj.display_number} · {obj.client.name}"
    kind = str(obj._meta.verbose_name)
    number = getattr(obj, "supplier_invoice_number", "")
    if number:
        return kind, f"{number} · {getattr(obj, 'supplier_name', '')}"
    return kind, str(obj)


@dataclass(frozen=True)
class MemberYear:
    """ "My year at the cooperative", for whoever helps the member with their tax return."""

    year: int
    accounts: AccountingYear
    turnover: Decimal  # the ledger's turnover entries of the member's units (net of VAT)
    expenses_reimbursed: Decimal  # the ledger's expense reimbursements, as a positive amount
    salary_gross: Decimal  # the member's own payslips of the year
    salary_net: Decimal
    payslips: int
    shares: SharePosition  # held on the 31st of December
    attestations: list[Attestation]


def member_year(*, member: Member, user: User, year: int, today: date) -> MemberYear:
    """The member's year: their units' ledger read (accounting_year), the payslips of their
    worker file, their shares on the 31st of December and their attestations covering the
    year that are ready to download."""
    accounts = accounting_year(units=list(accounting_units(user=user)), year=year, today=today)
    amounts = {row.kind: row.amount for row in accounts.kinds}
    pay = Payslip.objects.filter(worker__user=user, period__year=year).aggregate(
        gross=Sum("gross"), net=Sum("net"), count=Count("id")
    )
    attestations = list(
        Attestation.objects.filter(
            worker__user=user,
            status=Attestation.Status.READY,
            period_start__lte=date(year, 12, 31),
            period_end__gte=date(year, 1, 1),
        ).order_by("kind", "period_start", "pk")
    )
    return MemberYear(
        year=year,
        accounts=accounts,
        turnover=amounts[Kind.TURNOVER],
        expenses_reimbursed=-amounts[Kind.EXPENSE],
        salary_gross=cents(pay["gross"] or ZERO),
        salary_net=cents(pay["net"] or ZERO),
        payslips=pay["count"],
        shares=member_shares(member=member, at=date(year, 12, 31)),
        attestations=attestations,
    )
