"""Late-payment interest and the fixed indemnity of the law of 2 August 2002, claimed in the
reminders to business clients (issue 16): the rate in force on each day late (it changes by
half-year, dated data), none for a private person."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core import mail

from invoicing.late_payment import late_charges
from invoicing.models import Client, Invoice, LatePaymentRate, Reminder
from invoicing.reminders import reminders_send_due

# The reminders' fixtures: alice's invoice of 121.00 € to a company, due on 11/10/2026.
from tests.invoicing.test_reminders import brasserie, day, invoice, issue  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal


def _invoice(due: date, kind: str) -> Invoice:
    return Invoice(due_date=due, client=Client(kind=kind))


def _expected(amount: Decimal, spans: list[tuple[int, str]]) -> Decimal:
    """Σ amount × rate × days / 365, rounded once to the cent (worked out here)."""
    total = sum((amount * D(rate) / 100 * days / 365 for days, rate in spans), D(0))
    return total.quantize(D("0.01"), ROUND_HALF_UP)


def test_the_rate_of_each_day_applies_across_a_change_of_half_year():
    # Due 20 June 2025: 10 days at 11.5 % (21-30 June), 10 days at 10.5 % (1-10 July).
    charges = late_charges(
        invoice=_invoice(date(2025, 6, 20), "company"), amount_due=D("1000.00"),
        on=date(2025, 7, 10),
    )  # fmt: skip
    assert charges.interest == _expected(D("1000.00"), [(10, "11.5"), (10, "10.5")]) == D("6.03")
    assert charges.indemnity == D("40.00")
    assert charges.days == 20
    assert [rate for _start, _end, rate in charges.periods] == [D("11.50"), D("10.50")]


@pytest.mark.parametrize("kind", ["company", "non_profit", "public_body"])
def test_businesses_and_public_bodies_owe_it(kind):
    charges = late_charges(
        invoice=_invoice(date(2026, 1, 10), kind), amount_due=D("500.00"), on=date(2026, 2, 9)
    )
    assert charges.interest == _expected(D("500.00"), [(30, "10.5")])
    assert charges.total == charges.interest + D("40.00")


def test_a_private_person_owes_neither():
    charges = late_charges(
        invoice=_invoice(date(2026, 1, 10), "person"), amount_due=D("500.00"), on=date(2026, 3, 1)
    )
    assert (charges.interest, charges.indemnity) == (D("0.00"), D("0.00"))


def test_nothing_before_the_due_date_or_once_paid():
    company = _invoice(date(2026, 1, 10), "company")
    assert late_charges(invoice=company, amount_due=D("500.00"), on=date(2026, 1, 10)).total == 0
    assert late_charges(invoice=company, amount_due=D("0.00"), on=date(2026, 2, 1)).total == 0


def test_a_new_rate_entered_in_the_back_office_applies_from_its_day():
    LatePaymentRate.objects.filter(valid_to__isnull=True).update(valid_to=date(2026, 6, 30))
    LatePaymentRate.objects.create(valid_from=date(2026, 7, 1), rate=D("9.75"))
    charges = late_charges(
        invoice=_invoice(date(2026, 6, 25), "company"), amount_due=D("2000.00"),
        on=date(2026, 7, 4),
    )  # fmt: skip
    assert charges.interest == _expected(D("2000.00"), [(5, "10.5"), (4, "9.75")])


def test_the_reminder_to_a_business_client_claims_them_and_keeps_them(invoice):  # noqa: F811
    reminders_send_due(today=day(7))
    reminder = Reminder.objects.get()
    expected = _expected(D("121.00"), [(7, "10.5")])
    assert (reminder.late_interest, reminder.indemnity) == (expected, D("40.00"))
    body = mail.outbox[0].body
    assert "2 août 2002" in body or "2 August 2002" in body
    claimed = D("121.00") + expected + D("40.00")
    assert f"{claimed}".replace(".", ",") in body  # French: the client's language
