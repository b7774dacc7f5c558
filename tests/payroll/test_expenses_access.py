"""Who reaches the expense-claim pages and routes: alice her own claims, bob none of them
(404 on each object, nothing of hers in his lists), anonymous visitors the login page
(401/403 on the API)."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.expense_helpers import JPEG, alice_claim

pytestmark = pytest.mark.django_db

# URL name → whether it shows one of alice's claims (its `pk`)
PORTAL = {
    "expense_list": False,
    "expense_list_csv": False,
    "expense_create": False,
    "expense_detail": True,
    "expense_receipt": True,
}
PORTAL_URLS = set(PORTAL)
# route → whether it shows one of alice's claims (its `claim_id`)
API = {
    "api:expense-claim-list": False,
    "api:expense-claim-detail": True,
    "api:expense-claim-receipt": True,
}
API_ROUTES = set(API)


@pytest.fixture
def claim(alice, alice_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return alice_claim(alice, alice_activity, description="Secret câble d'Alice")


def _portal_url(name, claim):
    return reverse(f"portal:{name}", kwargs={"pk": claim.pk} if PORTAL[name] else {})


def _api_url(name, claim):
    return reverse(name, kwargs={"claim_id": claim.pk} if API[name] else {})


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_alice_reaches_every_expense_page(alice_client, claim, name):
    response = alice_client.get(_portal_url(name, claim))
    assert response.status_code == 200
    if name == "expense_receipt":
        assert _body(response) == JPEG
        assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_anonymous_is_sent_to_the_login_page(client, claim, name):
    url = _portal_url(name, claim)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", sorted(n for n, own in PORTAL.items() if own))
def test_bob_gets_404_on_alices_claim(bob_client, claim, name):
    assert bob_client.get(_portal_url(name, claim)).status_code == 404
    assert bob_client.post(_portal_url(name, claim), {}).status_code == 404


@pytest.mark.parametrize("name", sorted(n for n, own in PORTAL.items() if not own))
def test_bob_sees_none_of_alices_claims(bob_client, claim, name):
    response = bob_client.get(_portal_url(name, claim))
    assert response.status_code == 200
    content = _body(response).decode()
    for secret in ("Secret câble", "UP-0001", "UP-0002"):
        assert secret not in content


def test_an_account_without_member_or_worker_profile_is_refused(claire_client, claim):
    response = claire_client.get(reverse("portal:expense_list"))
    assert response.status_code == 403
    assert 'id="no-member"' in response.content.decode()


def test_a_claim_that_does_not_exist_is_404(alice_client, claim):
    assert alice_client.get(reverse("portal:expense_detail", args=[999_999])).status_code == 404


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(API))
def test_alice_reaches_every_expense_route(alice_client, claim, name):
    response = alice_client.get(_api_url(name, claim))
    assert response.status_code == 200
    if name == "api:expense-claim-list":
        assert {row["id"] for row in response.json()["results"]} == {claim.pk}
    elif name == "api:expense-claim-detail":
        assert response.json()["id"] == claim.pk
    else:
        assert _body(response) == JPEG


@pytest.mark.parametrize("name", sorted(API))
def test_anonymous_is_refused_by_the_api(client, claim, name):
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client, method)(_api_url(name, claim))
        assert response.status_code in (401, 403)


@pytest.mark.parametrize("name", sorted(n for n, own in API.items() if own))
def test_bob_gets_404_on_alices_claim_through_the_api(bob_client, claim, name):
    assert bob_client.get(_api_url(name, claim)).status_code == 404


def test_bobs_api_list_holds_none_of_alices_claims(bob_client, claim):
    response = bob_client.get(reverse("api:expense-claim-list"))
    assert response.status_code == 200
    assert response.json()["results"] == []
