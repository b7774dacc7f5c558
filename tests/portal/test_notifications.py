"""Notifications of the events an advisor or a run causes: one portal row and one e-mail in the
member's language per event (none for a rollback), the e-mails the member switched off, and
advisors' bulk actions that tell each member once per row."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from invoicing.invoice_services import (
    invoice_approve,
    invoice_create,
    invoice_reject,
    invoice_submit,
)
from invoicing.payment_services import payment_record
from members.models import Notification, NotificationOptOut
from members.notifications import kinds as notice
from payroll.expenses.services import expense_claim_ask_information, expense_claim_reject
from payroll.models import ExpenseClaim
from payroll.pay.payroll_run import payroll_run_compute
from payroll.pay.payslips import payslip_pdf_render
from payroll.work.declaration_services import (
    declaration_approve,
    declaration_ask_information,
    declaration_reject,
    declaration_submit,
)
from tests.expense_helpers import alice_claim
from tests.invoicing_helpers import line
from tests.notification_helpers import kinds_of, mails_to, set_language
from tests.pay_helpers import PERIOD, TODAY, october
from tests.work_helpers import make_declaration, set_balance, unverified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://portal.example.test"


@pytest.fixture
def submitted_declaration(alice, alice_activity, claire):
    set_balance(alice_activity, "500.00", by=claire)
    declaration = make_declaration(alice, alice_activity, gross="324.70")
    return declaration_submit(declaration=declaration, by=alice)


@pytest.fixture
def pending_invoice(alice, alice_activity):
    client = unverified_client(alice, alice_activity)
    draft = invoice_create(
        by=alice, unit=alice_activity, client=client, lines=[line(unit_price="200.00")]
    )
    return invoice_submit(invoice=draft, by=alice)


# --- one event, one row, one e-mail in the member's language -----------------------------------


def test_a_refused_declaration_tells_a_dutch_member_once_in_dutch(
    alice, claire, submitted_declaration, django_capture_on_commit_callbacks
):
    set_language(alice, "nl")
    with django_capture_on_commit_callbacks(execute=True):
        declaration_reject(declaration=submitted_declaration, by=claire, reason="Geen uurrooster")
    assert kinds_of(alice) == [notice.DECLARATION_REFUSED]
    [message] = mails_to(alice)
    assert message.extra_headers["Content-Language"] == "nl"
    assert "Met vriendelijke groeten," in message.body  # "Kind regards," in Dutch
    assert "Meilleures salutations" not in message.body
    assert "Geen uurrooster" in message.body
    link = reverse("portal:work_declaration_detail", kwargs={"pk": submitted_declaration.pk})
    assert f"https://portal.example.test{link}" in message.body


def test_a_french_member_gets_the_e_mail_in_french(
    alice, claire, submitted_declaration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declaration_reject(declaration=submitted_declaration, by=claire, reason="Pas d'horaire")
    [message] = mails_to(alice)
    assert message.extra_headers["Content-Language"] == "fr"
    assert "Meilleures salutations," in message.body
    assert "Bonjour," in message.body


def test_an_approved_declaration_asks_the_worker_to_accept_the_contract_once(
    alice, claire, submitted_declaration, django_capture_on_commit_callbacks
):
    # alice declared her own work: the contract to accept tells her it is approved.
    with django_capture_on_commit_callbacks(execute=True):
        declaration_approve(declaration=submitted_declaration, by=claire)
    assert kinds_of(alice) == [notice.CONTRACT_TO_ACCEPT]
    [message] = mails_to(alice)
    assert "16/12/2030" in message.body and "17/12/2030" in message.body  # MON, TUE
    row = Notification.objects.get(user=alice)
    assert row.link == reverse(
        "portal:work_contract_detail",
        kwargs={"pk": submitted_declaration.contracts.get().pk},
    )


def test_a_refused_expense_claim_tells_the_claimant_with_the_reason(
    alice, claire, alice_activity, django_capture_on_commit_callbacks
):
    claim = alice_claim(alice, alice_activity)
    with django_capture_on_commit_callbacks(execute=True):
        expense_claim_reject(claim=claim, by=claire, reason="Ticket illisible")
    assert kinds_of(alice) == [notice.EXPENSE_REFUSED]
    [message] = mails_to(alice)
    assert "Ticket illisible" in message.body
    assert "Câbles XLR" in message.body
    assert message.subject  # the kind's subject, never empty


def test_an_invoice_approved_then_paid_in_full_tells_the_holder_twice_not_three_times(
    alice, claire, pending_invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_approve(invoice=pending_invoice, by=claire)
    assert kinds_of(alice) == [notice.INVOICE_APPROVED]
    # 200.00 + 21 % VAT = 242.00: a first part pays nothing in full, the rest does.
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(invoice=invoice, amount="100.00", received_on=TODAY, by=claire)
    assert kinds_of(alice) == [notice.INVOICE_APPROVED]
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(invoice=invoice, amount="142.00", received_on=TODAY, by=claire)
    assert kinds_of(alice) == [notice.INVOICE_APPROVED, notice.INVOICE_PAID]
    assert len(mails_to(alice)) == 2
    assert invoice.display_number in mails_to(alice)[1].body


def test_a_refused_invoice_names_the_client_and_the_reason(
    alice, claire, pending_invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice_reject(invoice=pending_invoice, by=claire, reason="Client à vérifier")
    assert kinds_of(alice) == [notice.INVOICE_REFUSED]
    [message] = mails_to(alice)
    assert "Nouveau Client SRL" in message.body
    assert "Client à vérifier" in message.body


def test_a_payslip_ready_tells_the_worker_once_even_if_rendered_again(
    alice, django_capture_on_commit_callbacks
):
    month = october(alice)
    with django_capture_on_commit_callbacks(execute=True):
        payroll_run_compute(period=PERIOD, today=TODAY)
    assert kinds_of(alice) == [notice.PAYSLIP_AVAILABLE]
    [message] = mails_to(alice)
    assert "10/2026" in message.body
    # The invited worker has no account: nothing to tell, nothing written.
    assert not Notification.objects.exclude(user=alice).exists()
    payslip = month.alice.payslips.get()
    with django_capture_on_commit_callbacks(execute=True):
        payslip_pdf_render(payslip=payslip)  # the task again, as a retry would
    assert len(mails_to(alice)) == 1


# --- nothing for a rollback ---------------------------------------------------------------------


def test_nothing_is_sent_or_kept_when_the_decision_rolls_back(
    alice, claire, alice_activity, django_capture_on_commit_callbacks
):
    claim = alice_claim(alice, alice_activity)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        expense_claim_reject(claim=claim, by=claire, reason="Ticket illisible")
        raise RuntimeError("the request failed after the decision")
    assert mails_to(alice) == []
    assert not Notification.objects.exists()
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED


# --- the e-mails a member switched off ----------------------------------------------------------


def test_a_switched_off_kind_shows_in_the_portal_without_an_e_mail(
    alice, alice_client, claire, alice_activity, django_capture_on_commit_callbacks
):
    NotificationOptOut.objects.create(user=alice, kind=notice.EXPENSE_REFUSED)
    claim = alice_claim(alice, alice_activity)
    with django_capture_on_commit_callbacks(execute=True):
        expense_claim_reject(claim=claim, by=claire, reason="Ticket illisible")
    assert mails_to(alice) == []
    assert kinds_of(alice) == [notice.EXPENSE_REFUSED]
    page = alice_client.get(reverse("portal:notification_list")).content.decode()
    assert "Ticket illisible" in page


def test_a_required_kind_is_e_mailed_even_if_a_row_says_otherwise(
    alice, claire, submitted_declaration, django_capture_on_commit_callbacks
):
    # A row written by hand (or before the kind became required) changes nothing.
    NotificationOptOut.objects.create(user=alice, kind=notice.CONTRACT_TO_ACCEPT)
    with django_capture_on_commit_callbacks(execute=True):
        declaration_approve(declaration=submitted_declaration, by=claire)
    assert len(mails_to(alice)) == 1


# --- advisors' bulk actions ---------------------------------------------------------------------


def test_a_bulk_rejection_in_the_back_office_tells_the_member_once_per_claim(
    alice, claire_client, alice_activity, alice_3en1, django_capture_on_commit_callbacks
):
    first = alice_claim(alice, alice_activity)
    second = alice_claim(alice, alice_3en1, amount="40.10", vat="0.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = claire_client.post(
            reverse("admin:payroll_expenseclaim_changelist"),
            {
                "action": "reject_with_reason",
                "apply": "yes",
                "reason": "Pas de ticket",
                "_selected_action": [first.pk, second.pk],
            },
        )
    assert response.status_code == 302
    assert kinds_of(alice) == [notice.EXPENSE_REFUSED, notice.EXPENSE_REFUSED]
    assert len(mails_to(alice)) == 2
    links = set(Notification.objects.values_list("link", flat=True))
    assert links == {
        reverse("portal:expense_detail", kwargs={"pk": first.pk}),
        reverse("portal:expense_detail", kwargs={"pk": second.pk}),
    }


def test_a_bulk_approval_of_claims_tells_the_member_once_per_claim(
    alice, claire_client, alice_activity, alice_3en1, django_capture_on_commit_callbacks
):
    first = alice_claim(alice, alice_activity, amount="25.00", vat="4.34")
    second = alice_claim(alice, alice_3en1, amount="40.10", vat="0.00")
    with django_capture_on_commit_callbacks(execute=True):
        claire_client.post(
            reverse("admin:payroll_expenseclaim_changelist"),
            {
                "action": "approve_selected",
                "apply": "yes",
                "_selected_action": [first.pk, second.pk],
            },
        )
    assert kinds_of(alice) == [notice.EXPENSE_APPROVED, notice.EXPENSE_APPROVED]
    assert len(mails_to(alice)) == 2


def test_days_in_a_notification_are_shown_the_belgian_way_in_every_language():
    params = {"what": "Câbles", "spent_day": date(2026, 3, 4).isoformat()}
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            assert "04/03/2026" in notice.kind_text(notice.EXPENSE_REFUSED, params)


# --- an advisor's question ------------------------------------------------------------------


def test_a_question_on_a_declaration_reaches_its_member_with_the_question(
    alice, claire, alice_client, submitted_declaration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declaration_ask_information(
            declaration=submitted_declaration, by=claire, question="Quel est l'horaire exact ?"
        )
    assert kinds_of(alice) == [notice.INFORMATION_REQUESTED]
    [message] = mails_to(alice)
    assert "Quel est l'horaire exact ?" in message.body
    link = reverse("portal:work_declaration_detail", kwargs={"pk": submitted_declaration.pk})
    assert f"https://portal.example.test{link}" in message.body
    page = alice_client.get(reverse("portal:notification_list")).content.decode()
    assert "Quel est l&#x27;horaire exact ?" in page
    submitted_declaration.refresh_from_db()
    assert submitted_declaration.status == "submitted"  # still waits for the advisor


def test_a_question_on_an_expense_claim_reaches_the_claimant(
    alice, claire, alice_activity, django_capture_on_commit_callbacks
):
    claim = alice_claim(alice, alice_activity)
    with django_capture_on_commit_callbacks(execute=True):
        expense_claim_ask_information(claim=claim, by=claire, question="Le ticket original ?")
    assert kinds_of(alice) == [notice.INFORMATION_REQUESTED]
    [message] = mails_to(alice)
    assert "Le ticket original ?" in message.body
    assert "Câbles XLR" in message.body


def test_a_question_without_text_tells_no_one(
    alice, claire, submitted_declaration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        declaration_ask_information(declaration=submitted_declaration, by=claire, question=" ")
    assert kinds_of(alice) == []
    assert mails_to(alice) == []


def test_an_unread_question_waits_on_the_home_page_until_it_is_read(
    alice, claire, alice_client, submitted_declaration
):
    declaration_ask_information(
        declaration=submitted_declaration, by=claire, question="Quel est l'horaire exact ?"
    )
    home = alice_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    [action] = [a for a in home.context["actions"] if a.key == "questions"]
    assert action.count == 1 and action.url == reverse("portal:notification_list")
    assert 'data-action="questions"' in home.content.decode()
    row = Notification.objects.get(user=alice, kind=notice.INFORMATION_REQUESTED)
    alice_client.post(reverse("portal:notification_read", args=[row.pk]))
    home = alice_client.get(reverse("portal:home"))
    assert "questions" not in [a.key for a in home.context["actions"]]
