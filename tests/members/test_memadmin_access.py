"""Who reaches the membership API (my membership, my shares, my certificates): the owner
gets their own data, another member never sees it (404 on an object, not in a list), an
anonymous caller is refused on every method, and nothing writes the share register."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from members.certificate_services import certificate_request
from members.models import ShareCertificate, ShareRegisterEntry
from members.pdf import certificate_render
from members.share_payment_services import share_payment_record, shares_subscribe

pytestmark = pytest.mark.django_db

API_ROUTES = {"api:membership", "api:my-shares", "api:my-certificates", "api:my-certificate-pdf"}
METHODS = ["get", "post", "put", "patch", "delete"]


@pytest.fixture
def world(alice, bob, claire, settings, tmp_path):
    """Alice: 2 shares subscribed on 2024-01-15 and paid on 2024-01-20, a ready certificate.
    Bob: 3 shares subscribed on 2025-03-01, 30 € paid."""
    settings.MEDIA_ROOT = tmp_path
    alice_entry = shares_subscribe(member=alice.member, shares=2, by=claire, on=date(2024, 1, 15))
    share_payment_record(
        target=alice_entry, amount=Decimal("60.00"), paid_on=date(2024, 1, 20), by=claire
    )
    bob_entry = shares_subscribe(member=bob.member, shares=3, by=claire, on=date(2025, 3, 1))
    share_payment_record(
        target=bob_entry, amount=Decimal("30.00"), paid_on=date(2025, 3, 10), by=claire
    )
    certificate = certificate_request(member=alice.member, by=alice, as_of=date(2024, 12, 31))
    certificate = certificate_render(certificate=certificate)
    return {"alice": alice, "bob": bob, "certificate": certificate}


def _http(user=None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _url(name, world):
    if name == "api:my-certificate-pdf":
        return reverse(name, kwargs={"certificate_id": world["certificate"].pk})
    return reverse(name)


def _call(http, method, url):
    return getattr(http, method)(url, data={}, content_type="application/json")


def _register():
    return list(ShareRegisterEntry.objects.order_by("pk").values())


def test_every_route_of_the_module_is_declared():
    from tests.test_api_access import api_routes

    membership_routes = {
        name
        for name, (route, _view) in api_routes().items()
        if route.startswith("api/v1/membership/")
    }
    assert membership_routes == API_ROUTES


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_anonymous_is_refused_on_every_method(name, world):
    before = (_register(), ShareCertificate.objects.count())
    for method in METHODS:
        response = _call(_http(), method, _url(name, world))
        assert response.status_code in (401, 403), (method, response.status_code)
    assert (_register(), ShareCertificate.objects.count()) == before


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_alice_reads_every_route(name, world):
    response = _http(world["alice"]).get(_url(name, world))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("name", sorted(API_ROUTES))
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_route_updates_or_deletes_anything(name, method, world):
    before = (_register(), list(ShareCertificate.objects.order_by("pk").values()))
    response = _call(_http(world["alice"]), method, _url(name, world))
    assert response.status_code == 405
    assert (_register(), list(ShareCertificate.objects.order_by("pk").values())) == before


@pytest.mark.parametrize("name", ["api:membership", "api:my-shares", "api:my-certificate-pdf"])
def test_the_read_only_routes_refuse_post(name, world):
    before = _register()
    assert _call(_http(world["alice"]), "post", _url(name, world)).status_code == 405
    assert _register() == before


def test_my_membership_is_mine(world):
    alice, bob = world["alice"], world["bob"]
    data = _http(alice).get(reverse("api:membership")).json()
    assert data["number"] == alice.member.number
    assert data["category"] == "A"
    assert data["status"] == "member"
    assert data["member_since"] == "2019-09-01"
    assert data["office_code"] == "bruxelles"
    bob_data = _http(bob).get(reverse("api:membership")).json()
    assert bob_data["number"] == bob.member.number != alice.member.number


def test_my_shares_show_only_my_entries(world):
    alice, bob = world["alice"], world["bob"]
    alice_ids = set(
        ShareRegisterEntry.objects.filter(member=alice.member).values_list("pk", flat=True)
    )
    data = _http(bob).get(reverse("api:my-shares")).json()
    assert {entry["id"] for entry in data["entries"]}.isdisjoint(alice_ids)
    # Bob: 3 shares of 30 €, 30 € paid: 60 € still due, one share fully paid.
    assert (data["held"], data["nominal"], data["paid_up"], data["unpaid"]) == (
        3,
        "90.00",
        "30.00",
        "60.00",
    )
    assert data["fully_paid_shares"] == 1
    mine = _http(alice).get(reverse("api:my-shares")).json()
    assert {entry["id"] for entry in mine["entries"]} == alice_ids


def test_bob_gets_404_on_alices_certificate_and_does_not_see_it_listed(world):
    bob = _http(world["bob"])
    assert bob.get(_url("api:my-certificate-pdf", world)).status_code == 404
    listed = bob.get(reverse("api:my-certificates")).json()
    assert world["certificate"].pk not in {row["id"] for row in listed["results"]}


def test_alices_certificate_list_links_her_ready_pdf(world):
    data = _http(world["alice"]).get(reverse("api:my-certificates")).json()
    (row,) = data["results"]
    assert row["id"] == world["certificate"].pk
    assert row["status"] == "ready"
    assert row["pdf_url"].endswith(_url("api:my-certificate-pdf", world))
    response = _http(world["alice"]).get(_url("api:my-certificate-pdf", world))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_staff_without_a_member_profile_see_nothing(world, claire):
    staff = _http(claire)
    assert staff.get(reverse("api:membership")).status_code == 404
    assert staff.get(reverse("api:my-shares")).status_code == 404
    assert staff.get(reverse("api:my-certificates")).json()["results"] == []
    assert staff.get(_url("api:my-certificate-pdf", world)).status_code == 404
    before = ShareCertificate.objects.count()
    response = staff.post(reverse("api:my-certificates"), {}, content_type="application/json")
    assert response.status_code == 404
    assert ShareCertificate.objects.count() == before
