"""Expense claims through the portal, the API and the back-office: the same service, the
same refusals naming the field, nothing half-saved."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payroll.expenses.services import expense_claim_reject
from payroll.models import ExpenseClaim, PayoutLine
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from production_units.services import ledger_post
from tests.expense_helpers import (
    JPEG,
    PDF,
    alice_claim,
    category,
    jpeg,
    recent_day,
    with_mfa,
)
from tests.factories.members import AdvisorFactory, office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"  # the assertions read the English messages


def _form(unit, **fields):
    data = {
        "unit": unit.pk,
        "category": category().pk,
        "spent_on": recent_day().isoformat(),
        "description": "Rouleau de câble",
        "amount": "25.00",
        "vat": "4.34",
        "receipt": jpeg("IMG_0042.jpg"),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


# --- portal -----------------------------------------------------------------------------------


def test_the_form_takes_a_photo_from_the_phone_camera(alice_client, alice_activity):
    response = alice_client.get(reverse("portal:expense_create"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="file"' in content
    assert 'capture="environment"' in content
    assert "application/pdf" in content
    assert 'enctype="multipart/form-data"' in content
    assert 'name="distance_km"' in content  # without the script, every field shows


def test_alice_files_a_claim_with_its_receipt(alice_client, alice, alice_activity):
    response = alice_client.post(reverse("portal:expense_create"), _form(alice_activity))
    claim = ExpenseClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:expense_detail", args=[claim.pk])
    assert claim.unit == alice_activity
    assert claim.worker.user == alice
    assert claim.amount == Decimal("25.00")
    assert claim.vat == Decimal("4.34")
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    with claim.receipt.open("rb") as stored:
        assert stored.read() == JPEG
    page = alice_client.get(response["Location"]).content.decode()
    assert "Rouleau de câble" in page
    assert reverse("portal:expense_receipt", args=[claim.pk]) in page


def test_a_mileage_claim_from_the_portal_needs_no_receipt(alice_client, alice_activity):
    data = _form(
        alice_activity,
        category=category("mileage").pk,
        distance_km="123.4",
        amount="",
        vat="",
        receipt=None,
    )
    response = alice_client.post(reverse("portal:expense_create"), data)
    assert response.status_code == 302
    claim = ExpenseClaim.objects.get()
    assert claim.amount == Decimal("53.38")  # 123.4 × 0.4326 = 53.38284
    assert claim.distance_km == Decimal("123.4")


def test_a_bad_receipt_is_refused_on_the_page_and_nothing_is_saved(alice_client, alice_activity):
    fake = SimpleUploadedFile("ticket.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    response = alice_client.post(
        reverse("portal:expense_create"), _form(alice_activity, receipt=fake)
    )
    assert response.status_code == 400
    assert "receipt" in response.context["form"].errors
    assert "JPEG or PNG" in response.content.decode()
    assert not ExpenseClaim.objects.exists()


def test_a_claim_over_the_balance_shows_the_amount_missing(alice_client, alice_activity):
    response = alice_client.post(
        reverse("portal:expense_create"), _form(alice_activity, amount="800.00", vat="0")
    )
    assert response.status_code == 400
    # 800.00 − 731.60 = 68.40
    assert "68.40 € missing" in " ".join(response.context["form"].errors["amount"])
    assert not ExpenseClaim.objects.exists()


def test_alice_cannot_claim_on_bobs_behalf_or_a_unit_she_does_not_hold(
    bob_client, alice, alice_activity
):
    response = bob_client.post(reverse("portal:expense_create"), _form(alice_activity))
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    assert not ExpenseClaim.objects.exists()


def test_the_list_filters_by_status_unit_and_year(
    alice_client, alice, claire, alice_activity, alice_3en1
):
    kept = alice_claim(alice, alice_activity, description="Approved-to-be")
    rejected = alice_claim(alice, alice_3en1, description="Rejected one")
    expense_claim_reject(claim=rejected, by=claire, reason="Duplicate of #1")
    url = reverse("portal:expense_list")

    def shown(**params):
        response = alice_client.get(url, params)
        assert response.status_code == 200
        return {claim.pk for claim in response.context["page"].object_list}

    assert shown() == {kept.pk, rejected.pk}
    assert shown(status="rejected") == {rejected.pk}
    assert shown(unit=alice_activity.pk) == {kept.pk}
    assert shown(year=recent_day().year) == {kept.pk, rejected.pk}
    assert shown(year=2019) == set()
    assert alice_client.get(url, {"status": "nonsense"}).status_code == 400


def test_the_csv_holds_the_filtered_claims(alice_client, alice, alice_activity, alice_3en1):
    alice_claim(alice, alice_activity, description="In Activité", amount="12.30", vat="0.70")
    alice_claim(alice, alice_3en1, description="In 3en1")
    response = alice_client.get(reverse("portal:expense_list_csv"), {"unit": alice_activity.pk})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2
    assert rows[1][2] == "UP-0002"
    assert rows[1][6] == "In Activité"
    assert rows[1][7:9] == ["12.30", "0.70"]


def test_the_claimant_reads_the_rejection_reason(alice_client, alice, claire, alice_activity):
    claim = alice_claim(alice, alice_activity)
    expense_claim_reject(claim=claim, by=claire, reason="The receipt is not legible.")
    content = alice_client.get(reverse("portal:expense_detail", args=[claim.pk])).content.decode()
    assert "The receipt is not legible." in content
    assert 'data-status="rejected"' in content


# --- API --------------------------------------------------------------------------------------


def _api_form(unit, **fields):
    """The portal's form with the category by its code, as the API takes it."""
    return _form(unit, **{"category": "material", **fields})


