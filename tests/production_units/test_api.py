"""The REST API's behaviour: validation, read-only ledger, balances, schema, audit, tokens."""

from datetime import date
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import ProtectedError
from django.test import Client as HttpClient
from django.urls import reverse

from core.api import exception_handler
from core.models import AuditEvent
from devtools.demo import DEMO_PASSWORD
from invoicing.models import Client
from invoicing.services import client_update
from members.models import ApiToken, LegalEntity
from production_units.models import LedgerEntry, ProductionUnit, Sector
from production_units.selectors import unit_balance
from production_units.services import ledger_post, unit_open

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}  # messages are checked in English, whatever the catalogs say


@pytest.fixture
def alice_http(alice):
    http = HttpClient()
    http.force_login(alice)
    return http


@pytest.fixture
def bob_unit(bob, claire):
    return unit_open(
        by=claire,
        holder=bob.member,
        code="UP-0099",
        name="Bob — photo",
        tool=ProductionUnit.Tool.ACTIVITY,
        sector=Sector.objects.first(),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=date(2025, 3, 1),
    )


@pytest.fixture
def unverified_client(alice):
    return Client.objects.get(name="Ecole des Arts Gent")


@pytest.fixture
def verified_client(alice):
    client = Client.objects.get(name="Théâtre de la Place")
    assert client.is_verified
    return client


def _json(http, method, url, body):
    """Send `body` as JSON (a str is sent as is, to send malformed JSON)."""
    return getattr(http, method)(url, data=body, content_type="application/json", headers=EN)


def _new_client(units):
    return {
        "kind": "company",
        "name": "Studio Nord",
        "country": "BE",
        "enterprise_number": "0123.456.749",
        "street": "Rue Neuve 1",
        "postal_code": "1000",
        "city": "Bruxelles",
        "email": "compta@studio.test",
        "units": units,
    }


# (description, change to a valid body, the field the 400 must name).
# "MINE" / "BOBS" in units stand for alice's 3en1 unit and bob's unit.
BAD_INPUT = [
    ("bad enterprise number", {"enterprise_number": "0403.170.702"}, "enterprise_number"),
    ("enterprise number with letters", {"enterprise_number": "ABCDEFGHIJ"}, "enterprise_number"),
    (
        "bad EU VAT number",
        {"country": "FR", "enterprise_number": "", "vat_number": "FR41303265045"},
        "vat_number",
    ),
    ("VAT number of another country", {"vat_number": "FR40303265045"}, "vat_number"),
    ("Belgian company without enterprise number", {"enterprise_number": ""}, "enterprise_number"),
    ("someone else's unit", {"units": ["BOBS"]}, "units"),
    ("someone else's unit among mine", {"units": ["MINE", "BOBS"]}, "units"),
    ("non-existent unit", {"units": [987654321]}, "units"),
    ("unit id too large for the database", {"units": [2**70]}, "units"),
    ("unit id not an integer", {"units": [1.5]}, "units"),
    ("unit id as text", {"units": ["abc"]}, "units"),
    ("units not a list", {"units": "MINE"}, "units"),
    ("no unit", {"units": []}, "units"),
    ("name of the wrong type", {"name": ["Studio"]}, "name"),
    ("name null", {"name": None}, "name"),
    ("name with a NUL character", {"name": "Stu\x00dio"}, "name"),
    ("name too long", {"name": "x" * 201}, "name"),
    ("unknown kind", {"kind": "startup"}, "kind"),
    ("kind of the wrong type", {"kind": 5}, "kind"),
    ("country of the wrong type", {"country": {"code": "BE"}}, "country"),
    ("country not an ISO code", {"country": "BEL"}, "country"),
    ("bad email", {"email": "not-an-email"}, "email"),
    ("Peppol endpoint without scheme", {"peppol_endpoint": "0403170701"}, "peppol_endpoint"),
]


def _resolve_units(body, alice_3en1, bob_unit):
    stand_in = {"MINE": alice_3en1.pk, "BOBS": bob_unit.pk}
    units = body.get("units")
    if isinstance(units, list):
        body["units"] = [stand_in.get(u, u) if isinstance(u, str) else u for u in units]
    elif isinstance(units, str):
        body["units"] = stand_in.get(units, units)
    return body


