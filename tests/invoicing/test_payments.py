"""Payments recorded by an advisor, the matching queue, balances, states and receivables."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import audit_trail
from invoicing.invoice_services import credit_note_create, invoice_create, invoice_issue
from invoicing.models import Client, Invoice, Payment
from invoicing.payment_services import payment_ignore, payment_match, payment_record
from invoicing.selectors import (
    PaymentState,
    invoice_amount_paid,
    invoice_balance_due,
    invoice_payment_state,
    invoices_to_refund,
    invoices_with_balance,
    overdue_invoices,
    receivables_by_client,
    receivables_by_unit,
    receivables_total,
    unmatched_payments,
)
from tests.invoicing_helpers import line, make_client

pytestmark = pytest.mark.django_db

ISSUED_ON = date(2026, 10, 1)  # due on 2026-10-11 (10-day term)
PAID_ON = date(2026, 10, 15)


@pytest.fixture
def brasserie(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


def issue(owner, unit, client, unit_price, *, quantity="1", day=ISSUED_ON, rate="21"):
    lines = [line(quantity=quantity, unit_price=unit_price, rate=rate)]
    invoice = invoice_create(by=owner, unit=unit, client=client, lines=lines)
    return invoice_issue(invoice=invoice, by=owner, issue_date=day)


@pytest.fixture
def invoice(alice, alice_3en1, brasserie):
    """121.00 € incl. VAT, due 2026-10-11."""
    return issue(alice, alice_3en1, brasserie, "100.00")


def test_a_new_invoice_is_unpaid_with_its_total_due(invoice):
    assert invoice.total == Decimal("121.00")
    assert invoice_amount_paid(invoice=invoice) == Decimal("0.00")
    assert invoice_balance_due(invoice=invoice) == Decimal("121.00")
    assert invoice_payment_state(invoice=invoice) == PaymentState.UNPAID


def test_a_partial_payment_makes_it_partially_paid_then_paid_after_the_second(invoice, claire):
    payment_record(invoice=invoice, amount=Decimal("100.00"), received_on=PAID_ON, by=claire)

    assert invoice_payment_state(invoice=invoice) == PaymentState.PARTIALLY_PAID
    assert invoice_balance_due(invoice=invoice) == Decimal("21.00")

    payment_record(invoice=invoice, amount="21,00", received_on=PAID_ON, by=claire)

    assert invoice_payment_state(invoice=invoice) == PaymentState.PAID
    assert invoice_amount_paid(invoice=invoice) == Decimal("121.00")
    assert invoice_balance_due(invoice=invoice) == Decimal("0.00")


def test_an_overpayment_shows_a_negative_balance_and_a_refund_brings_it_back(invoice, claire):
    payment_record(invoice=invoice, amount=Decimal("150.00"), received_on=PAID_ON, by=claire)

    assert invoice_payment_state(invoice=invoice) == PaymentState.OVERPAID
    assert invoice_balance_due(invoice=invoice) == Decimal("-29.00")
    assert list(invoices_to_refund()) == [invoice]

    refund = payment_record(
        invoice=invoice, amount=Decimal("-29.00"), received_on=PAID_ON, by=claire, note="virement"
    )

    assert refund.amount == Decimal("-29.00")
    assert invoice_payment_state(invoice=invoice) == PaymentState.PAID
    assert invoice_balance_due(invoice=invoice) == Decimal("0.00")
    assert list(invoices_to_refund()) == []


def test_a_refund_cannot_give_back_more_than_was_paid(invoice, claire):
    payment_record(invoice=invoice, amount=Decimal("50.00"), received_on=PAID_ON, by=claire)

    with pytest.raises(ValidationError) as error:
        payment_record(invoice=invoice, amount=Decimal("-50.01"), received_on=PAID_ON, by=claire)

    assert "amount" in error.value.message_dict
    assert "50.00" in error.value.message_dict["amount"][0]
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "can't be zero"),
        ("0,00", "can't be zero"),
        (Decimal("10.005"), "two decimals"),
        ("ten euros", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_a_bad_amount_is_refused_naming_the_field_and_nothing_is_saved(
    invoice, claire, amount, message
):
    with pytest.raises(ValidationError) as error:
        payment_record(invoice=invoice, amount=amount, received_on=PAID_ON, by=claire)

    assert message in error.value.message_dict["amount"][0]
    assert Payment.objects.count() == 0


def test_money_received_in_the_future_is_refused(invoice, claire):
    with pytest.raises(ValidationError) as error:
        payment_record(invoice=invoice, amount="10", received_on=date(2999, 1, 1), by=claire)

    assert "received_on" in error.value.message_dict
    assert Payment.objects.count() == 0


def test_only_an_advisor_records_a_payment(invoice, alice):
    with pytest.raises(PermissionDenied):
        payment_record(invoice=invoice, amount="121.00", received_on=PAID_ON, by=alice)

    assert Payment.objects.count() == 0


def test_a_draft_or_a_credit_note_cannot_receive_a_payment(alice, alice_3en1, brasserie, claire):
    draft = invoice_create(by=alice, unit=alice_3en1, client=brasserie, lines=[line()])
    issued = issue(alice, alice_3en1, brasserie, "100.00")
    credit = invoice_issue(
        invoice=credit_note_create(invoice=issued, by=alice), by=alice, issue_date=ISSUED_ON
    )

    for document in (draft, credit):
        with pytest.raises(ValidationError, match="issued invoice"):
            payment_record(invoice=document, amount="10.00", received_on=PAID_ON, by=claire)
    assert Payment.objects.count() == 0


def test_recording_a_payment_is_audited_on_the_invoice(invoice, claire):
    payment = payment_record(
        invoice=invoice, amount="121.00", received_on=PAID_ON, by=claire, note="cash at the office"
    )

    event = audit_trail(invoice).get(action="payment.recorded")
    assert event.actor == claire
    assert event.changes["payment"] == payment.pk
    assert Decimal(event.changes["amount"]) == Decimal("121.00")
    assert event.reason == "cash at the office"
    assert (payment.source, payment.status) == (Payment.Source.MANUAL, Payment.Status.MATCHED)


def test_credit_notes_reduce_what_is_due_and_a_full_one_cancels_the_invoice(
    alice, alice_3en1, brasserie
):
    partly = issue(alice, alice_3en1, brasserie, "100.00")
    note = credit_note_create(invoice=partly, by=alice, lines=[line(unit_price="40.00")])
    invoice_issue(invoice=note, by=alice, issue_date=ISSUED_ON)
    fully = issue(alice, alice_3en1, brasserie, "100.00")
    invoice_issue(
        invoice=credit_note_create(invoice=fully, by=alice), by=alice, issue_date=ISSUED_ON
    )
    # A credit note still in draft changes nothing.
    credit_note_create(invoice=partly, by=alice, lines=[line(unit_price="10.00")])

    assert invoice_balance_due(invoice=partly) == Decimal("72.60")  # 121.00 − 48.40
    assert invoice_payment_state(invoice=partly) == PaymentState.UNPAID
    assert invoice_balance_due(invoice=fully) == Decimal("0.00")
    assert invoice_payment_state(invoice=fully) == PaymentState.CREDITED


def test_drafts_and_credit_notes_owe_nothing_and_have_no_payment_state(
    alice, alice_3en1, brasserie
):
    draft = invoice_create(by=alice, unit=alice_3en1, client=brasserie, lines=[line()])

    assert invoice_balance_due(invoice=draft) == Decimal("0.00")
    assert invoice_payment_state(invoice=draft) is None


def _queued_payment(amount="121.00"):
    return Payment.objects.create(
        status=Payment.Status.UNMATCHED,
        source=Payment.Source.CAMT053,
        amount=Decimal(amount),
        received_on=PAID_ON,
        payer_name="Brasserie",
        bank_reference=f"BE15068211111130:TEST-{amount}",
    )


def test_an_advisor_matches_a_queued_payment_to_an_invoice(invoice, claire):
    queued = _queued_payment()
    assert list(unmatched_payments()) == [queued]

    payment_match(payment=queued, invoice=invoice, by=claire)

    queued.refresh_from_db()
    assert (queued.status, queued.invoice) == (Payment.Status.MATCHED, invoice)
    assert invoice_payment_state(invoice=invoice) == PaymentState.PAID
    assert list(unmatched_payments()) == []
    assert audit_trail(invoice).get(action="payment.matched").actor == claire

    with pytest.raises(ValidationError, match="already matched"):
        payment_match(payment=queued, invoice=invoice, by=claire)


def test_a_member_cannot_match_or_set_aside_a_payment(invoice, alice):
    queued = _queued_payment()

    with pytest.raises(PermissionDenied):
        payment_match(payment=queued, invoice=invoice, by=alice)
    with pytest.raises(PermissionDenied):
        payment_ignore(payment=queued, by=alice, reason="not ours")
    queued.refresh_from_db()
    assert queued.status == Payment.Status.UNMATCHED


def test_setting_a_payment_aside_needs_a_reason_and_is_audited(claire):
    queued = _queued_payment()

    with pytest.raises(ValidationError) as error:
        payment_ignore(payment=queued, by=claire, reason="  ")
    assert "reason" in error.value.message_dict
    queued.refresh_from_db()
    assert queued.status == Payment.Status.UNMATCHED

    payment_ignore(payment=queued, by=claire, reason="Loan repayment, not an invoice")

    queued.refresh_from_db()
    assert queued.status == Payment.Status.IGNORED
    assert "Loan repayment" in queued.note
    assert audit_trail(queued).get(action="payment.ignored").reason == (
        "Loan repayment, not an invoice"
    )
    with pytest.raises(ValidationError):
        payment_ignore(payment=queued, by=claire, reason="again")


def test_a_payment_set_aside_by_mistake_can_still_be_matched(invoice, claire):
    queued = _queued_payment()
    payment_ignore(payment=queued, by=claire, reason="looked like a donation")

    payment_match(payment=queued, invoice=invoice, by=claire)

    assert invoice_payment_state(invoice=invoice) == PaymentState.PAID


def test_overdue_invoices_are_those_past_due_still_owing(alice, alice_3en1, brasserie, claire):
    late = issue(alice, alice_3en1, brasserie, "100.00")
    paid = issue(alice, alice_3en1, brasserie, "200.00")
    payment_record(invoice=paid, amount=paid.total, received_on=PAID_ON, by=claire)
    partly = issue(alice, alice_3en1, brasserie, "300.00")
    payment_record(invoice=partly, amount="63.00", received_on=PAID_ON, by=claire)
    recent = issue(alice, alice_3en1, brasserie, "50.00", day=date(2026, 10, 20))  # due 10-30

    rows = {inv.pk: inv for inv in overdue_invoices(on=date(2026, 10, 25))}

    assert set(rows) == {late.pk, partly.pk}
    assert rows[partly.pk].balance_due == Decimal("300.00")
    assert rows[late.pk].last_reminder_step is None
    assert {inv.pk for inv in overdue_invoices(on=date(2026, 10, 31))} == {
        late.pk,
        partly.pk,
        recent.pk,
    }
    # On the due date itself, nothing is late yet.
    assert not overdue_invoices(on=date(2026, 10, 11)).exists()


def test_balances_of_a_list_cost_one_query_whatever_its_length(
    alice, alice_3en1, brasserie, claire, django_assert_num_queries
):
    for price in ("10.00", "20.00", "30.00", "40.00"):
        invoice = issue(alice, alice_3en1, brasserie, price)
        payment_record(invoice=invoice, amount="5.00", received_on=PAID_ON, by=claire)

    with django_assert_num_queries(1):
        rows = list(invoices_with_balance().order_by("pk"))
        states = [invoice_payment_state(invoice=row) for row in rows]
        dues = [invoice_balance_due(invoice=row) for row in rows]

    assert states == [PaymentState.PARTIALLY_PAID] * 4
    assert dues == [Decimal("7.10"), Decimal("19.20"), Decimal("31.30"), Decimal("43.40")]


def test_receivables_per_unit_client_and_in_total_are_the_sums_of_what_is_owed(
    alice, alice_3en1, alice_activity, brasserie, claire
):
    theatre = Client.objects.get(name="Théâtre de la Place")
    ecole = Client.objects.get(name="Ecole des Arts Gent")
    on = date(2026, 10, 25)
    # (unit, client, unit price, paid, issue day): totals at 21 % VAT.
    plan = [
        (alice_3en1, brasserie, "100.00", None, ISSUED_ON),  # 121.00 owed, overdue
        (alice_3en1, brasserie, "0.10", "0.03", ISSUED_ON),  # 0.12 − 0.03 = 0.09 owed, overdue
        (alice_3en1, theatre, "50.00", "60.50", ISSUED_ON),  # paid in full: nothing owed
        (alice_3en1, theatre, "10.00", "20.00", ISSUED_ON),  # overpaid: not a receivable
        (alice_3en1, theatre, "333.33", "100.00", date(2026, 10, 20)),  # 403.33 − 100, not late
        (alice_activity, ecole, "1000.00", "210.00", ISSUED_ON),  # 1210 − 210 = 1000, overdue
        (alice_activity, ecole, "0.20", None, date(2026, 10, 20)),  # 0.24, not late
    ]
    invoices = []
    for unit, client, price, paid, day in plan:
        invoice = issue(alice, unit, client, price, day=day)
        if paid:
            payment_record(invoice=invoice, amount=paid, received_on=PAID_ON, by=claire)
        invoices.append(invoice)
    # A credit note on the 403.33 theatre invoice: 403.33 − 100 − 12.10 = 291.23 owed.
    invoice_issue(
        invoice=credit_note_create(invoice=invoices[4], by=alice, lines=[line(unit_price="10.00")]),
        by=alice,
        issue_date=date(2026, 10, 20),
    )
    # Drafts owe nothing.
    invoice_create(by=alice, unit=alice_3en1, client=brasserie, lines=[line(unit_price="999")])

    expected_owed = {
        invoices[0].pk: Decimal("121.00"),
        invoices[1].pk: Decimal("0.09"),
        invoices[4].pk: Decimal("291.23"),
        invoices[5].pk: Decimal("1000.00"),
        invoices[6].pk: Decimal("0.24"),
    }
    late = {invoices[0].pk, invoices[1].pk, invoices[5].pk}
    by_pk = {invoice.pk: invoice for invoice in invoices}

    def expected(key):
        groups = {}
        for pk, owed in expected_owed.items():
            group = groups.setdefault(key(by_pk[pk]), [Decimal("0.00"), Decimal("0.00"), 0])
            group[0] += owed
            group[1] += owed if pk in late else Decimal("0.00")
            group[2] += 1
        return groups

    total = receivables_total(on=on)
    assert (total["amount"], total["overdue"], total["invoices"]) == (
        Decimal("1412.56"),
        Decimal("1121.09"),
        5,
    )
    assert total["amount"] == sum(expected_owed.values())
    assert {
        row["unit_id"]: [row["amount"], row["overdue"], row["invoices"]]
        for row in receivables_by_unit(on=on)
    } == expected(lambda invoice: invoice.unit_id)
    assert {
        row["client_id"]: [row["amount"], row["overdue"], row["invoices"]]
        for row in receivables_by_client(on=on)
    } == expected(lambda invoice: invoice.client_id)
    # Restricted to what one member may see: only her units' invoices.
    only_activity = receivables_total(on=on, invoices=Invoice.objects.filter(unit=alice_activity))
    assert only_activity["amount"] == Decimal("1000.24")