def test_the_api_files_a_claim_with_a_multipart_receipt(alice_client, alice_activity):
    data = _api_form(
        alice_activity,
        category="material",
        receipt=SimpleUploadedFile("f.pdf", PDF, "application/pdf"),
    )
    response = alice_client.post(reverse("api:expense-claim-list"), data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "25.00"
    assert body["vat"] == "4.34"
    assert body["status"] == "submitted"
    assert body["receipt_url"].endswith(reverse("api:expense-claim-receipt", args=[body["id"]]))
    assert response["Location"] == reverse("api:expense-claim-detail", args=[body["id"]])
    receipt = alice_client.get(body["receipt_url"])
    assert b"".join(receipt.streaming_content) == PDF


def test_the_api_files_a_mileage_claim_as_json(alice_client, alice_activity):
    payload = {
        "unit": alice_activity.pk,
        "category": "mileage",
        "spent_on": recent_day().isoformat(),
        "description": "Liège – Namur et retour",
        "distance_km": "123.4",
    }
    response = alice_client.post(
        reverse("api:expense-claim-list"), payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "53.38"
    assert response.json()["mileage_rate"] == "0.4326"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"receipt": SimpleUploadedFile("x.gif", b"GIF89a....", "image/gif")}, "receipt"),
        ({"receipt": None}, "receipt"),
        ({"amount": "800.00", "vat": "0.00"}, "amount"),
        ({"vat": "30.00"}, "vat"),
        ({"spent_on": "2099-01-01"}, "spent_on"),
        ({"category": "no-such-category"}, "category"),
        ({"status": "approved"}, "status"),
    ],
)
def test_the_api_refuses_naming_the_field(alice_client, alice_activity, fields, field):
    data = _api_form(alice_activity, **fields)
    response = alice_client.post(reverse("api:expense-claim-list"), data)
    assert response.status_code == 400
    assert field in response.json()
    assert not ExpenseClaim.objects.exists()


def test_bob_cannot_file_a_claim_on_alices_unit_through_the_api(bob_client, alice_activity):
    response = bob_client.post(reverse("api:expense-claim-list"), _api_form(alice_activity))
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not ExpenseClaim.objects.exists()


# --- back-office ------------------------------------------------------------------------------


def _changelist():
    return reverse("admin:payroll_expenseclaim_changelist")


