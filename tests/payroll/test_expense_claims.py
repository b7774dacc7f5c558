"""Expense claims: the rules of payroll.expenses.services (deadline, mileage, receipts, the
balance of an Activité unit), approval into the ledger and the payouts, rejection."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.audit import audit_trail
from invoicing.models import Client
from members.models import Member
from payroll.expenses.services import (
    expense_claim_approve,
    expense_claim_reject,
    expense_claim_submit,
)
from payroll.models import ContractType, ExpenseClaim, Job, PayoutLine, PayrollPolicy
from payroll.workers.worker_services import unit_holder_worker, worker_for_member
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from production_units.services import ledger_post
from tests.expense_helpers import JPEG, PDF, PNG, alice_claim, category, jpeg, pdf
from tests.factories.members import AdvisorFactory, office

pytestmark = pytest.mark.django_db

# alice's Activité unit (UP-0002): 2400.00 − 156.00 − 312.40 − 1200.00 (devtools/demo.py)
ACTIVITY_BALANCE = Decimal("731.60")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _submit(alice, unit, **fields):
    values = {
        "unit": unit,
        "worker": unit_holder_worker(unit, by=alice),
        "category": category(),
        "spent_on": date(2026, 11, 2),
        "description": "Câbles XLR",
        "amount": Decimal("25.00"),
        "vat": Decimal("4.34"),
        "receipt": jpeg(),
        "by": alice,
        "today": date(2026, 11, 23),
    }
    values.update(fields)
    return expense_claim_submit(**values)


# --- the yearly deadline ----------------------------------------------------------------------


def test_a_claim_of_last_year_is_accepted_until_the_15th_of_january(alice, alice_activity):
    claim = _submit(alice, alice_activity, spent_on=date(2025, 12, 20), today=date(2026, 1, 15))
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    assert claim.spent_on == date(2025, 12, 20)


def test_a_claim_of_last_year_is_refused_on_the_16th_naming_the_deadline(alice, alice_activity):
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, spent_on=date(2025, 12, 20), today=date(2026, 1, 16))
    message = " ".join(_errors(excinfo)["spent_on"])
    assert "2025" in message
    assert "15 January 2026" in message  # Belgian order, in English too
    assert not ExpenseClaim.objects.exists()


def test_a_changed_policy_row_moves_the_deadline_and_the_mileage_rate(alice, alice_activity):
    current = PayrollPolicy.objects.get(valid_from=date(2025, 7, 1))
    current.valid_to = date(2026, 12, 31)
    current.save()
    PayrollPolicy.objects.create(
        valid_from=date(2027, 1, 1),
        expense_deadline_month=3,
        expense_deadline_day=31,
        mileage_rate=Decimal("0.4500"),
    )
    late = _submit(alice, alice_activity, spent_on=date(2026, 12, 10), today=date(2027, 3, 31))
    assert late.spent_on == date(2026, 12, 10)
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, spent_on=date(2026, 12, 10), today=date(2027, 4, 1))
    assert "31 March 2027" in " ".join(_errors(excinfo)["spent_on"])
    # The mileage rate is the one in force on the day of the trip: 80 km × 0.45 = 36.00.
    trip = _submit(
        alice,
        alice_activity,
        category=category("mileage"),
        spent_on=date(2027, 1, 5),
        distance_km=Decimal("80"),
        amount=None,
        receipt=None,
        today=date(2027, 1, 10),
    )
    assert trip.mileage_rate == Decimal("0.4500")
    assert trip.amount == Decimal("36.00")


def test_a_date_in_the_future_is_refused(alice, alice_activity):
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, spent_on=date(2026, 11, 24), today=date(2026, 11, 23))
    assert "spent_on" in _errors(excinfo)


# --- mileage ----------------------------------------------------------------------------------


def test_a_mileage_claim_is_km_times_the_rate_rounded_to_the_cent(alice, alice_activity):
    # 123.4 km × 0.4326 €/km = 53.38284 € → 53.38 €
    claim = _submit(
        alice,
        alice_activity,
        category=category("mileage"),
        distance_km="123.4",
        amount=None,
        vat=None,
        receipt=None,
    )
    assert claim.amount == Decimal("53.38")
    assert claim.vat == Decimal("0.00")
    assert claim.distance_km == Decimal("123.4")
    assert claim.mileage_rate == Decimal("0.4326")
    assert not claim.receipt


def test_a_mileage_amount_is_rounded_half_up(alice, alice_activity):
    # 75 km × 0.4326 = 32.445 → 32.45 (half up; half-even would give 32.44)
    claim = _submit(
        alice, alice_activity, category=category("mileage"), distance_km="75", receipt=None
    )
    assert claim.amount == Decimal("32.45")


def test_a_mileage_claim_uses_the_rate_in_force_on_the_day_of_the_trip(alice, alice_activity):
    # 100 km in March 2025, under the older rate 0.4280: 42.80 €
    claim = _submit(
        alice,
        alice_activity,
        category=category("mileage"),
        spent_on=date(2025, 3, 10),
        distance_km="100",
        receipt=None,
        today=date(2026, 1, 10),
    )
    assert claim.amount == Decimal("42.80")
    assert claim.mileage_rate == Decimal("0.4280")


def test_a_mileage_claim_needs_a_distance(alice, alice_activity):
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, category=category("mileage"), receipt=None)
    assert "distance_km" in _errors(excinfo)


# --- amounts and receipts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": Decimal("0.00")}, "amount"),
        ({"amount": Decimal("-5.00")}, "amount"),
        ({"amount": Decimal("12.345")}, "amount"),
        ({"amount": None}, "amount"),
        ({"vat": Decimal("25.01")}, "vat"),
        ({"vat": Decimal("-0.01")}, "vat"),
        ({"description": "  "}, "description"),
        ({"receipt": None}, "receipt"),
        ({"distance_km": Decimal("12")}, "distance_km"),
    ],
)
def test_bad_input_is_refused_naming_the_field(alice, alice_activity, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, **fields)
    assert field in _errors(excinfo)
    assert not ExpenseClaim.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.gif", b"GIF89a" + b"\x00" * 32, "image/gif"),
        ("ticket.jpg", PDF, "image/jpeg"),  # declared a photo, is a PDF
        ("ticket.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        ("ticket.png", JPEG, "image/png"),
        ("script.html", b"<html><script>alert(1)</script>", "text/html"),
        ("empty.jpg", b"", "image/jpeg"),
    ],
)
def test_a_receipt_that_is_not_a_jpeg_png_or_pdf_is_refused(
    alice, alice_activity, name, content, content_type
):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, receipt=upload)
    assert "receipt" in _errors(excinfo)
    assert not ExpenseClaim.objects.exists()


def test_a_receipt_over_10_mb_is_refused(alice, alice_activity):
    upload = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (10 * 2**20), content_type="image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, receipt=upload)
    assert "10 MB" in " ".join(_errors(excinfo)["receipt"])


@pytest.mark.parametrize(
    ("upload", "extension"),
    [
        (lambda: SimpleUploadedFile("IMG_1234.JPG", JPEG, content_type="image/jpeg"), ".jpg"),
        (lambda: SimpleUploadedFile("scan.png", PNG, content_type="image/png"), ".png"),
        (pdf, ".pdf"),
    ],
)
def test_a_receipt_is_stored_under_a_name_of_ours(alice, alice_activity, upload, extension):
    claim = _submit(alice, alice_activity, receipt=upload())
    assert claim.receipt.name.startswith("receipts/claims/")
    assert claim.receipt.name.endswith(extension)
    assert "IMG_1234" not in claim.receipt.name
    with claim.receipt.open("rb") as stored:
        assert stored.read(3) in (JPEG[:3], PNG[:3], PDF[:3])


# --- who may claim for which unit -------------------------------------------------------------


def test_bob_cannot_claim_on_alices_unit(alice, bob, alice_activity):
    bob_worker = worker_for_member(Member.objects.get(user=bob), by=bob)
    # In alice's name: he neither holds the unit nor is the claimant.
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, by=bob)
    assert "unit" in _errors(excinfo)
    # In his own name: he doesn't work for her unit; and alice can't claim in his name either.
    for by in (bob, alice):
        with pytest.raises(ValidationError) as excinfo:
            _submit(alice, alice_activity, worker=bob_worker, by=by)
        assert "worker" in _errors(excinfo)
    assert not ExpenseClaim.objects.exists()


# --- the balance ------------------------------------------------------------------------------


def test_an_activity_claim_over_the_balance_is_refused_with_the_amount_missing(
    alice, alice_activity
):
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, amount=Decimal("800.00"), vat=Decimal("0.00"))
    # 800.00 − 731.60 = 68.40
    assert "68.40 € missing" in " ".join(_errors(excinfo)["amount"])
    assert not ExpenseClaim.objects.exists()


def test_claims_awaiting_a_decision_count_as_spent(alice, alice_activity):
    _submit(alice, alice_activity, amount=Decimal("25.00"))
    # 731.60 − 25.00 = 706.60 left; 720.00 lacks 13.40
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_activity, amount=Decimal("720.00"), vat=Decimal("0.00"))
    assert "13.40 € missing" in " ".join(_errors(excinfo)["amount"])
    exact = _submit(alice, alice_activity, amount=Decimal("706.60"), vat=Decimal("0.00"))
    assert exact.amount == Decimal("706.60")


def test_a_3en1_claim_without_a_job_draws_on_the_balance(alice, alice_3en1):
    with pytest.raises(ValidationError) as excinfo:
        _submit(alice, alice_3en1, amount=Decimal("500.00"), vat=Decimal("0.00"))
    # 500.00 − 467.50 = 32.50
    assert "32.50 € missing" in " ".join(_errors(excinfo)["amount"])


def test_a_3en1_claim_tied_to_a_job_is_the_jobs_expense(alice, alice_3en1):
    worker = unit_holder_worker(alice_3en1, by=alice)
    job = Job.objects.create(
        unit=alice_3en1,
        client=Client.objects.get(name="Théâtre de la Place"),
        description="Concert du 18 décembre",
        worker=worker,
        contract_type=ContractType.objects.order_by("pk").first(),
        function="Musicienne",
        created_by=alice,
    )
    claim = _submit(alice, alice_3en1, amount=Decimal("500.00"), vat=Decimal("0.00"), job=job)
    assert claim.job == job
    assert claim.amount == Decimal("500.00")


# --- approval ---------------------------------------------------------------------------------


def test_approving_posts_the_expense_and_creates_the_payout_line(alice, claire, alice_activity):
    claim = _submit(alice, alice_activity, amount=Decimal("25.00"), vat=Decimal("4.34"))
    claim = expense_claim_approve(claim=claim, by=claire, today=date(2026, 11, 24))
    assert claim.status == ExpenseClaim.Status.APPROVED
    assert claim.decided_by == claire
    entry = claim.ledger_entry
    assert entry.kind == LedgerEntry.Kind.EXPENSE
    assert entry.amount == Decimal("-25.00")
    assert entry.booked_on == date(2026, 11, 24)
    assert entry.unit == alice_activity
    assert unit_balance(unit=alice_activity) == Decimal("706.60")  # 731.60 − 25.00
    payout = PayoutLine.objects.get(expense_claim=claim)
    assert payout.kind == PayoutLine.Kind.EXPENSE
    assert payout.amount == Decimal("25.00")
    assert payout.iban == "BE71096123456769"
    assert payout.beneficiary == "Alice Lambert"
    assert payout.due_on == date(2026, 11, 24)
    assert payout.batch is None
    assert [event.action for event in audit_trail(claim)] == [
        "expense_claim.approved",
        "expense_claim.submitted",
    ]


def test_approving_twice_is_refused_and_posts_once(alice, claire, alice_activity):
    claim = _submit(alice, alice_activity)
    expense_claim_approve(claim=claim, by=claire)
    with pytest.raises(ValidationError, match="already been decided"):
        expense_claim_approve(claim=claim, by=claire)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPENSE).count() == 1
    assert PayoutLine.objects.count() == 1


def test_approval_rechecks_the_balance_and_an_overdraft_needs_a_reason(
    alice, claire, alice_activity
):
    claim = _submit(alice, alice_activity, amount=Decimal("700.00"), vat=Decimal("0.00"))
    ledger_post(
        unit=alice_activity,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=Decimal("-100.00"),
        booked_on=date(2026, 11, 23),
        label="Correction",
        by=claire,
        reason="Double payment",
    )
    # balance 631.60: 700.00 lacks 68.40
    with pytest.raises(ValidationError) as excinfo:
        expense_claim_approve(claim=claim, by=claire)
    assert "68.40 € missing" in " ".join(_errors(excinfo)["amount"])
    with pytest.raises(ValidationError) as excinfo:
        expense_claim_approve(claim=claim, by=claire, overdraft=True, reason=" ")
    assert "reason" in _errors(excinfo)
    assert not PayoutLine.objects.exists()

    reason = "Invoice of 1,200 € issued yesterday, payment expected next week."
    claim = expense_claim_approve(claim=claim, by=claire, overdraft=True, reason=reason)
    assert claim.status == ExpenseClaim.Status.APPROVED
    assert claim.decision_reason == reason
    assert unit_balance(unit=alice_activity) == Decimal("-68.40")
    event = audit_trail(claim).first()
    assert event.action == "expense_claim.approved"
    assert event.changes["overdraft"] == "68.40"
    assert event.reason == reason


def test_only_an_advisor_of_the_units_office_decides(alice, bob, denis, alice_activity):
    claim = _submit(alice, alice_activity)
    namur = AdvisorFactory(office=office("namur"))
    for user in (alice, bob, denis, namur):
        with pytest.raises(PermissionDenied):
            expense_claim_approve(claim=claim, by=user)
        with pytest.raises(PermissionDenied):
            expense_claim_reject(claim=claim, by=user, reason="No")
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    assert expense_claim_approve(claim=claim, by=AdvisorFactory(office=office("bruxelles")))


# --- rejection --------------------------------------------------------------------------------


def test_rejecting_needs_a_reason_and_posts_nothing(alice, claire, alice_activity):
    claim = _submit(alice, alice_activity)
    with pytest.raises(ValidationError) as excinfo:
        expense_claim_reject(claim=claim, by=claire, reason="   ")
    assert "reason" in _errors(excinfo)
    claim = expense_claim_reject(claim=claim, by=claire, reason="The ticket is unreadable.")
    assert claim.status == ExpenseClaim.Status.REJECTED
    assert claim.decision_reason == "The ticket is unreadable."
    assert claim.ledger_entry is None
    assert not PayoutLine.objects.exists()
    assert unit_balance(unit=alice_activity) == ACTIVITY_BALANCE
    with pytest.raises(ValidationError, match="already been decided"):
        expense_claim_approve(claim=claim, by=claire)
    event = audit_trail(claim).first()
    assert (event.action, event.reason) == ("expense_claim.rejected", "The ticket is unreadable.")


def test_a_rejected_claim_no_longer_counts_against_the_balance(alice, claire, alice_activity):
    first = alice_claim(alice, alice_activity, amount="700.00", vat="0.00")
    with pytest.raises(ValidationError):
        alice_claim(alice, alice_activity, amount="100.00", vat="0.00")
    expense_claim_reject(claim=first, by=claire, reason="Wrong unit")
    assert alice_claim(alice, alice_activity, amount="100.00", vat="0.00").pk
