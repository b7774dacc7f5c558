"""Overdue follow-up: reminders at the policy's steps, once each, in the invoice's language."""

from datetime import date, timedelta
from decimal import Decimal
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from core.audit import audit_trail
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import InvoicingPolicy, Reminder
from invoicing.payment_services import payment_record
from invoicing.reminders import due_step, reminders_pause, reminders_send_due
from invoicing.tasks import send_due_reminders
from tests.invoicing_helpers import line, make_client

pytestmark = pytest.mark.django_db

DUE = date(2026, 10, 11)  # issued 2026-10-01 with the 10-day term; steps 7, 21, 35


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


@pytest.fixture
def brasserie(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


@pytest.fixture
def issue(alice, alice_3en1, brasserie):
    def issue(unit_price="100.00", *, client=brasserie, language=""):
        invoice = invoice_create(
            by=alice,
            unit=alice_3en1,
            client=client,
            lines=[line(unit_price=unit_price)],
            language=language,
        )
        return invoice_issue(invoice=invoice, by=alice, issue_date=date(2026, 10, 1))

    return issue


@pytest.fixture
def invoice(issue):
    """F-2026-000001, 121.00 €, +++112/6000/00142+++, due 2026-10-11, in French."""
    invoice = issue()
    assert (invoice.due_date, invoice.language) == (DUE, "fr")
    return invoice


def test_no_reminder_before_due_date_plus_the_first_step(invoice):
    run = reminders_send_due(today=day(6))

    assert run.sent == []
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_one_reminder_on_the_first_step_and_none_again_the_same_day(invoice):
    run = reminders_send_due(today=day(7))
    again = reminders_send_due(today=day(7))

    assert [r.step_days for r in run.sent] == [7]
    assert again.sent == []
    reminder = Reminder.objects.get()
    assert (reminder.invoice, reminder.step_days, reminder.amount_due) == (
        invoice,
        7,
        Decimal("121.00"),
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["compta@brasserie.test"]
    # Nothing more until the next step.
    assert reminders_send_due(today=day(20)).sent == []
    assert len(mail.outbox) == 1


def test_the_next_step_sends_the_second_reminder(invoice):
    reminders_send_due(today=day(7))

    run = reminders_send_due(today=day(21))

    assert [r.step_days for r in run.sent] == [21]
    assert list(invoice.reminders.values_list("step_days", flat=True)) == [7, 21]
    assert len(mail.outbox) == 2


def test_a_first_run_long_after_sends_only_the_highest_step_reached(invoice):
    run = reminders_send_due(today=day(40))
    later = reminders_send_due(today=day(90))

    assert [r.step_days for r in run.sent] == [35]
    assert later.sent == []  # 35 is the last step
    assert list(invoice.reminders.values_list("step_days", flat=True)) == [35]
    assert len(mail.outbox) == 1


def test_the_email_holds_the_structured_reference_and_the_amount_due_in_french(invoice, claire):
    payment_record(invoice=invoice, amount="21.00", received_on=day(1), by=claire)

    reminders_send_due(today=day(7))

    message = mail.outbox[0]
    assert "F-2026-000001" in message.subject
    assert "+++112/6000/00142+++" in message.body
    assert "100,00 €" in message.body  # French decimal comma: 121.00 − 21.00
    assert "121,00 €" in message.body  # the invoice total
    assert "BE15 0682 1111 1130" in message.body  # where to pay
    assert "11 octobre 2026" in message.body  # the due date, in French
    assert Reminder.objects.get().amount_due == Decimal("100.00")


def test_the_email_is_in_the_invoice_language(issue):
    issue(language="en")

    reminders_send_due(today=day(7))

    message = mail.outbox[0]
    assert message.subject.startswith("Payment reminder: invoice F-2026-000001")
    assert "Amount due: 121.00 €" in message.body
    assert "Structured communication: +++112/6000/00142+++" in message.body
    assert "due on 11 October 2026" in message.body
    assert "It is 7 days late." in message.body


def test_paused_invoices_get_no_reminder_until_resumed(invoice, claire):
    reminders_pause(invoice=invoice, by=claire, paused=True, reason="Client disputes the hours")

    assert reminders_send_due(today=day(7)).sent == []
    assert mail.outbox == []

    reminders_pause(invoice=invoice, by=claire, paused=False, reason="")
    assert [r.step_days for r in reminders_send_due(today=day(8)).sent] == [7]
    actions = list(audit_trail(invoice).values_list("action", "reason"))
    assert ("invoice.reminders_paused", "Client disputes the hours") in actions
    assert ("invoice.reminders_resumed", "") in actions


def test_pausing_is_for_advisors_and_needs_a_reason(invoice, alice, claire):
    with pytest.raises(PermissionDenied):
        reminders_pause(invoice=invoice, by=alice, paused=True, reason="please")
    with pytest.raises(ValidationError) as error:
        reminders_pause(invoice=invoice, by=claire, paused=True, reason=" ")
    assert "reason" in error.value.message_dict
    invoice.refresh_from_db()
    assert invoice.reminders_paused is False


def test_paid_invoices_get_no_reminder(invoice, claire):
    payment_record(invoice=invoice, amount="121.00", received_on=day(3), by=claire)

    assert reminders_send_due(today=day(7)).sent == []
    assert mail.outbox == []


def test_a_partly_paid_invoice_is_reminded_of_the_rest_only(invoice, claire):
    payment_record(invoice=invoice, amount="100.00", received_on=day(3), by=claire)

    run = reminders_send_due(today=day(7))

    assert run.sent[0].amount_due == Decimal("21.00")
    assert "21,00 €" in mail.outbox[0].body


def test_a_client_without_email_is_reported_not_reminded(issue, alice, alice_3en1, claire):
    silent = make_client(alice, alice_3en1, verify_by=claire, name="Sans Mail SRL", email="")
    invoice = issue(client=silent)

    run = reminders_send_due(today=day(7))

    assert run.sent == [] and run.without_email == [invoice]
    assert not Reminder.objects.exists()


def test_a_mail_that_fails_records_nothing_and_the_next_run_sends_it(invoice, issue, monkeypatch):
    other = issue("200.00")
    sent_to = []

    def flaky_send(message, fail_silently=False):
        if message.body.count("F-2026-000001"):
            raise SMTPException("mail server down")
        sent_to.append(message.subject)
        return 1

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky_send)
    run = reminders_send_due(today=day(7))

    assert [invoice_ for invoice_, _error in run.failed] == [invoice]
    assert [r.invoice for r in run.sent] == [other]  # one failure doesn't stop the others
    assert not invoice.reminders.exists()

    monkeypatch.undo()
    retry = reminders_send_due(today=day(7))
    assert [r.invoice for r in retry.sent] == [invoice]
    assert len(mail.outbox) == 1


def test_the_steps_come_from_the_policy_in_force(invoice):
    InvoicingPolicy.objects.update(valid_to=date(2026, 10, 14))
    InvoicingPolicy.objects.create(
        valid_from=date(2026, 10, 15), reminder_days="3,10", approval_threshold=Decimal("10000")
    )

    assert [r.step_days for r in reminders_send_due(today=day(5)).sent] == [3]
    assert [r.step_days for r in reminders_send_due(today=day(10)).sent] == [10]


@pytest.mark.parametrize(
    ("offset", "step"), [(-1, None), (0, None), (6, None), (7, 7), (20, 7), (21, 21), (99, 35)]
)
def test_due_step_is_the_highest_step_reached(offset, step):
    assert due_step(due_date=DUE, today=day(offset), steps=[7, 21, 35]) == step


def test_the_command_sends_for_the_given_date_and_prints_a_summary(invoice, capsys):
    call_command("send_reminders", "--date", day(7).isoformat())

    out = capsys.readouterr().out
    assert "F-2026-000001: reminder +7 days, 121.00 € due." in out
    assert "1 reminder(s) sent" in out
    assert len(mail.outbox) == 1


def test_the_command_refuses_a_bad_date(invoice):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "18/10/2026")
    assert not Reminder.objects.exists()


def test_the_daily_task_sends_what_is_due_today_once(invoice):
    expected = due_step(due_date=DUE, today=timezone.localdate(), steps=[7, 21, 35])

    first = send_due_reminders.delay()
    second = send_due_reminders.delay()

    assert (first.get(), second.get()) == (1, 0)
    assert list(invoice.reminders.values_list("step_days", flat=True)) == [expected]
