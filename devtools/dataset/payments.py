"""The clients' payments of the year's invoices (p. 36: 14,235,942 € "d'encours", what the
clients still owed at the end of the year), as invoicing.payment_services.bank_statement_import
records them: one bank statement per legal entity's account and banking day, one payment per
entry matched to its invoice by the structured reference, the `payment.matched` audit event
of each payment and the `bank_statement.imported` event of each statement.

Delays: the client pays after a delay of a fixed shape (prompt payers within the term the
invoicing policy gives, 10 days at the time; late payers after it; a few very late; a few
never), all delays multiplied by one factor calibrated by bisection so that the invoices still
owed on 31 December add up to the report's receivables × the scale. A payment is booked on a
working day (core.calendar.is_working_day), never after today.
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
# The shape of the delays, in days after the issue, before the calibrated factor (not in the
# report: plausible orders of magnitude). Prompt: a uniform share of the payment term. Late:
# the term and an exponential delay of LATE_MEAN days. Very late: the term and 30 to 120
# days. Unpaid: never. How many end up paid after their due date follows from the factor.
SHARES = {"prompt": 0.60, "late": 0.35, "very_late": 0.04, "unpaid": 0.01}
LATE_MEAN = 20.0
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


def delay_days(factor: float, base: float) -> int:
    """Days from the issue to the payment: the base delay × the factor, at least one."""
    return max(1, math.ceil(factor * base))


class PaymentGenerator:
    def __init__(self, ctx, issued: list[Issued]):
        self.ctx, self.issued = ctx, issued
        self.year = ctx.year
        self.payment_count = self.statement_count = 0
        self.factor = 1.0
        self.receivables = Decimal("0.00")
        self.paid_late = self.unpaid = 0

    def target(self) -> Decimal:
        return (RECEIVABLES * Decimal(str(self.ctx.scale))).quantize(Decimal("0.01"))

    def _draws(self) -> list[float | None]:
        """The base delay of each invoice's payment in days after its issue (None: unpaid)."""
        rng = self.ctx.rng("payments")
        kinds, weights = list(SHARES), list(SHARES.values())
        draws: list[float | None] = []
        for invoice in self.issued:
            kind = rng.choices(kinds, weights)[0]
            term = max(1, (invoice.due_date - invoice.issue_date).days)
            if kind == "prompt":
                draws.append(term * rng.random())
            elif kind == "late":
                draws.append(term + rng.expovariate(1 / LATE_MEAN))
            elif kind == "very_late":
                draws.append(term + rng.uniform(*VERY_LATE_DAYS))
            else:
                draws.append(None)
        return draws

    def _calibrate(self, draws: list[float | None], last_working: date) -> float:
        """The factor on every delay that leaves the target owed on 31 December: the unpaid
        invoices, and those whose payment falls after the year's last working day (booked in
        the next year)."""
        unpaid, left = Decimal(0), []
        for invoice, base in zip(self.issued, draws, strict=True):
            if base is None:
                unpaid += invoice.total
            else:
                left.append(((last_working - invoice.issue_date).days, base, invoice.total))

        def owed(factor: float) -> float:
            pushed = sum(
                (total for days, base, total in left if delay_days(factor, base) > days),
                Decimal(0),
            )
            return float(unpaid + pushed)

        return bisect_parameter(owed, float(self.target()), 0.0, 10.0, steps=30)

    def plan(self) -> list[tuple[Issued, date | None]]:
        """(invoice, day the payment is booked or None) for every issued invoice."""
        draws = self._draws()
        year_end = date(self.year, 12, 31)
        last_working = year_end
        while not is_working_day(last_working):
            last_working -= timedelta(days=1)
        self.factor = self._calibrate(draws, last_working)
        today = timezone.localdate()
        plan = []
        for invoice, base in zip(self.issued, draws, strict=True):
            day = None
            if base is not None:
                raw = invoice.issue_date + timedelta(days=delay_days(self.factor, base))
                day = _working_day_on_or_after(raw)
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
