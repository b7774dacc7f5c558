"""Who reaches the share transfer pages: the transferor does, another member gets 404 on the
request and never sees it in their lists, an anonymous visitor is sent to the login page."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from members.demo_shares import ensure_demo_shares
from members.models import ShareTransferRequest
from members.transfer_services import share_transfer_request

pytestmark = pytest.mark.django_db

PORTAL_URLS = {"membership_transfer_request", "membership_transfer_cancel"}


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def transfer(alice, bob, admin_user):
    """alice asks to transfer 1 of her 3 fully paid shares to bob."""
    ensure_demo_shares(by=admin_user)
    return share_transfer_request(
        from_member=alice.member,
        to_member_number=bob.member.number,
        shares=1,
        note="For the studio",
        by=alice,
    )


def _url(name, transfer):
    if name == "membership_transfer_cancel":
        return reverse(f"portal:{name}", args=[transfer.pk])
    return reverse(f"portal:{name}")


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_redirected_to_the_login_page(client, transfer, name):
    url = _url(name, transfer)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    transfer.refresh_from_db()
    assert transfer.status == ShareTransferRequest.Status.REQUESTED


def test_alice_reaches_her_transfer_pages(alice_client, alice, transfer, denis):
    # The request form lives on the shares page: a GET leads there, a POST records.
    response = alice_client.get(_url("membership_transfer_request", transfer))
    assert response["Location"] == reverse("portal:membership_shares")
    response = alice_client.post(
        _url("membership_transfer_request", transfer),
        {"to_member": denis.member.number, "shares": "1"},
    )
    assert response.status_code == 302
    assert ShareTransferRequest.objects.filter(from_member=alice.member).count() == 2
    assert alice_client.get(_url("membership_transfer_cancel", transfer)).status_code == 200


def test_bob_gets_404_on_alices_request(bob_client, transfer):
    url = _url("membership_transfer_cancel", transfer)
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url).status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == ShareTransferRequest.Status.REQUESTED


def test_a_request_that_does_not_exist_is_404(alice_client, transfer):
    url = reverse("portal:membership_transfer_cancel", args=[transfer.pk + 1000])
    assert alice_client.get(url).status_code == 404


def test_bob_never_sees_alices_requests_even_as_the_recipient(bob_client, transfer):
    page = bob_client.get(reverse("portal:membership_shares")).content.decode()
    assert f'data-transfer="{transfer.pk}"' not in page
    assert "For the studio" not in page
    assert "No transfer request yet" in page


def test_bob_asks_for_himself_only(bob_client, bob, alice, transfer):
    bob_client.post(
        reverse("portal:membership_transfer_request"),
        {"to_member": alice.member.number, "shares": "1"},
    )
    assert ShareTransferRequest.objects.filter(from_member=alice.member).count() == 1
    assert ShareTransferRequest.objects.filter(from_member=bob.member).count() == 1


def test_a_staff_account_without_member_profile_is_refused(claire_client, transfer):
    response = claire_client.post(
        reverse("portal:membership_transfer_request"), {"to_member": "1", "shares": "1"}
    )
    assert response.status_code == 403
    assert claire_client.get(_url("membership_transfer_cancel", transfer)).status_code == 403
