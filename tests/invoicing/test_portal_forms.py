"""The portal's client forms: bad input is refused with a 400 naming the field, nothing is
saved and nothing is audited; good input goes through the invoicing services."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from core.audit import audit_trail
from core.forms import add_service_errors
from core.models import AuditEvent
from invoicing.forms import ClientForm
from invoicing.models import Client
from members.models import LegalEntity
from production_units.models import ProductionUnit, Sector
from production_units.services import unit_close, unit_open

pytestmark = pytest.mark.django_db

NEW_ENTERPRISE_NUMBER = "0450.123.451"  # valid: 04501234 + 97 - 04501234 mod 97


@pytest.fixture(autouse=True)
def _english(client):
    """Messages and labels in English, whatever catalogs exist."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def denis_unit(denis, claire):
    """A unit of another member (denis)."""
    return unit_open(
        by=claire,
        holder=denis.member,
        code="UP-0900",
        name="Denis — conférences",
        tool=ProductionUnit.Tool.ACTIVITY,
        sector=Sector.objects.get(code="formation-enseignement"),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=date(2024, 1, 1),
    )


@pytest.fixture
def ecole(alice):
    return Client.objects.get(name="Ecole des Arts Gent")


@pytest.fixture
def theatre(alice):
    return Client.objects.get(name="Théâtre de la Place")


