"""The clients' payments of the year's invoices (p. 36: 14,235,942 € "d'encours", what the
clients still owed at the end of the year), as invoicing.payment_services.bank_statement_import
records them: one bank statement per legal entity's account and banking day, one payment per
entry matched to its invoice by the structured reference, the `payment.matched` audit event
of each payment and the `bank_statement.imported` event of each statement.

Delays, counted from the due date the invoicing policy gives (10 days at the time): most
clients pay by the due date, some late, a few very late, a few not at all. How late the late
payers are is calibrated by bisection so that the invoices still owed on 31 December add up to
the report's receivables × the scale. A payment is booked on a working day
(core.calendar.is_working_day), never after today.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from core.calendar import is_working_day
from invoicing.models import BankStatement, Invoice, Payment

from .identifiers import belgian_iban
from .people import at
from .sampling import bisect_parameter

# p. 36: what the clients owed at the end of 2025 ("encours").
RECEIVABLES = Decimal("14235942")
# The shape of the delays (not in the report: plausible orders of magnitude). On time: paid
# between the day after the issue and the due date. Late: after the due date, an exponential
# delay whose mean is calibrated. Very late: 1 to 4 months after the due date. Unpaid: never.
SHARES = {"on_time": 0.60, "late": 0.355, "very_late": 0.03, "unpaid": 0.015}
VERY_LATE_DAYS = (30, 120)
MATCHED_BY = "structured_reference"


@dataclass(eq=False)
class Issued:
    """What the payments need of an issued invoice (kept by the invoice stage)."""

    id: int
    entity: str
    issue_date: date
    due_date: date
    total: Decimal
    client: object  # invoices.ClientRow
    reference: str
    display: str


def _working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def late_days(late_mean: float, value: float) -> int:
    return max(1, math.ceil(late_mean * value))


def raw_day(invoice: Issued, kind: str, value: float, late_mean: float) -> date | None:
    """The day the client pays (before moving to a working day); None: never."""
    if kind == "unpaid":
        return None
    if kind == "on_time":
        return invoice.issue_date + timedelta(days=int(value))
    if kind == "very_late":
        return invoice.due_date + timedelta(days=int(value))
    return invoice.due_date + timedelta(days=late_days(late_mean, value))


class PaymentGenerator:
    def __init__(self, ctx, issued: list[Issued]):
        self.ctx, self.issued = ctx, issued
        self.year = ctx.year
        self.payment_count = self.statement_count = 0
        self.late_mean_days = 0.0
        self.receivables = Decimal("0.00")
        self.paid_late = self.unpaid = 0

    def target(self) -> Decimal:
        return (RECEIVABLES * Decimal(str(self.ctx.scale))).quantize(Decimal("0.01"))

    def _draws(self) -> list[tuple[str, float]]:
        """(kind, value) per invoice: the days after the issue (on time), after the due date
        (very late), an exponential draw of mean 1 (late: × the calibrated mean)."""
        rng = self.ctx.rng("payments")
        kinds, weights = list(SHARES), list(SHARES.values())
        draws = []
        for invoice in self.issued:
            kind = rng.choices(kinds, weights)[0]
            if kind == "on_time":
                term = max(1, (invoice.due_date - invoice.issue_date).days)
                draws.append((kind, float(rng.randint(1, term))))
            elif kind == "very_late":
                draws.append((kind, float(rng.randint(*VERY_LATE_DAYS))))
            else:
                draws.append((kind, rng.expovariate(1.0)))
        return draws

    def _calibrate(self, draws: list[tuple[str, float]], last_working: date) -> float:
        """The late payers' mean delay after the due date that leaves the target owed on 31
        December: what is owed whatever that delay, plus the late payments pushed past the
        year's last working day (booked in the next year)."""
        fixed, late = Decimal(0), []
        for invoice, (kind, value) in zip(self.issued, draws, strict=True):
            if kind == "late":
                late.append(((last_working - invoice.due_date).days, value, invoice.total))
            elif (day := raw_day(invoice, kind, value, 0.0)) is None or day > last_working:
                fixed += invoice.total

        def owed(late_mean: float) -> float:
            pushed = sum(
                (total for left, value, total in late if late_days(late_mean, value) > left),
                Decimal(0),
            )
            return float(fixed + pushed)

        return bisect_parameter(owed, float(self.target()), 0.0, 365.0, steps=30)

    def plan(self) -> list[tuple[Issued, date | None]]:
        """(invoice, day the payment is booked or None) for every issued invoice."""
        draws = self._draws()
        year_end = date(self.year, 12, 31)
        last_working = year_end
        while not is_working_day(last_working):
            last_working -= timedelta(days=1)
        self.late_mean_days = self._calibrate(draws, last_working)
        today = timezone.localdate()
        plan = []
        for invoice, (kind, value) in zip(self.issued, draws, strict=True):
            day = raw_day(invoice, kind, value, self.late_mean_days)
            if day is not None:
                day = _working_day_on_or_after(day)
                if day > today:
                    day = None
            plan.append((invoice, day))
        self.receivables = sum(
            (invoice.total for invoice, day in plan if day is None or day > year_end),
            Decimal("0.00"),
        )
        self.paid_late = sum(1 for invoice, day in plan if day and day > invoice.due_date)
        self.unpaid = sum(1 for _invoice, day in plan if day is None)
        return plan

    def write(self) -> None:
        ctx = self.ctx
        plan = [(invoice, day) for invoice, day in self.plan() if day is not None]
        plan.sort(key=lambda pair: (pair[0].entity, pair[1], pair[0].id))
        rng = ctx.rng("payer-accounts")
        accounts: dict[int, str] = {}
        statement_id = ctx.writer.next_id(BankStatement)
        payment_id = ctx.writer.next_id(Payment)
        invoice_type = ctx.content_type(Invoice)
        statement_type = ctx.content_type(BankStatement)
        statements, payments, audits = [], [], []
        position, key = 0, None
        for invoice, day in plan:
            entity = ctx.legal_entities[invoice.entity]
            if (invoice.entity, day) != key:
                key, position = (invoice.entity, day), 0
                identifier = f"{day:%Y%m%d}-{entity.code}"
                digest = hashlib.sha256(
                    f"dataset:{ctx.seed}:{entity.iban}:{identifier}".encode()
                ).hexdigest()
                statements.append(
                    [statement_id, identifier, entity.iban, digest, day, at(day, 7 * 3600), 0]
                )
                statement_id += 1
            statement = statements[-1]
            position += 1
            statement[6] = position
            client = invoice.client
            if client.country == "BE" and client.id not in accounts:
                accounts[client.id] = belgian_iban(rng)
            received_at = at(day, 7 * 3600 + position % 3600)
            payments.append(
                (payment_id, "matched", "camt053", invoice.total, day, client.name[:200],
                 accounts.get(client.id, ""), invoice.reference, "",
                 f"{entity.iban}:{statement[1]}#{position}", received_at, None, invoice.id,
                 statement[0])
            )  # fmt: skip
            audits.append(
                (received_at, None, "payment.matched", invoice_type, invoice.id, invoice.display,
                 {"payment": payment_id, "amount": invoice.total, "rule": MATCHED_BY})
            )  # fmt: skip
            payment_id += 1
        writer = ctx.writer
        writer.copy(
            BankStatement,
            ["id", "identifier", "account_iban", "file_sha256", "statement_date", "imported_at",
             "entry_count", "imported_by_id"],
            ((*row, None) for row in statements),
        )  # fmt: skip
        writer.copy(
            Payment,
            ["id", "status", "source", "amount", "received_on", "payer_name", "payer_iban",
             "communication", "note", "bank_reference", "created_at", "created_by_id",
             "invoice_id", "statement_id"],
            payments,
        )  # fmt: skip
        for sid, identifier, iban, _digest, day, _at, count in statements:
            audits.append(
                (at(day, 7 * 3600 + 3599), None, "bank_statement.imported", statement_type, sid,
                 f"{iban} {identifier}",
                 {"created": count, "matched": count, "unmatched": 0, "ignored": 0})
            )  # fmt: skip
        audits.sort(key=lambda event: event[0])
        ctx.audit_many(audits)
        self.payment_count, self.statement_count = len(payments), len(statements)
