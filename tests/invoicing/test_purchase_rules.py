"""Purchases draw on an Activité unit's available balance and meet the yearly deadline
(invoicing/purchase_rules.py), on import and when an advisor assigns them."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_trail
from core.models import AuditEvent
from invoicing.inbound import inbound_ubl_import, purchase_assign
from invoicing.models import Purchase
from payroll.models import PayrollPolicy
from payroll.work.declaration_services import declaration_submit
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from tests.expense_helpers import alice_claim
from tests.work_helpers import make_declaration, set_balance

pytestmark = pytest.mark.django_db

UBL = Path(__file__).parent.parent / "fixtures" / "ubl"
PAPETERIE = (UBL / "papeterie-up-0002.xml").read_bytes()  # UP-0002, 250.00 excl. VAT, 2026-11-02
TRAITEUR = (UBL / "traiteur-no-reference.xml").read_bytes()  # no unit, 480.00, 2026-10-28
NOVEMBER = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def _purchase_entries():
    # The demo ledger has a purchase of its own, without a source.
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PURCHASE, source_id__gt="")


def _papeterie_naming(code: str) -> bytes:
    old = b"Commande 2026-114 / up-0002"
    assert old in PAPETERIE
    return PAPETERIE.replace(old, code.encode())


def _actions(purchase) -> list[str]:
    return [event.action for event in audit_trail(purchase)]


# --- the balance, on import -----------------------------------------------------------------


def test_an_import_the_balance_cannot_pay_waits_with_the_amount_missing(alice_activity, claire):
    set_balance(alice_activity, "100.00", by=claire)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=NOVEMBER)

    assert (purchase.status, purchase.unit) == (Purchase.Status.TO_MATCH, None)
    assert "below zero by 150.00 €" in purchase.problem  # 250.00 − 100.00
    assert "available balance (100.00 €" in purchase.problem
    assert not _purchase_entries().exists()
    assert unit_balance(unit=alice_activity) == Decimal("100.00")
    assert _actions(purchase) == ["purchase.imported"]
    assert audit_trail(purchase).get().reason == purchase.problem
    assert Purchase.objects.to_match().get() == purchase


def test_an_import_the_balance_pays_exactly_is_posted(alice_activity, claire):
    set_balance(alice_activity, "250.00", by=claire)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=NOVEMBER)

    assert (purchase.status, purchase.unit, purchase.problem) == (
        Purchase.Status.POSTED,
        alice_activity,
        "",
    )
    assert unit_balance(unit=alice_activity) == Decimal("0.00")


def test_pending_claims_and_declarations_are_not_available_to_a_purchase(
    alice, alice_activity, claire
):
    declaration = make_declaration(alice, alice_activity)
    budget = declaration.budget
    # Balance = 200.00 left once a 100.00 claim and the declaration's budget are set aside.
    set_balance(alice_activity, Decimal("300.00") + budget, by=claire)
    alice_claim(alice, alice_activity, amount="100.00", vat="0.00")
    declaration_submit(declaration=declaration, by=alice)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=NOVEMBER)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "available balance (200.00 €" in purchase.problem
    assert "below zero by 50.00 €" in purchase.problem
    assert not _purchase_entries().exists()


# --- the balance, when an advisor assigns ---------------------------------------------------


def test_an_advisor_cannot_overdraw_a_unit_without_a_reason(alice_activity, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR, by=None, today=NOVEMBER)
    set_balance(alice_activity, "400.00", by=claire)

    with pytest.raises(ValidationError) as caught:
        purchase_assign(
            purchase=purchase,
            unit=alice_activity,
            by=claire,
            overdraft_reason="  ",
            today=NOVEMBER,
        )

    message = caught.value.message_dict["overdraft_reason"][0]
    assert "80.00 € missing" in message  # 480.00 − 400.00
    assert "UP-0002" in message
    purchase.refresh_from_db()
    assert (purchase.status, purchase.unit) == (Purchase.Status.TO_MATCH, None)
    assert not _purchase_entries().exists()
    assert unit_balance(unit=alice_activity) == Decimal("400.00")
    assert _actions(purchase) == ["purchase.imported"]


def test_an_advisor_overdraws_a_unit_with_a_reason_which_is_recorded(alice_activity, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR, by=None, today=NOVEMBER)
    set_balance(alice_activity, "400.00", by=claire)

    purchase = purchase_assign(
        purchase=purchase,
        unit=alice_activity,
        by=claire,
        overdraft_reason=" Client payment expected next week ",
        today=NOVEMBER,
    )

    assert (purchase.status, purchase.unit) == (Purchase.Status.POSTED, alice_activity)
    assert unit_balance(unit=alice_activity) == Decimal("-80.00")
    approval = audit_trail(purchase).get(action="purchase.overdraft_approved")
    assert approval.actor == claire
    assert approval.reason == "Client payment expected next week"
    assert approval.changes == {"unit": "UP-0002", "overdraft": "80.00", "available": "400.00"}
    posted = audit_trail(purchase).get(action="purchase.posted")
    assert posted.reason == "Client payment expected next week"
    entry = _purchase_entries().get()
    ledger_event = AuditEvent.objects.get(action="ledger.posted", changes__entry=entry.pk)
    assert ledger_event.reason == "Client payment expected next week"


def test_a_reason_given_without_an_overdraft_records_no_overdraft(alice_activity, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR, by=None, today=NOVEMBER)
    set_balance(alice_activity, "480.00", by=claire)

    purchase_assign(
        purchase=purchase,
        unit=alice_activity,
        by=claire,
        overdraft_reason="Just in case",
        today=NOVEMBER,
    )

    assert unit_balance(unit=alice_activity) == Decimal("0.00")
    assert "purchase.overdraft_approved" not in _actions(purchase)
    assert audit_trail(purchase).get(action="purchase.posted").reason == ""


# --- the yearly deadline --------------------------------------------------------------------


def test_a_purchase_of_last_year_is_posted_on_the_deadline_day(alice_activity, claire):
    set_balance(alice_activity, "1000.00", by=claire)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=date(2027, 1, 15))

    assert purchase.status == Purchase.Status.POSTED
    assert unit_balance(unit=alice_activity) == Decimal("750.00")


def test_a_purchase_of_last_year_waits_the_day_after_the_deadline(alice_activity, claire):
    set_balance(alice_activity, "1000.00", by=claire)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=date(2027, 1, 16))

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "Purchases of 2026 could be charged to a unit until" in purchase.problem
    assert "15 January 2027" in purchase.problem
    assert not _purchase_entries().exists()
    assert unit_balance(unit=alice_activity) == Decimal("1000.00")


def test_the_deadline_comes_before_the_balance_in_the_reason(alice_activity, claire):
    set_balance(alice_activity, "0.00", by=claire)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=date(2027, 1, 16))

    assert "Purchases of 2026" in purchase.problem
    assert "below zero" not in purchase.problem


def test_an_advisor_assigns_on_the_deadline_day(alice_activity, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR, by=None, today=NOVEMBER)
    set_balance(alice_activity, "1000.00", by=claire)

    purchase_assign(purchase=purchase, unit=alice_activity, by=claire, today=date(2027, 1, 15))

    assert unit_balance(unit=alice_activity) == Decimal("520.00")


def test_no_reason_lets_an_advisor_assign_after_the_deadline(alice_activity, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR, by=None, today=NOVEMBER)
    set_balance(alice_activity, "100.00", by=claire)

    with pytest.raises(ValidationError) as caught:
        purchase_assign(
            purchase=purchase,
            unit=alice_activity,
            by=claire,
            overdraft_reason="The member insists",
            today=date(2027, 1, 16),
        )

    message = caught.value.message_dict["issue_date"][0]
    assert "Purchases of 2026" in message and "15 January 2027" in message
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.TO_MATCH
    assert not _purchase_entries().exists()
    assert _actions(purchase) == ["purchase.imported"]


def _policy_from_2027(*, month: int, day: int) -> None:
    """End the policy in force at the end of 2026 and start one with another deadline."""
    current = PayrollPolicy.objects.in_force_on(date(2026, 12, 31)).get()
    current.valid_to = date(2026, 12, 31)
    current.save(update_fields=["valid_to"])
    policy = PayrollPolicy(
        valid_from=date(2027, 1, 1),
        mileage_rate=current.mileage_rate,
        expense_deadline_month=month,
        expense_deadline_day=day,
    )
    policy.full_clean()
    policy.save()


def test_the_policy_in_force_on_the_posting_day_sets_the_deadline(alice_activity, claire):
    _policy_from_2027(month=1, day=31)
    set_balance(alice_activity, "1000.00", by=claire)

    on_time = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=date(2027, 1, 31))
    another = PAPETERIE.replace(b"PV-2026-0458", b"PV-2026-0459")
    late = inbound_ubl_import(file_bytes=another, by=None, today=date(2027, 2, 1))
    with pytest.raises(ValidationError, match="31 January 2027"):
        purchase_assign(purchase=late, unit=alice_activity, by=claire, today=date(2027, 2, 1))

    assert on_time.status == Purchase.Status.POSTED  # past the old 15 January
    assert late.status == Purchase.Status.TO_MATCH
    assert "31 January 2027" in late.problem  # the policy of 2027, not the one of the issue date
    assert unit_balance(unit=alice_activity) == Decimal("750.00")


def test_without_a_policy_in_force_the_purchase_waits(alice_activity, claire):
    PayrollPolicy.objects.filter(valid_to__isnull=True).update(valid_to=date(2026, 12, 31))
    set_balance(alice_activity, "1000.00", by=claire)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE, by=None, today=date(2027, 1, 5))

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "No payroll policy is in force" in purchase.problem


# --- 3en1 units take no purchases, whatever their balance -----------------------------------


def test_a_3en1_unit_takes_no_purchase_even_with_the_balance_and_a_reason(alice_3en1, claire):
    set_balance(alice_3en1, "10000.00", by=claire)

    purchase = inbound_ubl_import(file_bytes=_papeterie_naming("UP-0001"), by=None, today=NOVEMBER)
    assert purchase.status == Purchase.Status.TO_MATCH
    assert "UP-0001 is a 3en1 unit" in purchase.problem

    with pytest.raises(ValidationError) as caught:
        purchase_assign(
            purchase=purchase,
            unit=alice_3en1,
            by=claire,
            overdraft_reason="Please",
            today=NOVEMBER,
        )
    assert "Activité" in caught.value.message_dict["unit"][0]
    assert not _purchase_entries().exists()
    assert unit_balance(unit=alice_3en1) == Decimal("10000.00")


# --- the back-office ------------------------------------------------------------------------


def _changelist():
    return reverse("admin:invoicing_purchase_changelist")


def _assign(client, purchase, unit, **data):
    return client.post(
        _changelist(),
        {
            "action": "assign_to_unit",
            "_selected_action": [purchase.pk],
            "apply": "yes",
            "unit": unit.pk,
            **data,
        },
    )


@pytest.fixture
def queued(admin_user, alice):
    """The traiteur's 480.00 € purchase, waiting, issued today (always before its deadline)."""
    purchase = inbound_ubl_import(file_bytes=TRAITEUR, by=admin_user)
    Purchase.objects.filter(pk=purchase.pk).update(issue_date=timezone.localdate())
    purchase.refresh_from_db()
    return purchase


