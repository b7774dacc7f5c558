"""What tests/devtools/test_dataset_calibration.py checks on the generated year, read with
queries on the rows (called by test_generate_dataset.measured inside its transaction)."""

from datetime import date

import holidays
from django.db.models import Count, F, Q, Sum

from core.models import AuditEvent
from invoicing.models import BankStatement, Invoice, Payment
from members.models import Member, RefundPayout, ShareRegisterEntry
from payroll.models import Contract
from production_units.models import LedgerEntry


def _off_days(year: int) -> set[date]:
    """The year's Belgian public holidays, from the holidays package directly."""
    return set(holidays.country_holidays("BE", years=[year, year + 1]))


def _not_working(day: date, off: set[date]) -> bool:
    return day.weekday() >= 5 or day in off


def _completed_years(since: date, on: date) -> int:
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def measure(year: int) -> dict:
    off = _off_days(year)
    year_end = date(year, 12, 31)
    m: dict = {}
    invoices = Invoice.objects.filter(status="issued", kind="invoice")
    m["invoice_days_off"] = sorted(
        {day for day in invoices.values_list("issue_date", flat=True) if _not_working(day, off)}
    )
    m["invoices"] = invoices.count()
    m["invoiced_incl_vat"] = invoices.aggregate(s=Sum("total"))["s"]
    paid_by_year_end = Payment.objects.filter(status="matched", received_on__lte=year_end)
    m["receivables"] = m["invoiced_incl_vat"] - (
        paid_by_year_end.aggregate(s=Sum("amount"))["s"] or 0
    )
    payments = Payment.objects.select_related("invoice")
    m["payments"] = payments.count()
    m["payment_problems"] = [
        (p.pk, p.received_on, p.amount)
        for p in payments
        if p.status != "matched"
        or p.source != "camt053"
        or p.amount != p.invoice.total
        or p.received_on <= p.invoice.issue_date
        or _not_working(p.received_on, off)
        or p.communication != p.invoice.structured_reference
        or p.statement_id is None
        or p.statement.statement_date != p.received_on
    ]
    m["payments_per_invoice"] = set(
        payments.values("invoice_id").annotate(n=Count("id")).values_list("n", flat=True)
    )
    m["paid_late"] = payments.filter(received_on__gt=F("invoice__due_date")).count()
    m["unpaid"] = invoices.filter(payments__isnull=True).count()
    m["matched_events"] = AuditEvent.objects.filter(action="payment.matched").count()
    m["statements"] = BankStatement.objects.count()
    m["statement_entries"] = BankStatement.objects.aggregate(s=Sum("entry_count"))["s"]
    m["imported_events"] = AuditEvent.objects.filter(action="bank_statement.imported").count()
    refunds = ShareRegisterEntry.objects.filter(operation="refund")
    m["refunds"] = [
        (e.date, -e.shares, -e.paid_amount, e.unit_price, e.decision_reference,
         getattr(e, "payout", None))
        for e in refunds.select_related("payout")
    ]  # fmt: skip
    m["refund_members_holding"] = sorted(
        Member.objects.filter(pk__in=refunds.values("member_id"))
        .annotate(held=Sum("share_entries__shares"))
        .values_list("held", flat=True)
    )
    m["withdrawn_events"] = AuditEvent.objects.filter(action="shares.withdrawn").count()
    m["payouts_paid"] = RefundPayout.objects.filter(status="paid").count()
    m["open_ended_workers"] = (
        Contract.objects.filter(contract_type__code="open-ended")
        .values("worker_id")
        .distinct()
        .count()
    )
    loans = LedgerEntry.objects.filter(kind__in=["loan_disbursement", "loan_repayment"])
    m["loans"] = loans.aggregate(
        count=Count("id", filter=Q(kind="loan_disbursement")),
        lent=Sum("amount", filter=Q(kind="loan_disbursement")),
        repaid=Sum("amount", filter=Q(kind="loan_repayment")),
        entries=Count("id"),
        days_off=Count("id", filter=Q(booked_on__week_day__in=[1, 7])),
    )
    m["ledger_events"] = AuditEvent.objects.filter(action="ledger.posted").count()
    m["ledger_entries"] = LedgerEntry.objects.count()
    people = Member.objects.exclude(member_since=None)
    ages = [_completed_years(born, year_end) for born in
            people.exclude(birth_date=None).values_list("birth_date", flat=True)]  # fmt: skip
    seniority = [_completed_years(since, year_end) for since in
                 people.values_list("member_since", flat=True)]  # fmt: skip
    m["mean_age"] = sum(ages) / len(ages)
    m["mean_seniority"] = sum(seniority) / len(seniority)
    return m
