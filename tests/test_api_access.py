"""Who may reach what through /api/v1/.

The routes are read from the URL resolver: a route added under /api/v1/ without an entry in
ROUTES below makes test_every_api_route_has_an_access_case fail (and its own cases error).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from invoicing.models import Client
from production_units.models import LedgerEntry, ProductionUnit
from smartcoop.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
METHODS = ["get", "post", "put", "patch", "delete"]


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}", pattern.callback


def api_routes() -> dict:
    """{"api:name": (route, view class)} for every URL under /api/v1/."""
    return {
        name: (route, callback.cls)
        for route, name, callback in _walk(get_resolver().url_patterns)
        if route.startswith(API_PREFIX)
    }


def allowed_methods(view_class) -> list[str]:
    return [method for method in METHODS if hasattr(view_class, method)]


@dataclass
class World:
    alice: object
    bob: object
    unit: ProductionUnit  # alice's
    client: Client  # alice's, not verified yet


@dataclass
class Case:
    """How to point a route at alice's data, and what alice's data looks like in a list."""

    kind: str  # "profile", "list" or "detail"
    kwargs: Callable = field(default=lambda w: {})
    alice_ids: Callable = field(default=lambda w: set())


# The one route open to anonymous callers (tested in test_api.py: throttled, needs a password).
PUBLIC_ROUTES = {"api:auth-token"}
ROUTES = {
    "api:me": Case("profile"),
    "api:unit-list": Case("list", alice_ids=lambda w: {w.unit.pk}),
    "api:unit-detail": Case("detail", kwargs=lambda w: {"unit_id": w.unit.pk}),
    "api:unit-ledger": Case("detail", kwargs=lambda w: {"unit_id": w.unit.pk}),
    "api:client-list": Case("list", alice_ids=lambda w: {w.client.pk}),
    "api:client-detail": Case("detail", kwargs=lambda w: {"client_id": w.client.pk}),
}
DISCOVERED = sorted(api_routes())
# A discovered route missing from ROUTES is kept here, so that its cases fail too.
PROTECTED = [name for name in DISCOVERED if name not in PUBLIC_ROUTES]


@pytest.fixture
def world(alice, bob, alice_activity):
    return World(
        alice=alice,
        bob=bob,
        unit=alice_activity,
        client=Client.objects.get(name="Ecole des Arts Gent"),
    )


def _logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _url(name, world):
    return reverse(name, kwargs=ROUTES[name].kwargs(world))


def _call(http, method, url, **extra):
    return getattr(http, method)(url, data={}, content_type="application/json", **extra)


def _ids(response) -> set:
    return {row["id"] for row in response.json()["results"]}


def test_every_api_route_has_an_access_case():
    assert DISCOVERED, "no route found under /api/v1/"
    assert set(DISCOVERED) == set(ROUTES) | PUBLIC_ROUTES, "add the new routes to ROUTES"
    assert not set(ROUTES) & PUBLIC_ROUTES


@pytest.mark.parametrize("name", PROTECTED)
def test_anonymous_is_refused_on_every_method(name, world):
    anonymous = HttpClient()
    before = (Client.objects.count(), LedgerEntry.objects.count())
    for method in METHODS:
        response = _call(anonymous, method, _url(name, world))
        assert response.status_code in (401, 403), (method, response.status_code)
    assert (Client.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.parametrize("name", PROTECTED)
def test_alice_reads_every_route(name, world):
    response = _logged_in(world.alice).get(_url(name, world))
    assert response.status_code == 200, response.content
    if ROUTES[name].kind == "list":
        assert ROUTES[name].alice_ids(world) <= _ids(response)


@pytest.mark.parametrize("name", PROTECTED)
def test_bob_cannot_see_or_touch_alices_objects(name, world):
    case = ROUTES[name]
    bob = _logged_in(world.bob)
    if case.kind == "profile":
        response = bob.get(_url(name, world))
        assert response.status_code == 200
        assert response.json()["number"] == world.bob.member.number
        assert response.json()["number"] != world.alice.member.number
        return
    if case.kind == "list":
        response = bob.get(_url(name, world))
        assert response.status_code == 200
        assert _ids(response).isdisjoint(case.alice_ids(world))
        return
    client_before = Client.objects.filter(pk=world.client.pk).values().get()
    entries_before = LedgerEntry.objects.count()
    for method in allowed_methods(api_routes()[name][1]):
        response = _call(bob, method, _url(name, world))
        assert response.status_code == 404, (method, response.status_code)
    assert Client.objects.filter(pk=world.client.pk).values().get() == client_before
    assert LedgerEntry.objects.count() == entries_before


@pytest.mark.parametrize("name", PROTECTED)
def test_a_token_from_the_token_route_authenticates_every_route(name, world):
    anonymous = HttpClient()
    response = anonymous.post(
        reverse("api:auth-token"),
        {"email": world.alice.email, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]

    response = anonymous.get(_url(name, world), headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200, response.content
    if ROUTES[name].kind == "list":
        assert ROUTES[name].alice_ids(world) <= _ids(response)


def test_a_wrong_token_is_refused(world):
    response = HttpClient().get(
        reverse("api:unit-list"), headers={"Authorization": "Token not-a-real-token"}
    )
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_the_token_route_answers_only_post(world):
    response = HttpClient().get(reverse("api:auth-token"))
    assert response.status_code == 405


def test_staff_without_a_member_profile_get_empty_lists_not_errors(claire, world):
    claire_http = _logged_in(claire)
    for name in ("api:unit-list", "api:client-list"):
        response = claire_http.get(reverse(name))
        assert response.status_code == 200
        assert response.json()["results"] == []
    assert claire_http.get(_url("api:unit-detail", world)).status_code == 404
    assert claire_http.get(_url("api:client-detail", world)).status_code == 404
    response = claire_http.get(reverse("api:me"))
    assert response.status_code == 404
    assert "detail" in response.json()
