"""Who reaches the board's portal pages: every member the board and the ethics pages, alice her
own candidacy (bob gets 404 on it and sees nothing of it), anonymous visitors the login page."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from governance.board_services import candidacy_file

pytestmark = pytest.mark.django_db

# URL name → whether it shows alice's candidacy (its `pk`)
PORTAL = {
    "governance_board": False,
    "governance_candidacy": False,
    "governance_candidacy_withdraw": True,
    "governance_ethics": False,
}
PORTAL_URLS = set(PORTAL)
SECRET = "Déclaration secrète numéro 7"


@pytest.fixture
def candidacy(alice):
    return candidacy_file(member=alice.member, statement=SECRET, by=alice)


def _url(name, candidacy):
    return reverse(f"portal:{name}", kwargs={"pk": candidacy.pk} if PORTAL[name] else {})


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_alice_reaches_every_board_page(alice_client, candidacy, name):
    assert alice_client.get(_url(name, candidacy)).status_code == 200


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_anonymous_is_sent_to_the_login_page(client, candidacy, name):
    url = _url(name, candidacy)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", sorted(n for n, own in PORTAL.items() if own))
def test_bob_gets_404_on_alices_candidacy(bob_client, candidacy, name):
    assert bob_client.get(_url(name, candidacy)).status_code == 404
    assert bob_client.post(_url(name, candidacy), {}).status_code == 404
    candidacy.refresh_from_db()
    assert candidacy.status == "filed"


@pytest.mark.parametrize("name", sorted(n for n, own in PORTAL.items() if not own))
def test_bob_sees_nothing_of_alices_candidacy(bob_client, candidacy, name):
    response = bob_client.get(_url(name, candidacy))
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_denis_the_board_member_sees_the_board_page(client, denis):
    client.force_login(denis)
    assert client.get(reverse("portal:governance_board")).status_code == 200


def test_a_staff_account_without_member_profile_is_refused(claire_client):
    response = claire_client.get(reverse("portal:governance_board"))
    assert response.status_code == 403


def test_alice_reads_her_statement_before_withdrawing(alice_client, candidacy):
    page = alice_client.get(reverse("portal:governance_candidacy_withdraw", args=[candidacy.pk]))
    assert SECRET in page.content.decode()
