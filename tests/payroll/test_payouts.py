"""Payouts: batches of credit transfers written as pain.001, marked sent."""

import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import sepaxml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from core.audit import audit_trail
from members.models import RefundPayout
from payroll.models import ExpenseClaim, PayoutBatch, PayoutLine
from payroll.pay.payouts import (
    is_banking_day,
    next_banking_day,
    next_run_day,
    payout_batch_content,
    payout_batch_mark_sent,
    payout_batch_prepare,
    payout_lines_from_refunds,
    payout_schedule,
)
from payroll.tasks import prepare_scheduled_payouts
from tests.payouts_helpers import (
    IBAN_A,
    IBAN_B,
    IBAN_C,
    NS,
    SMARTCOOP_BIC,
    SMARTCOOP_IBAN,
    make_claim,
    make_line,
    make_refund,
    make_worker,
    parse,
    text,
    transactions,
)

pytestmark = pytest.mark.django_db

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def execution(today):
    return next_banking_day(today)


@pytest.fixture
def three_due(today):
    """Three lines due (one overdue), one due later: 1,234.56 + 0.01 + 80.00 are due."""
    elise = make_worker("Élise", "Dürer", IBAN_A, 41)
    marc = make_worker("Marc", "Peeters", IBAN_B, 43)
    return [
        make_line(amount="1234.56", due_on=today - timedelta(days=3), worker=elise),
        make_line(amount="0.01", due_on=today, worker=marc, kind=PayoutLine.Kind.EXPENSE),
        make_line(amount="80.00", due_on=today + timedelta(days=2), worker=elise),
        make_line(amount="999.99", due_on=today + timedelta(days=30), worker=marc),
    ]


def _prepare(capture, **kwargs):
    with capture(execute=True):
        return payout_batch_prepare(**kwargs)


def test_a_batch_takes_every_line_due_and_writes_a_valid_pain001(
    django_capture_on_commit_callbacks, three_due, today, execution, admin_user
):
    due_by = today + timedelta(days=2)
    batch = _prepare(
        django_capture_on_commit_callbacks, due_by=due_by, execution_date=execution, by=admin_user
    )
    assert batch.count == 3
    assert batch.total == Decimal("1314.57")  # 1234.56 + 0.01 + 80.00
    assert batch.status == PayoutBatch.Status.PREPARED
    assert set(batch.lines.values_list("pk", flat=True)) == {line.pk for line in three_due[:3]}
    assert PayoutLine.objects.get(pk=three_due[3].pk).batch is None

    content = Path(batch.file.path).read_bytes()
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.fromstring(content))
    root = parse(content)
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == batch.reference
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == "3"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == "1314.57"
    payment = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert text(payment, "p:NbOfTxs") == "3"
    assert text(payment, "p:CtrlSum") == "1314.57"
    assert text(payment, "p:ReqdExctnDt/p:Dt") == execution.isoformat()
    assert text(payment, "p:Dbtr/p:Nm") == "SmartCoop SC"
    assert text(payment, "p:DbtrAcct/p:Id/p:IBAN") == SMARTCOOP_IBAN
    assert text(payment, "p:DbtrAgt/p:FinInstnId/p:BICFI") == SMARTCOOP_BIC
    first, second, third = three_due[:3]
    assert transactions(root) == [
        {
            "end_to_end": f"SCPAY-{first.pk}",
            "amount": Decimal("1234.56"),
            "currency": "EUR",
            "name": "Elise Durer",  # SEPA's Latin character set
            "iban": IBAN_A,
            "remittance": "advance Elise Durer",
        },
        {
            "end_to_end": f"SCPAY-{second.pk}",
            "amount": Decimal("0.01"),
            "currency": "EUR",
            "name": "Marc Peeters",
            "iban": IBAN_B,
            "remittance": "expense Marc Peeters",
        },
        {
            "end_to_end": f"SCPAY-{third.pk}",
            "amount": Decimal("80.00"),
            "currency": "EUR",
            "name": "Elise Durer",
            "iban": IBAN_A,
            "remittance": "advance Elise Durer",
        },
    ]
    event = audit_trail(batch).first()
    assert event.action == "payout_batch.prepared"
    assert event.actor == admin_user
    assert event.changes["count"] == 3
    assert event.changes["total"] == "1314.57"


def test_preparing_again_batches_nothing_twice(
    django_capture_on_commit_callbacks, three_due, today, execution
):
    due_by = today + timedelta(days=2)
    first = _prepare(
        django_capture_on_commit_callbacks, due_by=due_by, execution_date=execution, by=None
    )
    again = _prepare(
        django_capture_on_commit_callbacks, due_by=due_by, execution_date=execution, by=None
    )
    assert first is not None
    assert again is None
    assert PayoutBatch.objects.count() == 1
    # A later due date takes only the line left out.
    later = _prepare(
        django_capture_on_commit_callbacks,
        due_by=today + timedelta(days=30),
        execution_date=execution,
        by=None,
    )
    assert list(later.lines.all()) == [three_due[3]]
    assert later.total == Decimal("999.99")


def test_nothing_due_prepares_no_batch(django_capture_on_commit_callbacks, today, execution):
    make_line(amount="10.00", due_on=today + timedelta(days=10))
    batch = _prepare(
        django_capture_on_commit_callbacks, due_by=today, execution_date=execution, by=None
    )
    assert batch is None
    assert not PayoutBatch.objects.exists()


def test_a_batch_can_take_some_kinds_only(
    django_capture_on_commit_callbacks, three_due, today, execution
):
    batch = _prepare(
        django_capture_on_commit_callbacks,
        due_by=today + timedelta(days=2),
        execution_date=execution,
        by=None,
        kinds=[PayoutLine.Kind.EXPENSE],
    )
    assert list(batch.lines.all()) == [three_due[1]]
    assert batch.total == Decimal("0.01")


def test_the_file_is_the_same_for_the_same_lines_but_for_its_timestamp(
    django_capture_on_commit_callbacks, three_due, today, execution
):
    batch = _prepare(
        django_capture_on_commit_callbacks,
        due_by=today + timedelta(days=2),
        execution_date=execution,
        by=None,
    )
    stored = Path(batch.file.path).read_bytes()
    again = payout_batch_content(batch=batch)

    def without_timestamp(content):
        return re.sub(rb"<CreDtTm>[^<]*</CreDtTm>", b"", content)

    assert without_timestamp(again) == without_timestamp(stored)
    assert b"<CreDtTm>" in stored


def test_a_line_with_an_invalid_iban_waits_and_the_others_are_paid(
    django_capture_on_commit_callbacks, today, execution
):
    good = make_line(amount="50.00", due_on=today)
    bad = make_line(amount="70.00", due_on=today, worker=make_worker("Zoe", "Bad", IBAN_B, 45))
    PayoutLine.objects.filter(pk=bad.pk).update(iban="BE00000000000000")
    batch = _prepare(
        django_capture_on_commit_callbacks, due_by=today, execution_date=execution, by=None
    )
    assert list(batch.lines.all()) == [good]
    assert PayoutLine.objects.get(pk=bad.pk).batch is None


@pytest.mark.parametrize(
    ("shift", "message"),
    [(-1, "can't be in the past"), (None, "must be a banking day")],
)
def test_a_bad_execution_date_is_refused_naming_the_field(today, shift, message):
    make_line(amount="10.00", due_on=today)
    if shift is None:
        day = today + timedelta(days=1)
        while is_banking_day(day):
            day += timedelta(days=1)
    else:
        day = today + timedelta(days=shift)
    with pytest.raises(ValidationError) as error:
        payout_batch_prepare(due_by=today, execution_date=day, by=None)
    assert message in " ".join(error.value.message_dict["execution_date"])
    assert not PayoutBatch.objects.exists()


def test_a_member_cannot_prepare_a_batch(alice, today, execution):
    make_line(amount="10.00", due_on=today)
    with pytest.raises(PermissionDenied):
        payout_batch_prepare(due_by=today, execution_date=execution, by=alice)
    assert not PayoutBatch.objects.exists()


def test_an_unknown_kind_is_refused_naming_the_field(today, execution):
    with pytest.raises(ValidationError) as error:
        payout_batch_prepare(due_by=today, execution_date=execution, by=None, kinds=["bonus"])
    assert "kinds" in error.value.message_dict


# Share refunds --------------------------------------------------------------------------


def test_each_pending_refund_gets_one_payout_line(alice, bob, claire, today):
    pending = make_refund(alice, amount="90.00")
    make_refund(bob, amount="30.00", status=RefundPayout.Status.PAID)
    assert payout_lines_from_refunds(by=claire) == 1
    assert payout_lines_from_refunds(by=claire) == 0
    line = PayoutLine.objects.get()
    assert line.kind == PayoutLine.Kind.SHARE_REFUND
    assert line.refund == pending
    assert line.amount == Decimal("90.00")
    assert line.iban == IBAN_C
    assert line.beneficiary == pending.beneficiary
    assert line.remittance == pending.remittance
    assert line.due_on == today
    assert audit_trail(line).first().action == "payout_line.created"


# Marking sent ---------------------------------------------------------------------------


