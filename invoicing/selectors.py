"""Reads about what clients owe: payments, balances due, overdue invoices, receivables.

A balance due is the invoice's total, less the credit notes issued against it, less the
payments matched to it (refunds are negative payments). Everything is computed in the
database, set-based, so lists and dashboards cost one query whatever their size.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dated import in_force
from core.money import cents
from production_units.models import ProductionUnit

from .models import Client, Invoice, InvoicingPolicy, Payment, Reminder

ZERO = Decimal("0.00")
MONEY = models.DecimalField(max_digits=14, decimal_places=2)


def invoicing_policy_on(day: date) -> InvoicingPolicy:
    """The invoicing policy in force on `day` (payment term, approval threshold, reminder
    steps). Raises ValidationError when none is."""
    return in_force(
        InvoicingPolicy, day, missing=gettext("No invoicing policy is in force on %(day)s.")
    )


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", _("unpaid")
    PARTIALLY_PAID = "partially_paid", _("partially paid")
    PAID = "paid", _("paid")
    OVERPAID = "overpaid", _("overpaid")
    CREDITED = "credited", _("cancelled by a credit note")


def _money_sum(queryset: models.QuerySet, group_by: str, amount: str) -> Coalesce:
    """A correlated subquery: the sum of `amount` over `queryset` rows of the outer invoice."""
    total = (
        queryset.order_by()
        .values(group_by)
        .annotate(total=Sum(amount, output_field=MONEY))
        .values("total")
    )
    # Round: SQLite sums in floating point; PostgreSQL's numeric is exact and unchanged by it.
    return Coalesce(Round(Subquery(total, output_field=MONEY), 2), Value(ZERO), output_field=MONEY)


def invoices_with_balance(*, invoices: models.QuerySet | None = None) -> models.QuerySet:
    """Issued invoices (not credit notes) of `invoices` (default: all), annotated with
    `amount_paid`, `amount_credited` and `balance_due` (negative when overpaid)."""
    queryset = Invoice.objects.all() if invoices is None else invoices
    paid = Payment.objects.filter(invoice=OuterRef("pk"), status=Payment.Status.MATCHED)
    credited = Invoice.objects.filter(
        credited_invoice=OuterRef("pk"),
        kind=Invoice.Kind.CREDIT_NOTE,
        status=Invoice.Status.ISSUED,
    )
    return (
        queryset.filter(status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE)
        .annotate(
            amount_paid=_money_sum(paid, "invoice", "amount"),
            amount_credited=_money_sum(credited, "credited_invoice", "total"),
        )
        .annotate(
            balance_due=Round(
                F("total") - F("amount_credited") - F("amount_paid"), 2, output_field=MONEY
            )
        )
    )


BALANCES = ("amount_paid", "amount_credited", "balance_due")


def with_balances(invoices: list[Invoice]) -> list[Invoice]:
    """Set the annotations of invoices_with_balance on the issued invoices of a list, in one
    query whatever its length, so that the selectors below read them instead of querying
    once per invoice."""
    ids = [inv.pk for inv in invoices if inv.kind == Invoice.Kind.INVOICE and inv.is_issued]
    if not ids:
        return invoices
    rows = {
        row["pk"]: row
        for row in invoices_with_balance(invoices=Invoice.objects.filter(pk__in=ids)).values(
            "pk", *BALANCES
        )
    }
    for invoice in invoices:
        row = rows.get(invoice.pk)
        if row is not None:
            for name in BALANCES:
                setattr(invoice, name, row[name])
    return invoices


def invoice_amounts(*, invoice: Invoice) -> dict[str, Decimal] | None:
    """Paid, credited and due for one invoice, to the cent: its annotations when it has them,
    else one query. None for drafts and credit notes, which nobody owes."""
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED:
        return None
    if hasattr(invoice, "balance_due"):
        amounts = {name: getattr(invoice, name) for name in BALANCES}
    else:
        amounts = (
            invoices_with_balance(invoices=Invoice.objects.filter(pk=invoice.pk))
            .values(*BALANCES)
            .get()
        )
    return {name: cents(amounts[name]) for name in BALANCES}


def invoice_amount_paid(*, invoice: Invoice) -> Decimal:
    """What the client has paid on this invoice, net of refunds (0.00 for drafts, credit notes)."""
    amounts = invoice_amounts(invoice=invoice)
    return amounts["amount_paid"] if amounts else ZERO


def invoice_balance_due(*, invoice: Invoice) -> Decimal:
    """What the client still owes: total − credit notes issued against it − payments matched.
    Negative when overpaid (to refund). 0.00 for drafts and credit notes."""
    amounts = invoice_amounts(invoice=invoice)
    return amounts["balance_due"] if amounts else ZERO


def invoice_payment_state(*, invoice: Invoice) -> PaymentState | None:
    """Unpaid, partially paid, paid, overpaid, or cancelled by a credit note.
    None for drafts and credit notes."""
    amounts = invoice_amounts(invoice=invoice)
    if amounts is None:
        return None
    return payment_state(**amounts)


def payment_state(
    *, amount_paid: Decimal, amount_credited: Decimal, balance_due: Decimal
) -> PaymentState:
    """The state that goes with these amounts (for rows annotated by invoices_with_balance)."""
    if balance_due < 0:
        return PaymentState.OVERPAID
    if balance_due == 0:
        if amount_paid == 0 and amount_credited > 0:
            return PaymentState.CREDITED
        return PaymentState.PAID
    if amount_paid > 0:
        return PaymentState.PARTIALLY_PAID
    return PaymentState.UNPAID


def overdue_invoices(*, on: date, invoices: models.QuerySet | None = None) -> models.QuerySet:
    """Issued invoices still owing money whose due date is before `on`, annotated with the
    balances and `last_reminder_step` (the highest step already sent, None if none)."""
    last_step = (
        Reminder.objects.filter(invoice=OuterRef("pk"))
        .order_by("-step_days")
        .values("step_days")[:1]
    )
    return (
        invoices_with_balance(invoices=invoices)
        .filter(due_date__lt=on, balance_due__gt=0)
        .annotate(last_reminder_step=Subquery(last_step))
    )


def invoices_to_refund(*, invoices: models.QuerySet | None = None) -> models.QuerySet:
    """Issued invoices the client overpaid (negative balance due): refund by a negative payment."""
    return invoices_with_balance(invoices=invoices).filter(balance_due__lt=0)


def unmatched_payments() -> models.QuerySet:
    """The advisor's queue: money received that no invoice was found for, oldest first."""
    return Payment.objects.unmatched().select_related("statement").order_by("received_on", "id")


