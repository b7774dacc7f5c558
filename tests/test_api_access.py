"""Who may reach what through /api/v1/.

The routes are read from the URL resolver: a route added under /api/v1/ without an entry in
ROUTES below makes test_every_api_route_has_an_access_case fail (and its own cases error).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from devtools.demo import DEMO_PASSWORD
from invoicing.invoice_services import invoice_create, invoice_submit
from invoicing.models import Client, Invoice, InvoiceLine, Payment, Quote
from invoicing.payment_services import payment_record
from invoicing.quote_services import quote_accept, quote_create, quote_mark_sent
from production_units.models import LedgerEntry, ProductionUnit
from tests.access_registry import covered_api_routes
from tests.invoicing_helpers import line

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
    issued: Invoice  # alice's, issued, with a payment
    draft: Invoice  # alice's
    payment: Payment  # on `issued`
    draft_quote: Quote
    sent_quote: Quote
    accepted_quote: Quote


@dataclass
class Case:
    """How to point a route at alice's data, and what alice's data looks like in a list.

    An "action" route answers POST only (submit, send…): alice's POST must succeed with
    `status`; anyone else's gets the same 404 as on a "detail" route.
    """

    kind: str  # "profile", "list", "detail" or "action"
    kwargs: Callable = field(default=lambda w: {})
    alice_ids: Callable = field(default=lambda w: set())
    status: int = 200


# The one route open to anonymous callers (tested in test_api.py: throttled, needs a password).
PUBLIC_ROUTES = {"api:auth-token"}
ROUTES = {
    "api:me": Case("profile"),
    "api:unit-list": Case("list", alice_ids=lambda w: {w.unit.pk}),
    "api:unit-detail": Case("detail", kwargs=lambda w: {"unit_id": w.unit.pk}),
    "api:unit-ledger": Case("detail", kwargs=lambda w: {"unit_id": w.unit.pk}),
    "api:client-list": Case("list", alice_ids=lambda w: {w.client.pk}),
    "api:client-detail": Case("detail", kwargs=lambda w: {"client_id": w.client.pk}),
    "api:invoice-list": Case("list", alice_ids=lambda w: {w.issued.pk, w.draft.pk}),
    "api:invoice-detail": Case("detail", kwargs=lambda w: {"invoice_id": w.draft.pk}),
    "api:invoice-submit": Case("action", kwargs=lambda w: {"invoice_id": w.draft.pk}),
    "api:invoice-credit-note": Case(
        "action", kwargs=lambda w: {"invoice_id": w.issued.pk}, status=201
    ),
    "api:invoice-pdf": Case("detail", kwargs=lambda w: {"invoice_id": w.issued.pk}),
    "api:invoice-ubl": Case("detail", kwargs=lambda w: {"invoice_id": w.issued.pk}),
    "api:quote-list": Case(
        "list", alice_ids=lambda w: {w.draft_quote.pk, w.sent_quote.pk, w.accepted_quote.pk}
    ),
    "api:quote-detail": Case("detail", kwargs=lambda w: {"quote_id": w.draft_quote.pk}),
    "api:quote-send": Case("action", kwargs=lambda w: {"quote_id": w.draft_quote.pk}),
    "api:quote-accept": Case("action", kwargs=lambda w: {"quote_id": w.sent_quote.pk}),
    "api:quote-refuse": Case("action", kwargs=lambda w: {"quote_id": w.sent_quote.pk}),
    "api:quote-to-invoice": Case(
        "action", kwargs=lambda w: {"quote_id": w.accepted_quote.pk}, status=201
    ),
    "api:quote-pdf": Case("detail", kwargs=lambda w: {"quote_id": w.draft_quote.pk}),
    "api:payment-list": Case("list", alice_ids=lambda w: {w.payment.pk}),
}
DISCOVERED = sorted(api_routes())
# A discovered route missing from ROUTES is kept here, so that its cases fail too; the routes
# an area module covers (tests/access_registry.py) are tested there.
PROTECTED = [
    name for name in DISCOVERED if name not in PUBLIC_ROUTES and name not in covered_api_routes()
]


@pytest.fixture
def world(alice, bob, claire, alice_activity, alice_3en1, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the PDF and UBL routes store the files they render
    theatre = Client.objects.get(name="Théâtre de la Place")  # verified: issued at once

    def new_quote():
        return quote_create(by=alice, unit=alice_3en1, client=theatre, lines=[line()])

    issued = invoice_submit(
        invoice=invoice_create(by=alice, unit=alice_3en1, client=theatre, lines=[line()]),
        by=alice,
    )
    sent_quote = quote_mark_sent(quote=new_quote(), by=alice)
    return World(
        alice=alice,
        bob=bob,
        unit=alice_activity,
        client=Client.objects.get(name="Ecole des Arts Gent"),
        issued=issued,
        draft=invoice_create(by=alice, unit=alice_3en1, client=theatre, lines=[line()]),
        payment=payment_record(
            invoice=issued, amount=Decimal("10.00"), received_on=timezone.localdate(), by=claire
        ),
        draft_quote=new_quote(),
        sent_quote=sent_quote,
        accepted_quote=quote_accept(quote=quote_mark_sent(quote=new_quote(), by=alice), by=alice),
    )


def _documents():
    """Alice's invoices, lines, quotes and payments as stored: what a refused call can't change."""
    return (
        list(Invoice.objects.order_by("pk").values()),
        list(InvoiceLine.objects.order_by("pk").values()),
        list(Quote.objects.order_by("pk").values()),
        list(Payment.objects.order_by("pk").values()),
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


def _alice_reaches(http, name, world, **extra):
    """Alice's call on a route: GET, or the POST of an action route, with its expected status."""
    case = ROUTES[name]
    if case.kind == "action":
        response = _call(http, "post", _url(name, world), **extra)
        assert response.status_code == case.status, response.content
        return response
    response = http.get(_url(name, world), **extra)
    assert response.status_code == 200, response.content
    if case.kind == "list":
        assert case.alice_ids(world) <= _ids(response)
    return response