def _valid(unit, **overrides):
    data = {
        "kind": Client.Kind.COMPANY,
        "name": "Studio Nord",
        "country": "BE",
        "enterprise_number": NEW_ENTERPRISE_NUMBER,
        "vat_number": "",
        "street": "Rue Neuve 3",
        "postal_code": "1000",
        "city": "Bruxelles",
        "email": "compta@studio.test",
        "peppol_endpoint": "",
        "units": [unit.pk],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# (overrides of the valid data, the field the message must name); None removes the field.
BAD_INPUT = [
    pytest.param({"enterprise_number": "0403.170.702"}, "enterprise_number", id="bad-kbo"),
    pytest.param({"enterprise_number": "12"}, "enterprise_number", id="short-kbo"),
    pytest.param(
        {"country": "FR", "enterprise_number": "", "vat_number": "FR12345678901"},
        "vat_number",
        id="bad-eu-vat",
    ),
    pytest.param(
        {"country": "FR", "enterprise_number": "", "vat_number": "DE136695976"},
        "vat_number",
        id="vat-of-another-country",
    ),
    pytest.param({"enterprise_number": ""}, "enterprise_number", id="be-company-without-kbo"),
    pytest.param(
        {"country": "FR", "enterprise_number": NEW_ENTERPRISE_NUMBER},
        "enterprise_number",
        id="kbo-for-a-foreign-client",
    ),
    pytest.param({"country": "XX"}, "country", id="unknown-country"),
    pytest.param({"country": "BEL"}, "country", id="three-letter-country"),
    pytest.param({"kind": "cooperative"}, "kind", id="unknown-kind"),
    pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
    pytest.param({"peppol_endpoint": "0208-0450123451"}, "peppol_endpoint", id="bad-peppol"),
    pytest.param({"name": ""}, "name", id="empty-name"),
    pytest.param({"name": "   "}, "name", id="blank-name"),
    pytest.param({"street": "", "city": ""}, "street", id="empty-address"),
    pytest.param({"kind": None}, "kind", id="missing-kind"),
    pytest.param({"units": None}, "units", id="no-unit"),
]


def _assert_refused(response, field):
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    label = form[field].label
    # The summary at the top names the field, then gives the message.
    message = form.errors[field][0]
    assert f">{escape(label)}</a>: {escape(message)}" in response.content.decode()


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_creating_a_client_with_bad_input_is_refused_naming_the_field(
    alice_client, alice_3en1, overrides, field
):
    clients, events = Client.objects.count(), AuditEvent.objects.count()
    response = alice_client.post(reverse("portal:client_create"), _valid(alice_3en1, **overrides))
    _assert_refused(response, field)
    assert Client.objects.count() == clients
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_editing_a_client_with_bad_input_is_refused_naming_the_field(
    alice_client, alice_activity, ecole, overrides, field
):
    before = Client.objects.values().get(pk=ecole.pk)
    events = AuditEvent.objects.count()
    response = alice_client.post(
        reverse("portal:client_edit", args=[ecole.pk]), _valid(alice_activity, **overrides)
    )
    _assert_refused(response, field)
    assert Client.objects.values().get(pk=ecole.pk) == before
    assert list(ecole.units.all()) == [alice_activity]
    assert AuditEvent.objects.count() == events


def test_a_unit_of_another_member_in_the_post_is_refused(alice_client, alice_3en1, denis_unit):
    clients, events = Client.objects.count(), AuditEvent.objects.count()
    data = _valid(alice_3en1, units=[alice_3en1.pk, denis_unit.pk])
    response = alice_client.post(reverse("portal:client_create"), data)
    _assert_refused(response, "units")
    assert f"{denis_unit.pk} is not one of your active units" in response.content.decode()
    assert Client.objects.count() == clients
    assert AuditEvent.objects.count() == events


def test_a_unit_of_another_member_is_refused_when_editing_too(
    alice_client, alice_activity, ecole, denis_unit
):
    events = AuditEvent.objects.count()
    response = alice_client.post(
        reverse("portal:client_edit", args=[ecole.pk]), _valid(denis_unit, name="Hijacked")
    )
    _assert_refused(response, "units")
    ecole.refresh_from_db()
    assert ecole.name == "Ecole des Arts Gent"
    assert list(ecole.units.all()) == [alice_activity]
    assert AuditEvent.objects.count() == events


def test_a_closed_unit_is_not_offered_for_a_new_client(alice_client, alice_3en1, claire):
    unit_close(unit=alice_3en1, by=claire, closed_on=date(2026, 12, 31))
    clients = Client.objects.count()
    response = alice_client.post(reverse("portal:client_create"), _valid(alice_3en1))
    _assert_refused(response, "units")
    assert Client.objects.count() == clients


def test_bob_without_unit_cannot_add_a_client_even_with_alices_unit(bob_client, alice_3en1):
    page = bob_client.get(reverse("portal:client_create"))
    assert page.status_code == 200
    assert "You need an active production unit" in page.content.decode()
    clients = Client.objects.count()
    response = bob_client.post(reverse("portal:client_create"), _valid(alice_3en1))
    assert response.status_code == 400
    assert "units" in response.context["form"].errors
    assert Client.objects.count() == clients


def test_a_new_client_is_created_through_the_service_and_audited(alice_client, alice, alice_3en1):
    response = alice_client.post(reverse("portal:client_create"), _valid(alice_3en1))
    client = Client.objects.get(name="Studio Nord")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:client_detail", args=[client.pk])
    assert client.enterprise_number == "0450123451"
    assert client.peppol_endpoint == "0208:0450123451"
    assert list(client.units.all()) == [alice_3en1]
    assert not client.is_verified
    [event] = audit_trail(client)
    assert (event.action, event.actor) == ("client.created", alice)


def test_a_foreign_private_person_needs_no_number(alice_client, alice_activity):
    data = _valid(
        alice_activity,
        kind=Client.Kind.PERSON,
        name="Jeanne Martin",
        country="fr",
        enterprise_number="",
        city="Lille",
    )
    response = alice_client.post(reverse("portal:client_create"), data)
    assert response.status_code == 302
    client = Client.objects.get(name="Jeanne Martin")
    assert client.country == "FR"
    assert client.enterprise_number == ""


def test_an_unverified_client_can_be_edited_and_the_change_is_audited(
    alice_client, alice, alice_activity, ecole
):
    form = alice_client.get(reverse("portal:client_edit", args=[ecole.pk]))
    assert form.status_code == 200
    assert form.context["form"].initial["city"] == "Gent"
    data = _valid(
        alice_activity,
        kind=ecole.kind,
        name=ecole.name,
        enterprise_number=ecole.enterprise_number,
        city="Gand",
        postal_code="9000",
        street="Kouter 10",
        email=ecole.email,
        peppol_endpoint=ecole.peppol_endpoint,
    )
    response = alice_client.post(reverse("portal:client_edit", args=[ecole.pk]), data)
    assert response.status_code == 302
    ecole.refresh_from_db()
    assert ecole.city == "Gand"
    event = audit_trail(ecole).first()
    assert (event.action, event.actor) == ("client.updated", alice)
    assert event.changes["city"] == ["Gent", "Gand"]


def test_editing_a_verified_client_as_a_member_is_refused(alice_client, alice_3en1, theatre):
    before = Client.objects.values().get(pk=theatre.pk)
    events = AuditEvent.objects.count()
    url = reverse("portal:client_edit", args=[theatre.pk])

    page = alice_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "verified by an advisor" in content
    assert 'name="name"' not in content  # read-only: no form

    response = alice_client.post(url, _valid(alice_3en1, name="Renamed"))
    assert response.status_code == 403
    assert Client.objects.values().get(pk=theatre.pk) == before
    assert AuditEvent.objects.count() == events


def test_a_service_refusal_lands_on_the_field_it_names_or_on_the_form(alice, alice_3en1):
    form = ClientForm(data=_valid(alice_3en1), user=alice)
    assert form.is_valid()
    add_service_errors(
        form, ValidationError({"city": "Unknown city.", "verified_at": "Not yours."})
    )
    add_service_errors(form, ValidationError("Ask your advisor."))
    assert form.errors["city"] == ["Unknown city."]
    assert form.non_field_errors() == ["Not yours.", "Ask your advisor."]


def test_the_units_offered_are_only_my_active_units(alice, alice_3en1, alice_activity, denis_unit):
    form = ClientForm(user=alice)
    assert list(form.fields["units"].queryset) == [alice_3en1, alice_activity]
