"""Who reaches the membership pages: the owner does, another member gets 404 on owned objects
and sees only their own rows, an anonymous visitor is sent to the login page, a staff account
without a member profile gets the friendly refusal."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from members.certificate_services import certificate_request
from members.demo_shares import ensure_demo_shares
from members.models import MembershipApplication, ShareCertificate, ShareRegisterEntry, User
from tests.joining_helpers import application_data

pytestmark = pytest.mark.django_db

PORTAL_URLS = {
    "membership_apply",
    "membership_application",
    "membership_shares",
    "membership_shares_subscribe",
    "membership_register_csv",
    "membership_certificate_request",
    "membership_certificate_pdf",
}
# The pages of a member (their own shares); the two joining pages are for accounts without one.
MEMBER_PAGES = [
    "membership_shares",
    "membership_shares_subscribe",
    "membership_register_csv",
    "membership_certificate_request",
]


@pytest.fixture(autouse=True)
def _english_and_media(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def certificate(alice, bob, admin_user, django_capture_on_commit_callbacks):
    """alice's share certificate, rendered (and the demo shares of alice and bob)."""
    ensure_demo_shares(by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_request(member=alice.member, by=alice)
    certificate.refresh_from_db()
    assert certificate.status == ShareCertificate.Status.READY
    return certificate


def _url(name, certificate=None):
    if name == "membership_certificate_pdf":
        return reverse(f"portal:{name}", args=[certificate.pk])
    return reverse(f"portal:{name}")


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_redirected_to_the_login_page(client, certificate, name):
    url = _url(name, certificate)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


# --- the owner ---------------------------------------------------------------------------------


def test_an_account_without_member_profile_reaches_the_form_then_its_application(client):
    client.force_login(User.objects.create_user(email="nora@example.test"))
    assert client.get(reverse("portal:membership_apply")).status_code == 200
    # No application yet: the status page sends to the form.
    response = client.get(reverse("portal:membership_application"))
    assert response["Location"] == reverse("portal:membership_apply")
    client.post(reverse("portal:membership_apply"), application_data())
    response = client.get(reverse("portal:membership_application"))
    assert response.status_code == 200
    assert MembershipApplication.objects.get().structured_reference in response.content.decode()


def test_alice_reaches_her_member_pages(alice_client, certificate):
    assert alice_client.get(_url("membership_shares")).status_code == 200
    assert alice_client.get(_url("membership_register_csv")).status_code == 200
    response = alice_client.get(_url("membership_certificate_pdf", certificate))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The two actions are POSTs that lead back to the shares page.
    assert alice_client.post(_url("membership_certificate_request")).status_code == 302
    assert alice_client.get(_url("membership_certificate_request")).status_code == 405
    response = alice_client.post(_url("membership_shares_subscribe"), {"shares": "1"})
    assert response["Location"] == reverse("portal:membership_shares")
    assert alice_client.get(_url("membership_shares_subscribe")).status_code == 302


def test_a_member_is_sent_from_the_joining_pages_to_their_shares(alice_client, alice):
    for name in ("membership_apply", "membership_application"):
        response = alice_client.get(_url(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:membership_shares")


# --- another member ----------------------------------------------------------------------------


def test_bob_gets_404_on_alices_certificate(bob_client, certificate):
    url = _url("membership_certificate_pdf", certificate)
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url).status_code == 404


def test_a_certificate_that_does_not_exist_is_404(alice_client, certificate):
    url = reverse("portal:membership_certificate_pdf", args=[certificate.pk + 1000])
    assert alice_client.get(url).status_code == 404


def test_bob_sees_only_his_own_shares_and_register(bob_client, alice, certificate):
    alices = ShareRegisterEntry.objects.filter(member=alice.member)
    page = bob_client.get(_url("membership_shares")).content.decode()
    assert "Alice" not in page and "Lambert" not in page
    for entry in alices:
        assert f'data-entry="{entry.pk}"' not in page
    assert f'data-certificate="{certificate.pk}"' not in page
    rows = bob_client.get(_url("membership_register_csv")).content.decode().splitlines()
    assert len(rows) == 1 + 2  # header, bob's subscription and payment
    for entry in alices:
        if entry.structured_reference:
            assert entry.structured_reference not in "".join(rows)


def test_bob_requests_and_subscribes_for_himself_only(bob_client, bob, alice, certificate):
    alice_entries = ShareRegisterEntry.objects.filter(member=alice.member).count()
    bob_client.post(_url("membership_certificate_request"))
    bob_client.post(_url("membership_shares_subscribe"), {"shares": "1"})
    assert ShareRegisterEntry.objects.filter(member=alice.member).count() == alice_entries
    assert ShareCertificate.objects.filter(member=alice.member).count() == 1
    assert ShareCertificate.objects.filter(member=bob.member).count() == 1


def test_an_applicant_sees_only_their_own_application(client):
    nora = User.objects.create_user(email="nora@example.test")
    client.force_login(nora)
    client.post(reverse("portal:membership_apply"), application_data())
    nora_reference = MembershipApplication.objects.get().structured_reference
    client.force_login(User.objects.create_user(email="other@example.test"))
    response = client.get(_url("membership_application"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:membership_apply")
    page = client.get(_url("membership_apply")).content.decode()
    assert nora_reference not in page and "Peeters" not in page


# --- staff without a member profile -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_a_staff_account_without_member_profile_gets_the_friendly_refusal(
    claire_client, certificate, name
):
    response = claire_client.get(_url(name, certificate))
    assert response.status_code == 403
    assert 'id="no-member"' in response.content.decode()


def test_a_staff_account_cannot_request_a_certificate_from_the_portal(claire_client, certificate):
    response = claire_client.post(_url("membership_certificate_request"))
    assert response.status_code == 403
    assert ShareCertificate.objects.count() == 1