def test_the_assign_page_asks_for_the_overdraft_reason_with_the_amount_missing(
    admin_client, queued, alice_activity, admin_user
):
    set_balance(alice_activity, "400.00", by=admin_user)

    response = _assign(admin_client, queued, alice_activity, overdraft_reason="")

    assert response.status_code == 400
    assert "80.00 € missing" in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == Purchase.Status.TO_MATCH
    assert not _purchase_entries().exists()


def test_the_overdraft_an_advisor_approves_is_shown_on_the_purchase(
    admin_client, queued, alice_activity, admin_user
):
    set_balance(alice_activity, "400.00", by=admin_user)

    response = _assign(admin_client, queued, alice_activity, overdraft_reason="Grant arriving")

    assert response.status_code == 302
    queued.refresh_from_db()
    assert (queued.status, queued.unit) == (Purchase.Status.POSTED, alice_activity)
    assert unit_balance(unit=alice_activity) == Decimal("-80.00")
    page = admin_client.get(reverse("admin:invoicing_purchase_change", args=[queued.pk]))
    content = page.content.decode()
    assert "80.00 € over the available balance" in content
    assert "Grant arriving" in content


def test_the_assign_action_reports_a_purchase_past_its_deadline(
    admin_client, queued, alice_activity, admin_user
):
    set_balance(alice_activity, "1000.00", by=admin_user)
    two_years_ago = timezone.localdate().replace(month=6, day=1) - timedelta(days=2 * 365)
    Purchase.objects.filter(pk=queued.pk).update(issue_date=two_years_ago)

    response = _assign(admin_client, queued, alice_activity, overdraft_reason="Anyway")

    assert response.status_code == 302
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert f"Purchases of {two_years_ago.year} could be charged" in shown
    queued.refresh_from_db()
    assert queued.status == Purchase.Status.TO_MATCH
    assert not _purchase_entries().exists()


def test_assigning_several_purchases_reports_the_one_the_balance_cannot_pay(
    admin_client, queued, alice_activity, admin_user
):
    second = inbound_ubl_import(file_bytes=TRAITEUR.replace(b"T-7781", b"T-7782"), by=admin_user)
    Purchase.objects.filter(pk=second.pk).update(issue_date=timezone.localdate())
    set_balance(alice_activity, "500.00", by=admin_user)

    response = admin_client.post(
        _changelist(),
        {
            "action": "assign_to_unit",
            "_selected_action": [queued.pk, second.pk],
            "apply": "yes",
            "unit": alice_activity.pk,
            "overdraft_reason": "",
        },
    )

    assert response.status_code == 302
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "460.00 € missing" in shown  # 480.00 − (500.00 − 480.00)
    statuses = sorted(
        Purchase.objects.filter(pk__in=[queued.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == [Purchase.Status.POSTED, Purchase.Status.TO_MATCH]
    assert unit_balance(unit=alice_activity) == Decimal("20.00")