def test_claire_approves_claims_in_bulk(claire_client, claire, alice, alice_activity, alice_3en1):
    first = alice_claim(alice, alice_activity, amount="25.00", vat="4.34")
    second = alice_claim(alice, alice_3en1, amount="40.10", vat="0.00")
    response = claire_client.post(
        _changelist(),
        {"action": "approve_selected", "apply": "yes", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    for claim, unit, balance in (
        (first, alice_activity, Decimal("706.60")),  # 731.60 − 25.00
        (second, alice_3en1, Decimal("427.40")),  # 467.50 − 40.10
    ):
        claim.refresh_from_db()
        assert claim.status == ExpenseClaim.Status.APPROVED
        assert claim.decided_by == claire
        assert claim.ledger_entry.amount == -claim.amount
        assert claim.ledger_entry.kind == LedgerEntry.Kind.EXPENSE
        assert unit_balance(unit=unit) == balance
        assert PayoutLine.objects.get(expense_claim=claim).amount == claim.amount
    # Again: refused for each row, nothing posted twice.
    claire_client.post(
        _changelist(),
        {"action": "approve_selected", "apply": "yes", "_selected_action": [first.pk]},
    )
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPENSE).count() == 2


def test_rejecting_in_the_back_office_asks_for_a_reason(claire_client, alice, alice_activity):
    claim = alice_claim(alice, alice_activity)
    data = {"action": "reject_with_reason", "_selected_action": [claim.pk]}
    page = claire_client.post(_changelist(), data)
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    refused = claire_client.post(_changelist(), {**data, "apply": "yes", "reason": " "})
    assert refused.status_code == 400
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    done = claire_client.post(_changelist(), {**data, "apply": "yes", "reason": "Not legible"})
    assert done.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.decision_reason) == (ExpenseClaim.Status.REJECTED, "Not legible")


def test_an_overdraft_is_approved_only_with_a_reason(claire_client, alice, alice_activity):
    claim = alice_claim(alice, alice_activity, amount="700.00", vat="0.00")
    other = alice_claim(alice, alice_activity, amount="31.60", vat="0.00")
    claire_client.post(
        _changelist(),
        {"action": "approve_selected", "apply": "yes", "_selected_action": [other.pk]},
    )
    # Balance 700.00 now; take 0.01 more with an adjustment so that 700.00 lacks 0.01.
    ledger_post(
        unit=alice_activity,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=Decimal("-0.01"),
        booked_on=date(2026, 11, 23),
        label="Frais",
        reason="Bank fee",
    )
    claire_client.post(
        _changelist(),
        {"action": "approve_selected", "apply": "yes", "_selected_action": [claim.pk]},
    )
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    data = {"action": "approve_overdraft", "_selected_action": [claim.pk], "apply": "yes"}
    assert claire_client.post(_changelist(), {**data, "reason": ""}).status_code == 400
    response = claire_client.post(_changelist(), {**data, "reason": "Invoice paid tomorrow"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.APPROVED
    assert unit_balance(unit=alice_activity) == Decimal("-0.01")


def test_an_advisor_sees_only_the_claims_of_their_office(
    client, alice, alice_activity, claire_client
):
    claim = alice_claim(alice, alice_activity, description="Brussels claim")
    assert "Brussels claim" in claire_client.get(_changelist()).content.decode()
    namur = AdvisorFactory(office=office("namur"))
    client.force_login(with_mfa(namur))
    assert "Brussels claim" not in client.get(_changelist()).content.decode()
    change = reverse("admin:payroll_expenseclaim_change", args=[claim.pk])
    assert client.get(change).status_code == 302  # the admin's "doesn't exist" redirect
    receipt = reverse("admin:payroll_expenseclaim_receipt", args=[claim.pk])
    assert client.get(receipt).status_code == 404
    client.post(
        _changelist(),
        {"action": "approve_selected", "apply": "yes", "_selected_action": [claim.pk]},
    )
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED


def test_the_change_page_shows_the_receipt_and_is_read_only(claire_client, alice, alice_activity):
    claim = alice_claim(alice, alice_activity)
    page = claire_client.get(reverse("admin:payroll_expenseclaim_change", args=[claim.pk]))
    assert page.status_code == 200
    receipt = reverse("admin:payroll_expenseclaim_receipt", args=[claim.pk])
    assert receipt in page.content.decode()
    assert b"".join(claire_client.get(receipt).streaming_content) == JPEG
    response = claire_client.post(
        reverse("admin:payroll_expenseclaim_change", args=[claim.pk]), {"amount": "1.00"}
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.amount == Decimal("25.00")


def test_the_advisor_queue_counts_claims_to_review(claire_client, alice, alice_activity):
    alice_claim(alice, alice_activity)
    content = claire_client.get(reverse("admin:index")).content.decode()
    assert "Expense claims to review" in content


def test_the_board_cannot_approve(client, denis, alice, alice_activity):
    claim = alice_claim(alice, alice_activity)
    client.force_login(with_mfa(denis))
    client.post(
        _changelist(),
        {"action": "approve_selected", "apply": "yes", "_selected_action": [claim.pk]},
    )
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED
