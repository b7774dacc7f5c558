"""Who reaches the workers' pages and API routes (tests/access_registry.py).

alice holds the units and reaches everything about them; bob, another member, gets 404 on
alice's objects and sees none of her data in his own pages; anonymous visitors are sent to
the login page (API: 401/403), except on the invitation page, which the emailed token opens;
zoé, an invited worker who is not a member, reaches her own calendar but no unit's pages.
"""

from datetime import date
from urllib.parse import quote

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from payroll.workers.invitation_services import worker_invitation_accept
from payroll.workers.worker_services import unit_holder_worker
from tests.workers_helpers import ZOE_NUMBER, accept_url, declare_day, invite_zoe, zoe_identity

pytestmark = pytest.mark.django_db

PORTAL_URLS = {
    "workers_unit",
    "workers_invite",
    "workers_end",
    "workers_unit_calendar",
    "workers_invitation_revoke",
    "workers_invitation_accept",
    "workers_calendar",
    "workers_calendar_ics",
}
API_ROUTES = {"api:unit-workers", "api:my-calendar"}

PUBLIC = {"workers_invitation_accept"}
# URL name → how to point it at alice's objects (World below); None: it shows the user's own.
OBJECT_URLS = {
    "workers_unit": lambda w: {"pk": w.unit.pk},
    "workers_invite": lambda w: {"pk": w.unit.pk},
    "workers_end": lambda w: {"pk": w.unit.pk, "worker_pk": w.zoe.pk},
    "workers_unit_calendar": lambda w: {"pk": w.unit.pk},
    "workers_invitation_revoke": lambda w: {"pk": w.pending.pk},
}
OWN_URLS = {"workers_calendar", "workers_calendar_ics"}
ALICE_SECRETS = ("UP-0001", "Régie son", "Zoé")


class World:
    def __init__(self, alice, unit):
        self.alice = alice
        self.unit = unit
        self.holder = unit_holder_worker(unit, by=alice)
        self.zoe = worker_invitation_accept(
            invitation=invite_zoe(unit, alice), identity=zoe_identity(), password="Zz-9" * 4
        )
        self.pending = invite_zoe(unit, alice, email="sam@example.org", first_name="Sam")
        declare_day(self.holder, unit, date(2026, 7, 20), function="Régie son")
        declare_day(self.zoe, unit, date(2026, 7, 21), function="Éclairagiste")


@pytest.fixture
def world(alice, alice_3en1):
    return World(alice, alice_3en1)


def _url(name, world):
    kwargs = OBJECT_URLS[name](world) if name in OBJECT_URLS else {}
    if name == "workers_invitation_accept":
        return accept_url(world.pending)
    return reverse(f"portal:{name}", kwargs=kwargs)


def test_the_declared_urls_are_all_covered_here():
    assert set(OBJECT_URLS) | OWN_URLS | PUBLIC == PORTAL_URLS


