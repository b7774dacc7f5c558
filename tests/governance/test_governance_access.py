"""Who reaches the assembly pages and API routes. Assemblies belong to the whole cooperative:
every member reaches a convened one; a draft is nobody's page (404); a proxy is its giver's and
its holder's only (404 for another member); anonymous visitors go to the login page (401/403 on
the API). Results are invisible everywhere until published: portal, admin and API, per role."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import AgendaDocument, GeneralAssembly, ItemResult, Proxy
from governance.services.assemblies import agenda_item_add, assembly_create
from governance.services.proxies import proxy_give
from governance.services.roll import assembly_convene
from governance.services.voting import ballot_cast
from governance.tally import assembly_tally
from tests import governance_helpers as gh

pytestmark = pytest.mark.django_db

PORTAL_URLS = {
    "assembly_list",
    "assembly_detail",
    "assembly_vote",
    "assembly_proxy_give",
    "assembly_document",
    "assembly_minutes",
    "proxy_answer",
    "proxy_cancel",
}
API_ROUTES = {
    "api:assembly-list",
    "api:assembly-detail",
    "api:assembly-my-ballot",
    "api:assembly-results",
}


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def open_vote():
    """An assembly whose online vote is open now; alice gave bob her proxy (waiting)."""
    people = gh.personas()
    now = timezone.now()
    today = timezone.localdate()
    assembly = assembly_create(
        kind=GeneralAssembly.Kind.ORDINARY,
        title="AG open",
        date=today + timedelta(days=1),
        notice_date=today - timedelta(days=10),
        record_date=today - timedelta(days=5),
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=1),
        by=people["denis"],
    )
    item = agenda_item_add(assembly=assembly, title="Accounts", kind="ordinary", by=people["denis"])
    document = AgendaDocument(item=item, title="Accounts 2025")
    document.file.save("accounts.pdf", ContentFile(b"%PDF-1.4 accounts"), save=True)
    convened = assembly_convene(assembly=assembly, by=people["denis"])
    proxy = proxy_give(assembly=assembly, giver=people["alice"].member, holder=people["bob"].member)
    return {
        **people,
        "assembly": convened.assembly,
        "key": convened.key_file,
        "item": item,
        "document": document,
        "proxy": proxy,
    }


def _url(name, w):
    a = w["assembly"].pk
    return {
        "assembly_list": reverse("portal:assembly_list"),
        "assembly_detail": reverse("portal:assembly_detail", args=[a]),
        "assembly_vote": reverse("portal:assembly_vote", args=[a]),
        "assembly_proxy_give": reverse("portal:assembly_proxy_give", args=[a]),
        "assembly_document": reverse("portal:assembly_document", args=[a, w["document"].pk]),
        "assembly_minutes": reverse("portal:assembly_minutes", args=[a]),
        "proxy_answer": reverse("portal:proxy_answer", args=[w["proxy"].pk]),
        "proxy_cancel": reverse("portal:proxy_cancel", args=[w["proxy"].pk]),
    }[name]


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_sent_to_the_login_page(client, open_vote, name):
    url = _url(name, open_vote)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    assert not open_vote["assembly"].participations.exists()


@pytest.mark.parametrize(
    "name", ["assembly_list", "assembly_detail", "assembly_vote", "assembly_document"]
)
def test_every_member_reaches_the_assembly_pages(client, open_vote, name):
    for who in ("alice", "bob", "denis"):
        client.force_login(open_vote[who])
        assert client.get(_url(name, open_vote)).status_code == 200


def test_minutes_exist_only_once_published(client, open_vote):
    client.force_login(open_vote["bob"])
    assert client.get(_url("assembly_minutes", open_vote)).status_code == 404


def test_a_proxy_is_its_holders_and_givers_only(client, open_vote):
    client.force_login(open_vote["denis"])
    assert client.post(_url("proxy_answer", open_vote), {"answer": "accept"}).status_code == 404
    assert client.get(_url("proxy_cancel", open_vote)).status_code == 404
    assert client.post(_url("proxy_cancel", open_vote)).status_code == 404
    # The holder answers, the giver cancels.
    client.force_login(open_vote["bob"])
    assert client.get(_url("proxy_cancel", open_vote)).status_code == 404
    response = client.post(_url("proxy_answer", open_vote), {"answer": "accept"})
    assert response.status_code == 302
    assert Proxy.objects.get(pk=open_vote["proxy"].pk).status == Proxy.Status.ACCEPTED
    client.force_login(open_vote["alice"])
    assert client.get(_url("proxy_cancel", open_vote)).status_code == 200
    assert client.post(_url("proxy_cancel", open_vote)).status_code == 302
    assert Proxy.objects.get(pk=open_vote["proxy"].pk).status == Proxy.Status.CANCELLED


def test_a_draft_assembly_is_nobodys_page(client, open_vote):
    draft = gh.draft_assembly(open_vote["denis"], title="Draft")
    client.force_login(open_vote["denis"])
    for name in ("assembly_detail", "assembly_vote", "assembly_minutes"):
        assert client.get(reverse(f"portal:{name}", args=[draft.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(open_vote["alice"])
    assert api.get(reverse("api:assembly-detail", args=[draft.pk])).status_code == 404


def test_voting_in_the_portal_shows_the_receipt_once(client, open_vote):
    client.force_login(open_vote["bob"])
    item = open_vote["item"]
    response = client.post(_url("assembly_vote", open_vote), {f"item_{item.pk}": "for"})
    assert response.status_code == 200
    receipt = open_vote["assembly"].encrypted_ballots.get().receipt
    assert receipt in response.content.decode()
    # A second ballot is refused, and the page says why.
    again = client.post(_url("assembly_vote", open_vote), {f"item_{item.pk}": "against"})
    assert again.status_code == 409
    assert "already recorded" in again.content.decode()
    assert open_vote["assembly"].encrypted_ballots.count() == 1


def test_an_applicant_is_told_why_they_cannot_vote(client, open_vote):
    from members.models import Member, User

    user = User.objects.create_user(email="new@x.test", password="x")
    Member.objects.create(
        user=user, category="A", first_name="New", last_name="Comer", status=Member.Status.APPLICANT
    )
    client.force_login(user)
    page = client.get(_url("assembly_detail", open_vote)).content.decode()
    assert 'data-cannot-vote="not_on_roll"' in page
    assert "application was not yet approved" in page


# --- the API ---------------------------------------------------------------------------------


def _api(route, w):
    if route == "api:assembly-list":
        return reverse(route)
    return reverse(route, args=[w["assembly"].pk])


@pytest.mark.parametrize("route", sorted(API_ROUTES))
def test_the_api_refuses_anonymous_callers(open_vote, route):
    response = APIClient().get(_api(route, open_vote))
    assert response.status_code in (401, 403)


def test_the_api_gives_my_ballot_status(open_vote):
    api = APIClient()
    api.force_authenticate(open_vote["bob"])
    data = api.get(_api("api:assembly-my-ballot", open_vote)).json()
    assert data["can_vote"] is True and data["reason"] == "ok"
    listing = api.get(_api("api:assembly-list", open_vote)).json()
    assert [a["id"] for a in listing["results"]] == [open_vote["assembly"].pk]
    detail = api.get(_api("api:assembly-detail", open_vote)).json()
    assert [i["title"] for i in detail["items"]] == ["Accounts"]


# --- results are invisible before publication ------------------------------------------------


def _vote_and_close(w):
    ballot_cast(
        assembly=w["assembly"], voter=w["bob"].member, choices={"items": {str(w["item"].pk): "for"}}
    )
    GeneralAssembly.objects.filter(pk=w["assembly"].pk).update(
        voting_closes_at=timezone.now() - timedelta(seconds=1),
        voting_opens_at=timezone.now() - timedelta(days=2),
    )
    w["assembly"].refresh_from_db()


@pytest.mark.parametrize("who", ["alice", "bob", "denis", "claire", "admin"])
def test_results_are_invisible_before_publication_to_every_role(client, open_vote, who):
    from tests.conftest import _with_mfa

    _vote_and_close(open_vote)
    user = open_vote[who]
    if user.is_staff:
        _with_mfa(user)
    client.force_login(user)
    # Admin: the item page shows no result rows (and none exist before the count).
    if user.is_staff:
        page = client.get(
            reverse("admin:governance_agendaitem_change", args=[open_vote["item"].pk])
        ).content.decode()
        assert "data-outcome" not in page and "adopted" not in page.lower()
    else:
        page = client.get(_url("assembly_detail", open_vote)).content.decode()
        assert "data-results" not in page
    assert not ItemResult.objects.exists()
    api = APIClient()
    api.force_authenticate(user)
    if getattr(user, "member", None) is not None:
        assert api.get(_api("api:assembly-results", open_vote)).status_code == 404
    # After the count, they appear for members.
    assembly_tally(assembly=open_vote["assembly"], key_file=open_vote["key"], by=open_vote["denis"])
    if getattr(user, "member", None) is not None:
        results = api.get(_api("api:assembly-results", open_vote)).json()
        assert results["results"][0]["votes_for"] == 1
        assert results["results"][0]["outcome"] == "adopted"
        page = client.get(_url("assembly_detail", open_vote)).content.decode()
        assert 'data-outcome="adopted"' in page


def test_the_board_sees_participation_not_votes(client, open_vote):
    _vote = ballot_cast(
        assembly=open_vote["assembly"],
        voter=open_vote["bob"].member,
        choices={"items": {str(open_vote["item"].pk): "against"}},
    )
    client.force_login(open_vote["denis"])
    page = client.get(_url("assembly_detail", open_vote)).content.decode()
    assert 'id="participation-figures"' in page
    assert "1 of 3 members on the roll have taken part" in page
    # One person online: a group under 10 is not shown.
    assert "fewer than 10" in page
    assert "against" not in page.split('id="participation-figures"')[1].split("</section>")[0]
    client.force_login(open_vote["alice"])
    assert (
        'id="participation-figures"'
        not in client.get(_url("assembly_detail", open_vote)).content.decode()
    )