def _state():
    return (Client.objects.count(), AuditEvent.objects.count())


# --- clients: create -----------------------------------------------------------------------


def test_creating_a_client_returns_it_attached_to_my_unit_and_audits_it(
    alice, alice_http, alice_3en1
):
    response = _json(alice_http, "post", reverse("api:client-list"), _new_client([alice_3en1.pk]))
    assert response.status_code == 201, response.content
    body = response.json()
    client = Client.objects.get(pk=body["id"])
    assert body["enterprise_number"] == "0123456749"
    assert body["peppol_endpoint"] == "0208:0123456749"
    assert body["units"] == [alice_3en1.pk]
    assert body["is_verified"] is False
    assert list(client.units.all()) == [alice_3en1]
    event = AuditEvent.objects.filter(action="client.created", object_id=str(client.pk)).get()
    assert event.actor == alice


@pytest.mark.parametrize(
    ("change", "field"), [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_on_create_is_a_400_naming_the_field_and_saves_nothing(
    alice_http, alice_3en1, bob_unit, change, field
):
    body = _resolve_units({**_new_client([alice_3en1.pk]), **change}, alice_3en1, bob_unit)
    before = _state()
    response = _json(alice_http, "post", reverse("api:client-list"), body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _state() == before


def test_an_empty_body_on_create_names_every_required_field(alice_http):
    before = _state()
    response = _json(alice_http, "post", reverse("api:client-list"), {})
    assert response.status_code == 400
    assert {"kind", "name", "street", "postal_code", "city", "units"} <= set(response.json())
    assert _state() == before


@pytest.mark.parametrize("body", ["{not json", '{"name": "x",}', "", "null", "[]", '"text"'])
def test_malformed_or_non_object_json_on_create_is_a_400(alice_http, body):
    before = _state()
    response = _json(alice_http, "post", reverse("api:client-list"), body)
    assert response.status_code == 400, response.content
    assert response.json()  # an explanation, not an empty answer
    assert _state() == before


def test_a_member_cannot_attach_a_new_client_to_someone_elses_unit(alice_http, bob_unit):
    response = _json(alice_http, "post", reverse("api:client-list"), _new_client([bob_unit.pk]))
    assert response.status_code == 400
    assert response.json()["units"] == [f"Unit {bob_unit.pk} is not one of your units."]
    assert not bob_unit.clients.exists()


# --- clients: update -----------------------------------------------------------------------


def _client_state(client):
    return (
        Client.objects.filter(pk=client.pk).values().get(),
        sorted(client.units.values_list("pk", flat=True)),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("change", "field"), [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_on_update_is_a_400_naming_the_field_and_changes_nothing(
    alice_http, alice_3en1, bob_unit, unverified_client, change, field
):
    url = reverse("api:client-detail", kwargs={"client_id": unverified_client.pk})
    before = _client_state(unverified_client)
    for method, body in [
        ("patch", change),
        ("put", {**_new_client([alice_3en1.pk]), **change}),
    ]:
        response = _json(alice_http, method, url, _resolve_units(dict(body), alice_3en1, bob_unit))
        assert response.status_code == 400, (method, response.content)
        assert field in response.json(), (method, response.json())
    assert _client_state(unverified_client) == before


@pytest.mark.parametrize("body", ["{not json", "", "[]", "{}"])
def test_malformed_or_empty_input_on_update_is_a_400(alice_http, unverified_client, body):
    url = reverse("api:client-detail", kwargs={"client_id": unverified_client.pk})
    before = _client_state(unverified_client)
    for method in ("patch", "put"):
        response = _json(alice_http, method, url, body)
        assert response.status_code == 400, (method, response.content)
        assert response.json()
    assert _client_state(unverified_client) == before


def test_an_empty_put_names_every_required_field(alice_http, unverified_client):
    url = reverse("api:client-detail", kwargs={"client_id": unverified_client.pk})
    response = _json(alice_http, "put", url, {})
    assert response.status_code == 400
    assert {"kind", "name", "street", "postal_code", "city", "units"} <= set(response.json())


def test_patching_a_client_changes_it_and_audits_who_did_it(
    alice, alice_http, alice_3en1, alice_activity, unverified_client
):
    url = reverse("api:client-detail", kwargs={"client_id": unverified_client.pk})
    response = _json(alice_http, "patch", url, {"city": "Gent-Centrum", "units": [alice_3en1.pk]})
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "Gent-Centrum"
    assert response.json()["units"] == [alice_3en1.pk]
    unverified_client.refresh_from_db()
    assert unverified_client.city == "Gent-Centrum"
    assert list(unverified_client.units.all()) == [alice_3en1]
    event = AuditEvent.objects.filter(
        action="client.updated", object_id=str(unverified_client.pk)
    ).get()
    assert event.actor == alice
    assert event.changes["city"] == ["Gent", "Gent-Centrum"]
    assert event.changes["units"] == [alice_3en1.pk]


def test_putting_a_client_replaces_its_fields(alice_http, alice_activity, unverified_client):
    url = reverse("api:client-detail", kwargs={"client_id": unverified_client.pk})
    body = {**_new_client([alice_activity.pk]), "name": "École des Arts"}
    response = _json(alice_http, "put", url, body)
    assert response.status_code == 200, response.content
    unverified_client.refresh_from_db()
    assert unverified_client.name == "École des Arts"
    assert unverified_client.enterprise_number == "0123456749"


def test_updating_a_verified_client_is_refused_with_a_clear_message(alice_http, verified_client):
    url = reverse("api:client-detail", kwargs={"client_id": verified_client.pk})
    before = _client_state(verified_client)
    response = _json(alice_http, "patch", url, {"name": "Renamed"})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "This client has been verified by an advisor: ask your advisor to change it."
        ]
    }
    assert _client_state(verified_client) == before


def test_a_client_shared_with_another_member_shows_only_my_units(
    admin_user, alice_http, alice_activity, bob_unit, unverified_client
):
    client_update(client=unverified_client, by=admin_user, units=[alice_activity, bob_unit])
    url = reverse("api:client-detail", kwargs={"client_id": unverified_client.pk})
    assert alice_http.get(url).json()["units"] == [alice_activity.pk]


# --- clients: delete -----------------------------------------------------------------------


def test_deleting_a_client_removes_it_and_audits_who_did_it(alice, alice_http, unverified_client):
    pk = unverified_client.pk
    response = alice_http.delete(reverse("api:client-detail", kwargs={"client_id": pk}))
    assert response.status_code == 204
    assert not Client.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.filter(action="client.deleted", object_id=str(pk)).get()
    assert event.actor == alice


def test_deleting_a_verified_client_is_refused(alice_http, verified_client):
    before = _client_state(verified_client)
    response = alice_http.delete(
        reverse("api:client-detail", kwargs={"client_id": verified_client.pk}), headers=EN
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A verified client can't be deleted."]}
    assert _client_state(verified_client) == before


def test_a_delete_blocked_by_protected_rows_is_a_400_not_a_500():
    response = exception_handler(ProtectedError("still used", set()), {})
    assert response.status_code == 400
    assert "non_field_errors" in response.data


# --- units and ledger ----------------------------------------------------------------------


def test_the_balance_is_exact_to_the_cent_and_equals_unit_balance(
    alice_http, alice_3en1, alice_activity, bob_unit, claire
):
    def post(unit, amount):
        ledger_post(
            unit=unit,
            kind="turnover",
            amount=Decimal(amount),
            booked_on=date(2026, 11, 2),
            label="t",
            by=claire,
        )

    # 0.1 + 0.2 is the float trap; a hundred cents must make exactly one euro.
    post(alice_3en1, "0.10")
    post(alice_3en1, "0.20")
    for _ in range(100):
        post(alice_3en1, "0.01")
    post(alice_activity, "-1000.00")

    units = {row["code"]: row for row in alice_http.get(reverse("api:unit-list")).json()["results"]}
    assert units["UP-0001"]["balance"] == "468.80"
    assert units["UP-0002"]["balance"] == "-268.40"
    for unit in (alice_3en1, alice_activity):
        detail = alice_http.get(reverse("api:unit-detail", kwargs={"unit_id": unit.pk})).json()
        assert detail["balance"] == units[unit.code]["balance"] == str(unit_balance(unit=unit))
    assert set(units) == {"UP-0001", "UP-0002"}  # not bob's


def test_a_unit_without_entries_has_a_zero_balance(bob, bob_unit):
    http = HttpClient()
    http.force_login(bob)
    response = http.get(reverse("api:unit-detail", kwargs={"unit_id": bob_unit.pk}))
    assert response.status_code == 200
    assert response.json()["balance"] == "0.00"


@pytest.mark.parametrize("name", ["api:unit-ledger", "api:unit-detail", "api:unit-list"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_units_and_their_ledger_are_read_only(alice_http, alice_activity, name, method):
    kwargs = {} if name == "api:unit-list" else {"unit_id": alice_activity.pk}
    before = (
        LedgerEntry.objects.count(),
        ProductionUnit.objects.count(),
        AuditEvent.objects.count(),
    )
    body = {"kind": "adjustment", "amount": "1000.00", "booked_on": "2026-11-01", "label": "x"}
    response = _json(alice_http, method, reverse(name, kwargs=kwargs), body)
    assert response.status_code == 405
    after = (
        LedgerEntry.objects.count(),
        ProductionUnit.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def _ledger(http, unit, **params):
    return http.get(reverse("api:unit-ledger", kwargs={"unit_id": unit.pk}), params, headers=EN)


def test_the_ledger_lists_the_units_entries_newest_first(alice_http, alice_activity):
    response = _ledger(alice_http, alice_activity)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["booked_on"], row["kind"], row["amount"]) for row in rows] == [
        ("2026-10-15", "employment_cost", "-1200.00"),
        ("2026-10-02", "purchase", "-312.40"),
        ("2026-09-30", "turnover_contribution", "-156.00"),
        ("2026-09-05", "turnover", "2400.00"),
    ]


def test_the_ledger_filters_by_kind_and_date_range(alice_http, alice_activity):
    by_kind = _ledger(alice_http, alice_activity, kind="purchase").json()["results"]
    assert [row["amount"] for row in by_kind] == ["-312.40"]
    in_october = _ledger(
        alice_http, alice_activity, booked_on_after="2026-10-01", booked_on_before="2026-10-15"
    ).json()["results"]
    assert [row["booked_on"] for row in in_october] == ["2026-10-15", "2026-10-02"]
    both = _ledger(alice_http, alice_activity, kind="turnover", booked_on_after="2026-10-01").json()
    assert both["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "bonus"}, "kind"),
        ({"booked_on_after": "yesterday"}, "booked_on"),
        ({"booked_on_before": "2026-13-01"}, "booked_on"),
    ],
)
def test_a_bad_ledger_filter_is_a_400_naming_it(alice_http, alice_activity, params, field):
    response = _ledger(alice_http, alice_activity, **params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_ledger_is_paginated(alice_http, alice_3en1, claire):
    for day in range(1, 51):
        ledger_post(
            unit=alice_3en1,
            kind="purchase",
            amount=Decimal("-1.00"),
            booked_on=date(2026, 1, 1 + day % 28),
            label=f"n{day}",
            by=claire,
        )
    first = _ledger(alice_http, alice_3en1).json()
    assert first["count"] == 52
    assert len(first["results"]) == 50
    second = _ledger(alice_http, alice_3en1, page=2).json()
    assert len(second["results"]) == 2
    seen = {row["id"] for row in first["results"]} | {row["id"] for row in second["results"]}
    assert seen == set(LedgerEntry.objects.filter(unit=alice_3en1).values_list("pk", flat=True))


def test_the_ledger_of_someone_elses_unit_is_a_404_even_filtered(bob, alice_activity):
    http = HttpClient()
    http.force_login(bob)
    assert _ledger(http, alice_activity, kind="turnover").status_code == 404


# --- my profile ------------------------------------------------------------------------------


def test_my_profile_masks_the_national_number(alice, alice_http):
    response = alice_http.get(reverse("api:me"))
    assert response.status_code == 200
    body = response.json()
    assert body["national_number"] == f"**.**.**-***.{alice.member.national_number[9:]}"
    assert body["iban"] == f"BE** **** **** {alice.member.iban[-4:]}"
    assert alice.member.iban not in response.content.decode()
    assert alice.member.national_number not in response.content.decode()
    assert body["email"] == "alice@smartcoop.test"
    assert body["number"] == alice.member.number


# --- tokens ----------------------------------------------------------------------------------


def _token(email, password):
    return HttpClient().post(
        reverse("api:auth-token"),
        {"email": email, "password": password},
        content_type="application/json",
        headers=EN,
    )


def test_each_request_creates_a_new_expiring_token_stored_as_a_digest_and_audited(alice):
    first = _token("alice@smartcoop.test", DEMO_PASSWORD)
    second = _token("alice@smartcoop.test", DEMO_PASSWORD)
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    stored = ApiToken.objects.filter(user=alice)
    assert stored.count() == 2
    for row in stored:
        assert first.json()["token"] not in row.digest and second.json()["token"] not in row.digest
    assert first.json()["expiry"]
    events = AuditEvent.objects.filter(action="user.api_token_created", object_id=str(alice.pk))
    assert [event.actor for event in events] == [alice, alice]


@pytest.mark.parametrize(
    ("email", "password"),
    [("alice@smartcoop.test", "wrong-password"), ("nobody@smartcoop.test", DEMO_PASSWORD)],
)
def test_wrong_credentials_get_no_token(alice, email, password):
    response = _token(email, password)
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The email address and/or password are not correct."]
    }
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email", "password": "x"}, "email"),
        ({"email": "a\x00@smartcoop.test", "password": "x"}, "email"),
        ({"email": "alice@smartcoop.test"}, "password"),
        ({"email": ["alice@smartcoop.test"], "password": "x"}, "email"),
    ],
)
def test_bad_token_requests_name_the_field(alice, body, field):
    response = HttpClient().post(reverse("api:auth-token"), body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ApiToken.objects.exists()


def test_an_account_with_two_factor_authentication_gets_no_token_by_password(claire):
    Authenticator.objects.create(user=claire, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = _token("claire@smartcoop.test", DEMO_PASSWORD)
    assert response.status_code == 400
    assert "two-factor" in response.json()["otp"][0]
    assert not ApiToken.objects.filter(user=claire).exists()


def test_an_unconfirmed_email_gets_no_token(alice):
    EmailAddress.objects.filter(user=alice).update(verified=False)
    response = _token("alice@smartcoop.test", DEMO_PASSWORD)
    assert response.status_code == 400
    assert "email" in response.json()
    assert not ApiToken.objects.exists()


def test_token_requests_are_throttled_per_address(alice):
    for _ in range(10):
        assert _token("alice@smartcoop.test", "wrong-password").status_code == 400
    response = _token("alice@smartcoop.test", DEMO_PASSWORD)
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(alice):
    for attempt in range(10):
        response = HttpClient(HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}").post(
            reverse("api:auth-token"),
            {"email": f"someone{attempt}@smartcoop.test", "password": "x"},
            content_type="application/json",
        )
        assert response.status_code == 400
    assert _token("alice@smartcoop.test", DEMO_PASSWORD).status_code == 429


def test_token_requests_are_throttled_per_account_across_addresses(alice):
    for attempt in range(20):
        response = HttpClient(REMOTE_ADDR=f"10.0.0.{attempt}").post(
            reverse("api:auth-token"),
            {"email": "Alice@smartcoop.test", "password": "wrong-password"},
            content_type="application/json",
        )
        assert response.status_code == 400
    response = HttpClient(REMOTE_ADDR="10.0.1.1").post(
        reverse("api:auth-token"),
        {"email": "alice@smartcoop.test", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429


# --- schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_endpoints(client):
    """Every route under /api/v1/ (read from the URL resolver) is in the schema, and nothing
    else is."""
    import re

    from tests.test_api_access import api_routes

    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route, _view in api_routes().values()
    }
    assert len(expected) > 40
    assert "/api/v1/units/{unit_id}/ledger/" in expected
    assert set(paths) == expected
    assert set(paths["/api/v1/clients/{client_id}/"]) >= {"get", "put", "patch", "delete"}
    assert set(paths["/api/v1/units/{unit_id}/ledger/"]) == {"get"}
    ledger_params = {
        p["name"] for p in paths["/api/v1/units/{unit_id}/ledger/"]["get"]["parameters"]
    }
    assert {"kind", "booked_on_after", "booked_on_before", "page"} <= ledger_params
