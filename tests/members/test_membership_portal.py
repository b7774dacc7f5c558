"""The membership portal after joining, and the bank lines that pay shares: partial and
excess payments, refused applications, later subscriptions paid by camt.053, the
one-share-per-year prompt, subscribing more shares, certificates, the register extract."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Payment
from invoicing.payment_services import bank_statement_import
from members.demo_shares import ensure_demo_shares
from members.models import (
    MembershipApplication,
    SharePolicy,
    ShareRegisterEntry,
    User,
)
from members.selectors import member_shares, years_of_use
from members.services import application_approve, application_refuse
from members.shares_page import share_prompt
from tests.invoicing_helpers import line, make_client
from tests.joining_helpers import TWO_SHARES, application_data, camt053

pytestmark = pytest.mark.django_db

THIRTY = Decimal("30.00")


@pytest.fixture(autouse=True)
def _english_and_media(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def nora_client(client, db):
    client.force_login(User.objects.create_user(email="nora@example.test"))
    return client


@pytest.fixture
def application(nora_client, django_capture_on_commit_callbacks):
    """Nora's open application for two shares (60 €), sent from the portal."""
    with django_capture_on_commit_callbacks(execute=True):
        response = nora_client.post(reverse("portal:membership_apply"), application_data())
    assert response.status_code == 302
    return MembershipApplication.objects.get()


@pytest.fixture
def demo_shares(alice, bob, admin_user):
    """alice: 3 shares fully paid (2019, 2024); bob: 3 shares, 30 € of 90 € paid (2025)."""
    ensure_demo_shares(by=admin_user)


def _state(client) -> str:
    page = client.get(reverse("portal:membership_application")).content.decode()
    return page.split('data-state="', 1)[1].split('"', 1)[0]


# --- bank lines paying shares ------------------------------------------------------------------


def test_a_partial_payment_waits_for_the_rest(application, nora_client, claire):
    bank_statement_import(file_bytes=camt053(("SH-1", THIRTY, application.structured_reference)))
    application.refresh_from_db()
    assert application.paid_amount == THIRTY
    assert application.paid_on == timezone.localdate()
    assert _state(nora_client) == "partly_paid"
    page = nora_client.get(reverse("portal:membership_application")).content.decode()
    assert "data-qr-code" in page  # the rest, 30 €, still to pay

    second = camt053(
        ("SH-2", THIRTY, application.structured_reference), statement_id="2026-SHARES-2"
    )
    result = bank_statement_import(file_bytes=second, by=claire)
    assert (result.created, result.shares) == (1, 1)
    application.refresh_from_db()
    assert application.paid_amount == TWO_SHARES
    assert _state(nora_client) == "paid"
    payments = Payment.objects.order_by("pk")
    assert [payment.status for payment in payments] == [Payment.Status.IGNORED] * 2
    assert all("membership application" in payment.note for payment in payments)


def test_the_same_bank_line_in_another_file_is_recorded_once(application, claire):
    bank_statement_import(file_bytes=camt053(("SH-1", THIRTY, application.structured_reference)))
    other_file = camt053(
        ("SH-1", THIRTY, application.structured_reference), statement_id="2026-SHARES-9"
    )
    result = bank_statement_import(file_bytes=other_file, by=claire)
    assert (result.created, result.skipped_duplicates, result.shares) == (0, 1, 0)
    application.refresh_from_db()
    assert application.paid_amount == THIRTY


def test_more_than_due_is_left_for_an_advisor_and_records_nothing(application, claire):
    result = bank_statement_import(
        file_bytes=camt053(("SH-1", Decimal("90.00"), application.structured_reference)),
        by=claire,
    )
    assert (result.created, result.shares, result.unmatched) == (1, 0, 1)
    application.refresh_from_db()
    assert application.paid_amount == 0
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.UNMATCHED
    assert "Only 60.00 € is still due" in payment.note


def test_a_payment_for_a_refused_application_is_left_for_an_advisor(application, claire):
    application_refuse(application=application, by=claire, reason="Identité non vérifiée")
    result = bank_statement_import(
        file_bytes=camt053(("SH-1", TWO_SHARES, application.structured_reference)), by=claire
    )
    assert (result.shares, result.unmatched) == (0, 1)
    assert "no open application" in Payment.objects.get().note


