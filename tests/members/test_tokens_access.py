"""Who reaches the API access pages: the owner does, another member gets 404 on a token that
is not theirs and never sees it listed, an anonymous visitor is sent to the login page."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from members.models import ApiToken
from members.token_services import api_token_create

pytestmark = pytest.mark.django_db

PORTAL_URLS = {"api_tokens", "api_token_revoke", "api_tokens_revoke_all"}


@pytest.fixture
def alices_token(alice):
    token, _clear = api_token_create(user=alice, name="alice's script", via="test")
    return token


def _url(name, token):
    if name == "api_token_revoke":
        return reverse(f"portal:{name}", args=[token.digest])
    return reverse(f"portal:{name}")


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_redirected_to_the_login_page(client, alices_token, name):
    url = _url(name, alices_token)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    assert ApiToken.objects.filter(pk=alices_token.pk).exists()


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_the_owner_reaches_every_page(alice_client, alices_token, name):
    assert alice_client.get(_url(name, alices_token)).status_code == 200


def test_another_member_gets_404_on_a_token_and_revokes_nothing(bob_client, alices_token):
    url = _url("api_token_revoke", alices_token)
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url).status_code == 404
    assert ApiToken.objects.filter(pk=alices_token.pk).exists()


def test_another_member_never_sees_nor_revokes_the_owners_tokens(bob_client, alices_token):
    page = bob_client.get(reverse("portal:api_tokens")).content.decode()
    assert "alice's script" not in page
    assert alices_token.digest not in page
    bob_client.post(reverse("portal:api_tokens_revoke_all"))
    assert ApiToken.objects.filter(pk=alices_token.pk).exists()
