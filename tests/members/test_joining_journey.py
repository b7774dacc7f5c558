"""The joining journey through the portal, end to end with the test client: a visitor signs up
(django-allauth, email confirmed), applies, is shown what to pay (structured communication,
EPC QR code, also by email), the bank statement pays it, an advisor approves, the new member
asks for a share certificate and downloads it. And the ways an application goes wrong."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from invoicing.models import Payment
from invoicing.payment_services import bank_statement_import
from members.models import Member, MembershipApplication, ShareCertificate, User
from members.selectors import member_shares
from members.services import application_approve
from tests.joining_helpers import TWO_SHARES, application_data, camt053

pytestmark = pytest.mark.django_db

PASSWORD = "c0rrect-h0rse-battery"


@pytest.fixture(autouse=True)
def _english_and_media(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


def _sign_up(client, email: str) -> User:
    """Sign up with allauth and confirm the email with the link sent."""
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    assert client.post(link).status_code == 302
    mail.outbox.clear()
    user = User.objects.get(email=email)
    assert user.emailaddress_set.get().verified
    return user


def _log_in(client, email: str) -> None:
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302


def test_sign_up_apply_pay_approved_certificate(client, claire, django_capture_on_commit_callbacks):
    # 1. A visitor signs up and confirms her email, then logs in: not a member yet, the
    # portal offers to become one.
    user = _sign_up(client, "nora@example.test")
    _log_in(client, "nora@example.test")
    home = client.get(reverse("portal:home"))
    assert home.status_code == 403
    assert reverse("portal:membership_apply") in home.content.decode()

    # 2. The form shows the share policy in force and the account's email.
    page = client.get(reverse("portal:membership_apply")).content.decode()
    assert 'data-share-price="30.00"' in page and 'data-minimum-shares="1"' in page
    assert 'value="nora@example.test"' in page

    # 3. She applies for two shares; the email with the payment instructions goes out
    # after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:membership_apply"), application_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:membership_application")
    application = MembershipApplication.objects.get()
    assert (application.user, application.shares) == (user, 2)
    assert application.amount_due == TWO_SHARES
    reference = application.structured_reference
    communication = f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"

    (email,) = mail.outbox
    assert email.to == ["nora@example.test"]
    assert communication in email.body
    assert "BE15 0682 1111 1130" in email.body and "60.00 €" in email.body
    ((name, png, mimetype),) = email.attachments
    assert (name, mimetype) == ("payment-qr-code.png", "image/png")
    assert png.startswith(b"\x89PNG")

    # 4. The status page: what is owed, to which account, with which communication, the QR.
    page = client.get(reverse("portal:membership_application")).content.decode()
    assert 'data-state="waiting_payment"' in page
    assert f'data-reference="{reference}"' in page
    assert communication in page
    assert "BE15 0682 1111 1130" in page
    assert "data-qr-code" in page and "<svg" in page
    assert re.search(r"data-amount-due>\s*€\s*60\.00", page)

    # 5. The bank statement brings her transfer: the application is paid, nothing waits in
    # the invoices' queue; importing the same file again changes nothing.
    statement = camt053(("SHARES-0001", TWO_SHARES, reference))
    result = bank_statement_import(file_bytes=statement, by=claire)
    assert (result.created, result.shares, result.matched, result.unmatched) == (1, 1, 0, 0)
    application.refresh_from_db()
    assert application.paid_amount == TWO_SHARES
    assert not Payment.objects.unmatched().exists()
    again = bank_statement_import(file_bytes=statement, by=claire)
    assert again.already_imported
    application.refresh_from_db()
    assert application.paid_amount == TWO_SHARES
    page = client.get(reverse("portal:membership_application")).content.decode()
    assert 'data-state="paid"' in page
    assert "data-qr-code" not in page  # nothing left to pay

    # 6. Claire approves it: Nora is a member, with a number, her two shares paid up.
    member = application_approve(application=application, by=claire)
    assert member.user == user and member.number is not None
    assert member_shares(member=member).held == 2
    assert member_shares(member=member).refundable == TWO_SHARES
    page = client.get(reverse("portal:membership_application")).content.decode()
    assert 'data-state="approved"' in page and str(member.number) in page

    # 7. Her shares page; she asks for a certificate (rendered after the commit) and
    # downloads it: her name and her two shares are in it.
    page = client.get(reverse("portal:membership_shares")).content.decode()
    assert f'data-member-number="{member.number}"' in page
    assert "data-held>2<" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:membership_certificate_request"))
    assert response.status_code == 302
    certificate = ShareCertificate.objects.get(member=member)
    assert certificate.status == ShareCertificate.Status.READY
    pdf = client.get(reverse("portal:membership_certificate_pdf", args=[certificate.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    assert "Nora Peeters" in text
    assert f"member number {member.number}, holds 2 registered shares" in text


# --- what goes wrong ---------------------------------------------------------------------------


@pytest.fixture
def newcomer_client(client, db):
    """A logged-in account with no member profile (signed up, not applied yet)."""
    user = User.objects.create_user(email="nora@example.test", password=PASSWORD)
    client.force_login(user)
    return client


def _refused(response, field: str, words: str) -> str:
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page  # the error names the field
    assert words in page
    assert not MembershipApplication.objects.exists()
    assert not mail.outbox
    return page


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("national_number", "91.03.08-057.00", "national register number"),
        ("iban", "BE00 1234 5678 9012", "IBAN"),
    ],
)
def test_an_invalid_identifier_is_refused_naming_the_field(newcomer_client, field, value, words):
    response = newcomer_client.post(
        reverse("portal:membership_apply"), application_data(**{field: value})
    )
    _refused(response, field, words)


def test_an_application_for_an_existing_member_is_a_duplicate(newcomer_client, alice):
    data = application_data(national_number=alice.member.national_number)
    data["birth_date"] = alice.member.birth_date.isoformat()
    response = newcomer_client.post(reverse("portal:membership_apply"), data)
    _refused(response, "national_number", "already exists")


def test_a_second_open_application_for_the_same_person_is_a_duplicate(newcomer_client, client):
    assert (
        newcomer_client.post(reverse("portal:membership_apply"), application_data()).status_code
        == 302
    )
    mail.outbox.clear()
    other = User.objects.create_user(email="nora.bis@example.test")
    client.force_login(other)
    response = client.post(
        reverse("portal:membership_apply"), application_data(email="nora.bis@example.test")
    )
    assert response.status_code == 400
    assert "already open" in response.content.decode()
    assert MembershipApplication.objects.count() == 1
    assert not mail.outbox


def test_category_a_without_activity_nor_office_is_refused(newcomer_client):
    response = newcomer_client.post(
        reverse("portal:membership_apply"), application_data(planned_activity="", office="")
    )
    page = _refused(response, "planned_activity", "Describe the activity")
    assert 'href="#id_office"' in page


def test_the_documents_in_force_must_be_accepted(newcomer_client):
    response = newcomer_client.post(
        reverse("portal:membership_apply"), application_data(accepted_documents=[])
    )
    page = _refused(response, "accepted_documents", "Read and accept")
    assert "Statuts de SmartCoop" in page


def test_fewer_shares_than_the_minimum_are_refused(newcomer_client):
    response = newcomer_client.post(
        reverse("portal:membership_apply"), application_data(shares="0")
    )
    _refused(response, "shares", "")


def test_a_member_is_sent_to_their_shares_and_staff_cannot_apply(bob_client, client, claire):
    response = bob_client.get(reverse("portal:membership_apply"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:membership_shares")
    client.force_login(claire)
    response = client.post(reverse("portal:membership_apply"), application_data())
    assert response.status_code == 403
    assert not MembershipApplication.objects.exists()


def test_an_open_application_sends_back_to_its_page(newcomer_client):
    newcomer_client.post(reverse("portal:membership_apply"), application_data())
    response = newcomer_client.get(reverse("portal:membership_apply"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:membership_application")
    assert Member.objects.filter(user__email="nora@example.test").count() == 0