# Receivables cover the whole book of invoices: computed in one pass with joins to grouped
# payments and credit notes (a correlated subquery per invoice costs ~5 times more at scale).
_BALANCES_SQL = """
    SELECT i.id, i.unit_id, i.client_id, i.due_date,
           ROUND(i.total - COALESCE(p.paid, 0) - COALESCE(c.credited, 0), 2) AS due
    FROM {invoice} i
    LEFT JOIN (
        SELECT invoice_id, SUM(amount) AS paid FROM {payment}
        WHERE status = %s {only_payments} GROUP BY invoice_id
    ) p ON p.invoice_id = i.id
    LEFT JOIN (
        SELECT credited_invoice_id, SUM(total) AS credited FROM {invoice}
        WHERE kind = %s AND status = %s {only_credit_notes} GROUP BY credited_invoice_id
    ) c ON c.credited_invoice_id = i.id
    WHERE i.kind = %s AND i.status = %s {only_invoices}
"""
_GROUPS = {
    "total": ([], "", []),
    "unit": (
        ["unit_id", "unit__code", "unit__name"],
        "JOIN {unit} g ON g.id = b.unit_id",
        ["b.unit_id", "g.code", "g.name"],
    ),
    "client": (
        ["client_id", "client__name"],
        "JOIN {client} g ON g.id = b.client_id",
        ["b.client_id", "g.name"],
    ),
}


def _money(value: object) -> Decimal:
    # SQLite (the local demo) sums floating point; PostgreSQL returns exact Decimals.
    return cents(Decimal(str(value))) if value is not None else ZERO


def _receivables(invoices: models.QuerySet | None, on: date, group: str) -> list[dict]:
    """Open invoices (balance due > 0) summed, overall or per unit or client."""
    names, join, columns = _GROUPS[group]
    restriction, restrict_params = "", ()
    if invoices is not None:
        restriction, restrict_params = invoices.order_by().values("pk").query.sql_with_params()

    def only(column: str) -> str:
        return f"AND {column} IN ({restriction})" if restriction else ""

    balances = _BALANCES_SQL.format(
        invoice=Invoice._meta.db_table,
        payment=Payment._meta.db_table,
        only_payments=only("invoice_id"),
        only_credit_notes=only("credited_invoice_id"),
        only_invoices=only("i.id"),
    )
    join = join.format(unit=ProductionUnit._meta.db_table, client=Client._meta.db_table)
    grouping = ""
    if columns:
        grouping = f"GROUP BY {', '.join(columns)} ORDER BY {columns[1]}"
    selected = "".join(f"{column}, " for column in columns)
    # Table and column names come from the models and this module; every value is a parameter.
    sql = (
        f"SELECT {selected}SUM(b.due), SUM(CASE WHEN b.due_date < %s THEN b.due ELSE 0 END), "  # noqa: S608
        f"COUNT(*) FROM ({balances}) b {join} WHERE b.due > 0 {grouping}"
    )
    params: list[Any] = [
        on,
        Payment.Status.MATCHED, *restrict_params,
        Invoice.Kind.CREDIT_NOTE, Invoice.Status.ISSUED, *restrict_params,
        Invoice.Kind.INVOICE, Invoice.Status.ISSUED, *restrict_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        dict(zip(names, row[: len(names)], strict=True))
        | {"amount": _money(row[-3]), "overdue": _money(row[-2]), "invoices": row[-1]}
        for row in rows
    ]


def receivables_total(*, on: date, invoices: models.QuerySet | None = None) -> dict:
    """What clients owe in total (encours): {"amount", "overdue" (due before `on`), "invoices"}
    over the issued invoices of `invoices` (default: all) that are still owed money.
    Overpaid invoices don't reduce it: they are listed by invoices_to_refund."""
    return _receivables(invoices, on, "total")[0]


def receivables_by_unit(*, on: date, invoices: models.QuerySet | None = None) -> list[dict]:
    """Receivables per production unit: rows of unit_id, unit__code, unit__name, amount,
    overdue, invoices; only units with something owed, by unit code."""
    return _receivables(invoices, on, "unit")


def receivables_by_client(*, on: date, invoices: models.QuerySet | None = None) -> list[dict]:
    """Receivables per client: rows of client_id, client__name, amount, overdue, invoices;
    only clients who owe something, by name."""
    return _receivables(invoices, on, "client")