@pytest.mark.parametrize("name", sorted(PORTAL_URLS - PUBLIC))
def test_alice_reaches_every_page(alice_client, world, name):
    response = alice_client.get(_url(name, world), {"month": "2026-07"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(PORTAL_URLS - PUBLIC))
def test_anonymous_is_sent_to_the_login_page(client, world, name):
    url = _url(name, world)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_bob_gets_404_on_alices_objects(bob_client, world, name):
    url = _url(name, world)
    assert bob_client.get(url).status_code == 404
    assert (
        bob_client.post(url, {"email": "bob.was@here.test", "first_name": "B"}).status_code == 404
    )
    world.pending.refresh_from_db()
    assert world.pending.status == "pending"
    assert world.zoe.units.get().ended_on is None
    assert not world.unit.worker_invitations.filter(email="bob.was@here.test").exists()


@pytest.mark.parametrize("name", sorted(OWN_URLS))
def test_bob_sees_none_of_alices_days_in_his_own_pages(bob_client, world, name):
    response = bob_client.get(_url(name, world), {"month": "2026-07"})
    assert response.status_code == 200
    content = response.content.decode()
    for secret in ALICE_SECRETS:
        assert secret not in content


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_an_object_that_does_not_exist_is_404(alice_client, world, name):
    kwargs = {key: 999_999 for key in OBJECT_URLS[name](world)}
    assert alice_client.get(reverse(f"portal:{name}", kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize("name", sorted(PORTAL_URLS - PUBLIC))
def test_an_account_that_is_neither_member_nor_worker_gets_the_friendly_refusal(
    claire_client, world, name
):
    response = claire_client.get(_url(name, world))
    assert response.status_code == 403
    assert 'id="no-member"' in response.content.decode()


def test_an_invited_worker_reaches_their_calendar_but_no_units_pages(world):
    http = HttpClient()
    http.force_login(world.zoe.user)
    for name in OWN_URLS:
        response = http.get(_url(name, world), {"month": "2026-07"})
        assert response.status_code == 200
        assert "Régie son" not in response.content.decode()  # alice's day, not hers
    assert (
        "Éclairagiste"
        in http.get(_url("workers_calendar", world), {"month": "2026-07"}).content.decode()
    )
    for name in OBJECT_URLS:
        assert http.get(_url(name, world)).status_code in (403, 404)


# The invitation page: public, the token is the key ---------------------------------------


def test_anonymous_opens_the_invitation_page_with_its_token(client, world):
    response = client.get(_url("workers_invitation_accept", world))
    assert response.status_code == 200
    assert "Sam" in response.content.decode()


def test_the_invitation_page_shows_nothing_without_the_right_token(client, world):
    wrong = reverse("portal:workers_invitation_accept", args=[world.pending.token[:-1] + "x"])
    response = client.get(wrong)
    assert response.status_code == 404
    assert "Sam" not in response.content.decode()


def test_a_logged_in_member_with_another_address_is_refused_on_the_invitation_page(
    bob_client, world
):
    response = bob_client.get(_url("workers_invitation_accept", world))
    assert response.status_code == 403
    assert 'name="password"' not in response.content.decode()


# API ---------------------------------------------------------------------------------------


def _api(user=None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def test_alice_lists_the_workers_of_her_unit(world):
    response = _api(world.alice).get(reverse("api:unit-workers", args=[world.unit.pk]))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {world.holder.pk, world.zoe.pk}
    zoe = next(row for row in rows if row["id"] == world.zoe.pk)
    assert zoe["national_number"] == f"**.**.**-***.{ZOE_NUMBER[9:]}"
    assert zoe["is_holder"] is False


def test_bob_gets_404_on_alices_unit_workers(bob, world):
    http = _api(bob)
    url = reverse("api:unit-workers", args=[world.unit.pk])
    assert http.get(url).status_code == 404
    for method in ("post", "put", "patch", "delete"):
        assert getattr(http, method)(url).status_code in (404, 405)


def test_my_calendar_api_shows_only_my_days(bob, world):
    alice = _api(world.alice).get(reverse("api:my-calendar"), {"month": "2026-07"})
    assert alice.status_code == 200
    assert [day["function"] for day in alice.json()["days"]] == ["Régie son"]
    bob_days = _api(bob).get(reverse("api:my-calendar"), {"month": "2026-07"})
    assert bob_days.status_code == 200
    assert bob_days.json()["days"] == []
    zoe = _api(world.zoe.user).get(reverse("api:my-calendar"), {"month": "2026-07"})
    assert [day["function"] for day in zoe.json()["days"]] == ["Éclairagiste"]


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_anonymous_is_refused_on_the_api(world, name):
    kwargs = {"unit_id": world.unit.pk} if name == "api:unit-workers" else {}
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(_api(), method)(reverse(name, kwargs=kwargs))
        assert response.status_code in (401, 403)