def test_every_api_route_has_an_access_case():
    assert DISCOVERED, "no route found under /api/v1/"
    elsewhere = covered_api_routes()
    assert not elsewhere & set(ROUTES), "a route is covered twice"
    assert set(DISCOVERED) == set(ROUTES) | PUBLIC_ROUTES | elsewhere, "add the routes to ROUTES"
    assert not set(ROUTES) & PUBLIC_ROUTES


@pytest.mark.parametrize("name", PROTECTED)
def test_anonymous_is_refused_on_every_method(name, world):
    anonymous = HttpClient()
    before = (Client.objects.count(), LedgerEntry.objects.count(), _documents())
    for method in METHODS:
        response = _call(anonymous, method, _url(name, world))
        assert response.status_code in (401, 403), (method, response.status_code)
    assert (Client.objects.count(), LedgerEntry.objects.count(), _documents()) == before


@pytest.mark.parametrize("name", PROTECTED)
def test_alice_reads_every_route(name, world):
    _alice_reaches(_logged_in(world.alice), name, world)


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
    documents_before = _documents()
    for method in allowed_methods(api_routes()[name][1]):
        response = _call(bob, method, _url(name, world))
        assert response.status_code == 404, (method, response.status_code)
    assert Client.objects.filter(pk=world.client.pk).values().get() == client_before
    assert LedgerEntry.objects.count() == entries_before
    assert _documents() == documents_before


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

    _alice_reaches(anonymous, name, world, headers={"Authorization": f"Token {token}"})


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
    lists = ("api:unit-list", "api:client-list", "api:invoice-list", "api:quote-list")
    for name in (*lists, "api:payment-list"):
        response = claire_http.get(reverse(name))
        assert response.status_code == 200
        assert response.json()["results"] == []
    for name in ("api:unit-detail", "api:client-detail", "api:invoice-detail", "api:invoice-pdf"):
        assert claire_http.get(_url(name, world)).status_code == 404
    documents_before = _documents()
    for name in ("api:invoice-submit", "api:quote-accept"):
        assert _call(claire_http, "post", _url(name, world)).status_code == 404
    assert _documents() == documents_before
    response = claire_http.get(reverse("api:me"))
    assert response.status_code == 404
    assert "detail" in response.json()