def test_a_payment_after_approval_pays_the_subscription_in_the_register(application, claire):
    member = application_approve(
        application=application, by=claire, unpaid_reason="Board member vouches, pays Friday"
    )
    bank_statement_import(
        file_bytes=camt053(("SH-1", TWO_SHARES, application.structured_reference))
    )
    payment = ShareRegisterEntry.objects.get(
        member=member, operation=ShareRegisterEntry.Operation.PAYMENT
    )
    assert payment.paid_amount == TWO_SHARES
    assert payment.structured_reference == application.structured_reference
    assert payment.bank_reference.endswith(":SH-1")
    assert member_shares(member=member).unpaid == 0


def test_a_later_subscription_is_paid_by_the_bank_statement(demo_shares, alice_client, alice):
    response = alice_client.post(reverse("portal:membership_shares_subscribe"), {"shares": "2"})
    assert response.status_code == 302
    subscription = ShareRegisterEntry.objects.filter(
        member=alice.member, operation=ShareRegisterEntry.Operation.SUBSCRIPTION
    ).latest("id")
    assert (subscription.shares, subscription.amount) == (2, TWO_SHARES)
    page = alice_client.get(reverse("portal:membership_shares")).content.decode()
    assert f'data-subscription="{subscription.pk}"' in page
    assert f'data-reference="{subscription.structured_reference}"' in page

    result = bank_statement_import(
        file_bytes=camt053(("SH-7", TWO_SHARES, subscription.structured_reference))
    )
    assert result.shares == 1
    position = member_shares(member=alice.member)
    assert (position.held, position.nominal, position.refundable) == (
        5,
        Decimal("150.00"),  # 3 × 30 € before, 2 × 30 € now
        Decimal("150.00"),
    )
    page = alice_client.get(reverse("portal:membership_shares")).content.decode()
    assert f'data-subscription="{subscription.pk}"' not in page


# --- the shares page ---------------------------------------------------------------------------


def test_the_shares_page_shows_the_position_and_the_register_extract(demo_shares, bob_client):
    page = bob_client.get(reverse("portal:membership_shares")).content.decode()
    assert "data-held>3<" in page
    assert "data-unpaid>€60.00<" in page  # 90 € subscribed, 30 € paid
    assert page.count('data-operation="subscription"') == 1
    assert page.count('data-operation="payment"') == 1
    assert "data-qr-code" in page  # how to pay the 60 € left

    rows = list(
        csv.reader(
            io.StringIO(bob_client.get(reverse("portal:membership_register_csv")).content.decode())
        )
    )
    assert [row[1] for row in rows[1:]] == ["subscription", "payment"]
    assert [row[2] for row in rows[1:]] == ["3", "0"]


def test_a_member_without_shares_sees_what_to_do(bob_client):
    page = bob_client.get(reverse("portal:membership_shares")).content.decode()
    assert "No operation in the register yet" in page
    assert "Get a share certificate" not in page


def test_subscribing_zero_shares_is_refused_naming_the_field(demo_shares, alice_client, alice):
    before = ShareRegisterEntry.objects.count()
    response = alice_client.post(reverse("portal:membership_shares_subscribe"), {"shares": "0"})
    assert response.status_code == 400
    assert 'href="#id_shares"' in response.content.decode()
    assert ShareRegisterEntry.objects.count() == before


