"""The dataset's money and people calibrated on the 2025 report (issue 16): the clients'
payments leave the report's receivables at the end of the year, shares are refunded, loans
granted, some members are on open-ended contracts, invoices and payments fall on working days,
and the members' average age and seniority are the report's. Measured on the year
test_generate_dataset generates (scale 0.005, seed 1), with queries on the rows."""

from datetime import date
from decimal import Decimal

import pytest

from tests.devtools.test_generate_dataset import SCALE, YEAR, measured

pytestmark = pytest.mark.django_db

# p. 36 of the report: 14,235,942 € owed by the clients ("d'encours") at the end of 2025.
RECEIVABLES_AT_SCALE = Decimal("14235942") * Decimal(str(SCALE))  # 71,179.71 €


def calibration() -> dict:
    return measured()["calibration"]


def test_receivables_at_year_end_are_the_report_s_within_five_percent():
    c = calibration()
    assert abs(c["receivables"] - RECEIVABLES_AT_SCALE) <= RECEIVABLES_AT_SCALE * Decimal("0.05")
    # Most of the year's invoicing is paid: what is owed is a few weeks of it.
    assert Decimal("0.03") < c["receivables"] / c["invoiced_incl_vat"] < Decimal("0.10")


def test_payments_are_bank_statement_entries_matched_on_working_days():
    c = calibration()
    assert c["payments"] > 0.9 * c["invoices"]
    # Matched by structured reference, the invoice's total, after its issue, on a working
    # day, on the statement of that day (see dataset_calibration.measure).
    assert c["payment_problems"] == []
    assert c["payments_per_invoice"] == {1}
    assert c["matched_events"] == c["payments"] == c["statement_entries"]
    assert c["imported_events"] == c["statements"] > 0


def test_some_clients_pay_late_and_a_few_never():
    c = calibration()
    assert c["paid_late"] >= 0.1 * c["invoices"]
    assert 1 <= c["unpaid"] <= 0.05 * c["invoices"]


def test_no_invoice_on_a_weekend_or_a_belgian_public_holiday():
    c = calibration()
    assert c["invoices"] > 1_000
    assert c["invoice_days_off"] == []


def test_shares_are_refunded_with_their_payouts():
    c = calibration()
    # 928 × 0.005 = 4.64: 5 shares.
    assert sum(shares for _day, shares, *_rest in c["refunds"]) == 5
    for day, shares, paid, price, decision, payout in c["refunds"]:
        assert date(YEAR, 1, 1) <= day <= date(YEAR, 12, 31)
        assert paid == shares * price == payout.amount
        assert payout.status == "paid" and payout.paid_on >= day
        assert decision.startswith(f"CA-{YEAR}-")
    assert c["withdrawn_events"] == len(c["refunds"]) == c["payouts_paid"]
    # Withdrawals keep at least one share: the members stay.
    assert c["refund_members_holding"] and min(c["refund_members_holding"]) >= 1


def test_open_ended_contracts_exist():
    # 30 × 0.005 = 0.15: at least one member.
    assert calibration()["open_ended_workers"] == 1


def test_loans_are_disbursed_and_partly_repaid_in_the_ledger():
    loans = calibration()["loans"]
    assert loans["count"] == 1  # 67 × 0.005 = 0.335: at least one
    assert abs(loans["lent"] - Decimal("1099.75")) <= Decimal("0.50")  # 219,949 € × 0.005
    assert loans["repaid"] is None or -loans["lent"] < loans["repaid"] < 0
    assert loans["days_off"] == 0


def test_every_ledger_entry_is_audited():
    c = calibration()
    assert c["ledger_events"] == c["ledger_entries"]


def test_members_average_age_and_seniority_are_the_report_s():
    c = calibration()
    # p. 32: 43 years old and 5.5 years of seniority on average, in completed years; at this
    # scale (228 members) the draws inside the bands move the averages by some tenths.
    assert abs(c["mean_age"] - 43) <= 1.0
    assert abs(c["mean_seniority"] - 5.5) <= 0.75