def test_marking_sent_pays_the_refunds_and_reimburses_the_claims(
    django_capture_on_commit_callbacks, alice, alice_3en1, claire, today, execution
):
    refund = make_refund(alice, amount="60.00")
    payout_lines_from_refunds(by=claire)
    worker = make_worker()
    claim = make_claim(alice_3en1, worker, alice)
    make_line(
        amount="42.10",
        due_on=today,
        kind=PayoutLine.Kind.EXPENSE,
        worker=worker,
        expense_claim=claim,
    )
    make_line(amount="300.00", due_on=today, worker=worker)
    batch = _prepare(
        django_capture_on_commit_callbacks, due_by=today, execution_date=execution, by=claire
    )
    assert batch.count == 3
    assert batch.total == Decimal("402.10")  # 60.00 + 42.10 + 300.00

    payout_batch_mark_sent(batch=batch, by=claire)

    batch.refresh_from_db()
    refund.refresh_from_db()
    claim.refresh_from_db()
    assert batch.status == PayoutBatch.Status.SENT
    assert refund.status == RefundPayout.Status.PAID
    assert refund.paid_on == execution
    assert claim.status == ExpenseClaim.Status.REIMBURSED
    assert audit_trail(batch).first().action == "payout_batch.sent"
    assert audit_trail(batch).first().changes["refunds_paid"] == 1
    assert audit_trail(claim).first().action == "expense_claim.reimbursed"
    assert audit_trail(claim).first().actor == claire
    assert audit_trail(refund).first().action == "refund_payout.paid"


def test_marking_sent_twice_changes_nothing_more(
    django_capture_on_commit_callbacks, claire, today, execution
):
    make_line(amount="10.00", due_on=today)
    batch = _prepare(
        django_capture_on_commit_callbacks, due_by=today, execution_date=execution, by=claire
    )
    payout_batch_mark_sent(batch=batch, by=claire)
    events = audit_trail(batch).count()
    payout_batch_mark_sent(batch=batch, by=claire)
    assert audit_trail(batch).count() == events


def test_a_claim_no_longer_approved_stops_the_batch_being_marked_sent(
    django_capture_on_commit_callbacks, alice, alice_3en1, claire, today, execution
):
    worker = make_worker()
    claim = make_claim(alice_3en1, worker, alice)
    make_line(
        amount="42.10",
        due_on=today,
        kind=PayoutLine.Kind.EXPENSE,
        worker=worker,
        expense_claim=claim,
    )
    batch = _prepare(
        django_capture_on_commit_callbacks, due_by=today, execution_date=execution, by=claire
    )
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=ExpenseClaim.Status.REJECTED)
    with pytest.raises(ValidationError) as error:
        payout_batch_mark_sent(batch=batch, by=claire)
    assert "status" in error.value.message_dict
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PREPARED


# Schedule, task and command ---------------------------------------------------------------


def test_runs_are_on_tuesdays_and_fridays_and_execute_on_the_next_banking_day():
    tuesday, friday = date(2026, 3, 10), date(2026, 3, 13)
    assert next_run_day(tuesday) == friday
    assert next_run_day(friday) == date(2026, 3, 17)
    assert payout_schedule(on=friday) == (date(2026, 3, 17), date(2026, 3, 16))
    # Good Friday 3 April and Easter Monday 6 April 2026 are TARGET2 holidays.
    assert next_banking_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert not is_banking_day(date(2026, 12, 26))


def test_the_scheduled_task_pays_what_is_due_before_the_next_run(
    django_capture_on_commit_callbacks, alice, today
):
    refund = make_refund(alice, amount="30.00")
    due = make_line(amount="25.00", due_on=next_run_day(today))
    later = make_line(amount="35.00", due_on=next_run_day(today) + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        batch_id = prepare_scheduled_payouts(today.isoformat())
    batch = PayoutBatch.objects.get(pk=batch_id)
    assert batch.execution_date == next_banking_day(today)
    assert set(batch.lines.all()) == {due, PayoutLine.objects.get(refund=refund)}
    assert batch.total == Decimal("55.00")
    assert PayoutLine.objects.get(pk=later.pk).batch is None
    with django_capture_on_commit_callbacks(execute=True):
        assert prepare_scheduled_payouts(today.isoformat()) is None


def test_the_command_prepares_a_batch_and_says_when_nothing_is_due(
    django_capture_on_commit_callbacks, today
):
    make_line(amount="12.34", due_on=today)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prepare_payouts", "--due-by", today.isoformat(), stdout=out)
    batch = PayoutBatch.objects.get()
    assert batch.reference in out.getvalue()
    assert batch.total == Decimal("12.34")
    assert batch.file  # written after the command's transaction committed
    out = StringIO()
    call_command("prepare_payouts", "--due-by", today.isoformat(), stdout=out)
    assert "Nothing is due" in out.getvalue()


def test_a_file_the_schema_refuses_is_never_written():
    from payroll.pay.sepa import Debtor, Transfer, pain001

    debtor = Debtor(name="SmartCoop SC", iban=SMARTCOOP_IBAN, bic=SMARTCOOP_BIC)
    transfer = Transfer(
        end_to_end_id="SCPAY-1", name="Elise", iban=IBAN_A, amount=Decimal("1.00"), remittance=""
    )
    with pytest.raises(ValidationError, match="pain.001 schema"):
        pain001(
            message_id="PAYOUT-1",
            debtor=debtor,
            execution_date=date(2026, 3, 10),
            transfers=[transfer],
        )