def test_a_certificate_for_a_future_date_is_refused(demo_shares, alice_client):
    tomorrow = timezone.localdate().replace(year=timezone.localdate().year + 1)
    response = alice_client.post(
        reverse("portal:membership_certificate_request"), {"as_of": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "The date can&#x27;t be in the future." in response.content.decode()


def test_a_certificate_being_prepared_is_not_downloadable_yet(
    demo_shares, alice_client, alice, django_capture_on_commit_callbacks
):
    # Without running the commit callbacks, the rendering task never ran.
    response = alice_client.post(reverse("portal:membership_certificate_request"))
    assert response.status_code == 302
    certificate = alice.member.certificates.get()
    response = alice_client.get(reverse("portal:membership_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:membership_shares")


# --- one share per year of use ---------------------------------------------------------------


@pytest.fixture
def invoiced_years(alice, alice_3en1, claire):
    """Issue one invoice of alice's unit on 1 March of each year given."""
    client = make_client(alice, alice_3en1, verify_by=claire)

    def issue(*years):
        for year in years:
            invoice = invoice_create(by=alice, unit=alice_3en1, client=client, lines=[line()])
            invoice_issue(invoice=invoice, by=alice, issue_date=date(year, 3, 1))

    return issue


def test_a_member_who_used_the_services_last_year_without_enough_shares_is_asked_for_more(
    demo_shares, alice_client, alice, invoiced_years
):
    this_year = timezone.localdate().year
    invoiced_years(this_year - 4, this_year - 3, this_year - 2, this_year - 1)
    assert years_of_use(member=alice.member, before_year=this_year) == [
        this_year - 4,
        this_year - 3,
        this_year - 2,
        this_year - 1,
    ]
    # Four years of use, three shares held: one more is asked for.
    page = alice_client.get(reverse("portal:membership_shares")).content.decode()
    assert 'id="share-prompt"' in page and 'data-missing="1"' in page
    assert 'name="shares" value="1"' in page

    alice_client.post(reverse("portal:membership_shares_subscribe"), {"shares": "1"})
    page = alice_client.get(reverse("portal:membership_shares")).content.decode()
    assert 'id="share-prompt"' not in page
    assert "data-held>4<" in page
    assert "data-qr-code" in page  # the new share, to pay


def test_no_prompt_without_use_last_year_or_with_the_rule_off(demo_shares, alice, invoiced_years):
    this_year = timezone.localdate().year
    invoiced_years(this_year - 5, this_year - 4, this_year - 3, this_year - 2)
    assert share_prompt(member=alice.member) is None  # four years of use, none last year
    invoiced_years(this_year - 1)
    prompt = share_prompt(member=alice.member)
    assert (prompt.years_of_use, prompt.held, prompt.missing) == (5, 3, 2)
    for policy in SharePolicy.objects.all():
        policy.one_share_per_year_rule = False
        policy.save()
    assert share_prompt(member=alice.member) is None


def test_invoices_of_this_year_do_not_count_yet(demo_shares, alice, invoiced_years):
    this_year = timezone.localdate().year
    invoiced_years(this_year - 1, this_year)
    assert years_of_use(member=alice.member, before_year=this_year) == [this_year - 1]
    assert share_prompt(member=alice.member) is None  # 1 year of use, 3 shares


# --- the email ---------------------------------------------------------------------------------


def test_the_email_gives_the_amount_the_account_and_the_communication(
    nora_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        nora_client.post(reverse("portal:membership_apply"), application_data())
    (message,) = mail.outbox
    application = MembershipApplication.objects.get()
    assert application.preferred_language == "en"
    reference = application.structured_reference
    assert message.subject == "Your membership application: how to pay your shares"
    assert "Please transfer the amount below" in message.body
    assert "Amount: 60.00 €" in message.body
    assert "Account: BE15 0682 1111 1130" in message.body
    assert f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++" in message.body


def test_invoice_and_share_payments_in_one_file_each_go_their_way(
    application, alice, alice_3en1, claire
):
    client = make_client(alice, alice_3en1, verify_by=claire)
    invoice = invoice_create(by=alice, unit=alice_3en1, client=client, lines=[line()])
    invoice = invoice_issue(invoice=invoice, by=alice)
    assert invoice.total == Decimal("121.00")  # 100 € + 21% VAT
    statement = camt053(
        ("INV-1", invoice.total, invoice.structured_reference),
        ("SH-1", TWO_SHARES, application.structured_reference),
    )
    result = bank_statement_import(file_bytes=statement, by=claire)
    assert (result.created, result.matched, result.shares, result.unmatched) == (2, 1, 1, 0)
    assert Payment.objects.get(bank_reference__endswith=":INV-1").invoice_id == invoice.pk
    application.refresh_from_db()
    assert application.paid_amount == TWO_SHARES
