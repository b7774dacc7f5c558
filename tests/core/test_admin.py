"""The Django admin as the advisors' back-office."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse

from core import roles
from core.audit import audit_trail
from core.audit_labels import action_label
from core.models import AuditEvent, HealthPing
from invoicing.inbound import inbound_ubl_import
from invoicing.models import Client, InvoiceBranding, Transmission
from invoicing.payment_services import bank_statement_import
from invoicing.quote_services import quote_create
from invoicing.services import client_create
from members.models import LegalEntity, Member, Office, User
from members.services import member_create
from production_units.models import LedgerEntry, ProductionUnit, Sector
from production_units.selectors import unit_balance
from production_units.services import ledger_post, unit_open
from tests.invoicing_helpers import issued_invoice, line, make_client
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_IDS = [model._meta.label for model, _ in REGISTERED]


@pytest.fixture(autouse=True)
def _english(settings):
    # The assertions read the English messages (French catalogs come later).
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def demo_rows(alice, bob, claire, denis, admin_user, settings, tmp_path):
    """At least one row of each registered model, as in the demo."""
    HealthPing.objects.get_or_create(token="test-ping", defaults={"worker": "tests"})
    settings.MEDIA_ROOT = tmp_path / "media"
    _invoicing_rows(alice, claire)


def _invoicing_rows(alice, claire):
    """An issued invoice with a failed transmission, a quote, a personalisation, a bank
    statement with its payments, and a purchase waiting for a unit."""
    unit = ProductionUnit.objects.get(code="UP-0001")
    client = make_client(alice, unit, verify_by=claire)
    invoice = issued_invoice(alice, unit, client, [line()])
    Transmission.objects.filter(invoice=invoice, channel=Transmission.Channel.EMAIL).update(
        status=Transmission.Status.FAILED, attempts=1, last_error="Connection refused"
    )
    quote_create(by=alice, unit=unit, client=client, lines=[line()])
    InvoiceBranding.objects.get_or_create(unit=unit)
    fixtures = Path(__file__).parent.parent / "fixtures"
    bank_statement_import(
        file_bytes=(fixtures / "camt053" / "statement_v02.xml").read_bytes(), by=claire
    )
    inbound_ubl_import(
        file_bytes=(fixtures / "ubl" / "traiteur-no-reference.xml").read_bytes(), by=claire
    )


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _namur_member(by):
    return Member.objects.get(user__email="denis@smartcoop.test")


def _open_unit(holder, code, by):
    return unit_open(
        by=by,
        holder=holder,
        code=code,
        name=f"Unit {code}",
        tool=ProductionUnit.Tool.ACTIVITY,
        sector=Sector.objects.order_by("code").first(),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=date(2026, 1, 5),
    )


def _client_of(unit, name, by):
    return client_create(
        by=by,
        units=[unit],
        kind=Client.Kind.PERSON,
        name=name,
        country="BE",
        street="Rue 1",
        postal_code="1000",
        city="Bruxelles",
    )


# Every registered model ----------------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=MODEL_IDS)
def test_every_admin_page_opens_for_the_administrator(
    admin_client, admin_user, demo_rows, model, model_admin
):
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    request = _request(admin_user)
    if model_admin.has_add_permission(request):
        assert admin_client.get(_url(model, "add")).status_code == 200
    obj = model_admin.get_queryset(request).first()
    if obj is None:
        pytest.skip(f"no {model._meta.label} row in the demo data to open")
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


def test_the_platform_models_are_all_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "members.User",
        "members.Office",
        "members.LegalEntity",
        "members.Member",
        "production_units.Sector",
        "production_units.ProductionUnit",
        "production_units.LedgerEntry",
        "invoicing.Client",
        "core.AuditEvent",
        "core.Counter",
        "core.HealthPing",
        "account.EmailAddress",
        "mfa.Authenticator",
    } <= registered


def test_big_tables_do_not_count_all_their_rows():
    for model in (Member, ProductionUnit, LedgerEntry, Client, AuditEvent):
        assert admin.site._registry[model].show_full_result_count is False


# The ledger is append-only ---------------------------------------------------------------


def test_a_ledger_entry_can_be_viewed_but_not_changed_or_deleted_even_by_a_superuser(
    admin_client, admin_user, alice_3en1
):
    entry = LedgerEntry.objects.filter(unit=alice_3en1).first()
    change_url = _url(LedgerEntry, "change", entry.pk)
    assert admin_client.get(change_url).status_code == 200
    response = admin_client.post(change_url, {"amount": "999.99", "label": "changed"})
    assert response.status_code == 403
    assert admin_client.get(_url(LedgerEntry, "delete", entry.pk)).status_code == 403
    response = admin_client.post(_url(LedgerEntry, "delete", entry.pk), {"post": "yes"})
    assert response.status_code == 403
    model_admin = admin.site._registry[LedgerEntry]
    assert "delete_selected" not in model_admin.get_actions(_request(admin_user))
    entry.refresh_from_db()
    assert entry.amount != Decimal("999.99")
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_an_advisor_corrects_a_balance_with_a_new_adjustment_entry(claire_client, alice_3en1):
    claire = User.objects.get(email="claire@smartcoop.test")
    balance = unit_balance(unit=alice_3en1)
    entries = LedgerEntry.objects.count()
    response = claire_client.post(
        _url(LedgerEntry, "add"),
        {
            "unit": alice_3en1.pk,
            "amount": "-15.50",
            "booked_on": "2026-11-03",
            "label": "Bank fee charged twice",
            "reason": "The bank charged the fee twice; refund agreed with Alice.",
        },
    )
    assert response.status_code == 302
    assert LedgerEntry.objects.count() == entries + 1
    entry = LedgerEntry.objects.latest("id")
    assert entry.kind == LedgerEntry.Kind.ADJUSTMENT
    assert entry.amount == Decimal("-15.50")
    assert entry.created_by == claire
    assert unit_balance(unit=alice_3en1) == balance - Decimal("15.50")
    event = audit_trail(alice_3en1).first()
    assert event.action == "ledger.posted"
    assert event.actor == claire
    assert event.reason == "The bank charged the fee twice; refund agreed with Alice."
    assert event.changes["entry"] == entry.pk


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("-15.50", "", "A manual adjustment needs a reason."),
        ("-15.50", "   ", "A manual adjustment needs a reason."),
        ("0.00", "Correction", "An entry can&#x27;t be zero."),
    ],
)
def test_a_refused_adjustment_shows_why_and_saves_nothing(
    admin_client, alice_3en1, amount, reason, message
):
    entries = LedgerEntry.objects.count()
    events = AuditEvent.objects.count()
    response = admin_client.post(
        _url(LedgerEntry, "add"),
        {
            "unit": alice_3en1.pk,
            "amount": amount,
            "booked_on": "2026-11-03",
            "label": "Correction",
            "reason": reason,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["adminform"].form.errors
    assert LedgerEntry.objects.count() == entries
    assert AuditEvent.objects.count() == events


def test_an_advisor_cannot_post_to_a_unit_of_another_office(claire_client, denis, admin_user):
    namur_unit = _open_unit(_namur_member(admin_user), "UP-NAM1", admin_user)
    response = claire_client.post(
        _url(LedgerEntry, "add"),
        {
            "unit": namur_unit.pk,
            "amount": "10.00",
            "booked_on": "2026-11-03",
            "label": "x",
            "reason": "y",
        },
    )
    assert response.status_code == 400
    assert "unit" in response.context["adminform"].form.errors
    assert not LedgerEntry.objects.filter(unit=namur_unit).exists()


def test_the_unit_page_shows_its_balance_and_its_latest_entries(admin_client, alice_3en1, claire):
    for day in range(1, 26):
        ledger_post(
            unit=alice_3en1,
            kind=LedgerEntry.Kind.TURNOVER,
            amount=Decimal("1.00"),
            booked_on=date(2026, 12, day),
            label=f"Entry {day}",
            by=claire,
        )
    response = admin_client.get(_url(ProductionUnit, "change", alice_3en1.pk))
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert inline.formset.model is LedgerEntry
    shown = [form.instance for form in inline.formset.forms]
    assert len(shown) == 20
    assert shown[0].label == "Entry 25"
    balance = unit_balance(unit=alice_3en1)
    assert balance == Decimal("492.50")
    assert "492.50" in response.content.decode().replace(",", ".").replace("\u202f", "")


# Writes go through the services ------------------------------------------------------------


def test_adding_a_member_in_the_admin_numbers_and_audits_it(admin_client, admin_user):
    office = Office.objects.get(code="namur")
    response = admin_client.post(
        _url(Member, "add"),
        {
            "category": Member.Category.A,
            "status": Member.Status.MEMBER,
            "first_name": "Eva",
            "last_name": "Evrard",
            "country": "BE",
            "preferred_language": "fr",
            "office": office.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member = Member.objects.get(last_name="Evrard")
    assert member.number is not None
    event = audit_trail(member).first()
    assert event.action == "member.created"
    assert event.actor == admin_user
    assert event.changes == {"number": member.number}


def test_changing_a_member_in_the_admin_audits_what_changed_and_why(admin_client, alice, claire):
    member = Member.objects.get(user=alice)
    url = _url(Member, "change", member.pk)
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(city="Namur", postal_code="5000", reason="Moved in October")
    data["advisor"] = claire.pk
    data["office"] = member.office_id
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.city == "Namur"
    event = audit_trail(member).first()
    assert event.action == "member.updated"
    assert event.reason == "Moved in October"
    assert event.changes["city"] == ["Bruxelles", "Namur"]
    assert "national_number" not in event.changes


def test_opening_a_unit_in_the_admin_audits_it(claire_client, bob):
    holder = Member.objects.get(user=bob)
    response = claire_client.post(
        _url(ProductionUnit, "add"),
        {
            "holder": holder.pk,
            "code": "UP-0100",
            "name": "Bob — photographie",
            "tool": ProductionUnit.Tool.THREE_IN_ONE,
            "sector": Sector.objects.order_by("code").first().pk,
            "legal_entity": LegalEntity.objects.get(code="smartcoop").pk,
            "opened_on": "2026-02-01",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit = ProductionUnit.objects.get(code="UP-0100")
    assert audit_trail(unit).first().action == "unit.opened"


def test_a_client_added_without_a_unit_is_refused_by_the_service_and_nothing_is_saved(
    claire_client, alice
):
    clients = Client.objects.count()
    response = claire_client.post(
        _url(Client, "add"),
        {
            "kind": Client.Kind.PERSON,
            "name": "Nobody's client",
            "country": "BE",
            "street": "Rue 1",
            "postal_code": "1000",
            "city": "Bruxelles",
        },
    )
    assert response.status_code == 400
    assert response.context["adminform"].form.errors["units"] == [
        "Choose at least one of your units."
    ]
    assert Client.objects.count() == clients


def test_adding_and_changing_a_client_in_the_admin_goes_through_the_service(
    claire_client, alice_3en1
):
    response = claire_client.post(
        _url(Client, "add"),
        {
            "kind": Client.Kind.COMPANY,
            "name": "Atelier Nord",
            "country": "BE",
            "enterprise_number": "0403170701",
            "street": "Rue 1",
            "postal_code": "1000",
            "city": "Bruxelles",
            "units": [alice_3en1.pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client = Client.objects.get(name="Atelier Nord")
    assert list(client.units.all()) == [alice_3en1]
    # The model's rule (filled in by the service's validation): the Peppol endpoint.
    assert client.peppol_endpoint == "0208:0403170701"
    assert audit_trail(client).first().action == "client.created"


def test_an_advisor_changing_a_clients_units_keeps_the_units_of_other_offices(
    claire_client, alice_3en1, alice_activity, denis, admin_user
):
    namur_unit = _open_unit(_namur_member(admin_user), "UP-NAM2", admin_user)
    client = _client_of(alice_3en1, "Shared client", admin_user)
    client.units.add(namur_unit)
    url = _url(Client, "change", client.pk)
    form = claire_client.get(url).context["adminform"].form
    data = {name: form.initial[name] or "" for name in form.fields if name != "units"}
    data["units"] = [alice_activity.pk]
    response = claire_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(client.units.all()) == {alice_activity, namur_unit}
    assert audit_trail(client).first().action == "client.updated"


# Verifying clients ------------------------------------------------------------------------


def test_the_verify_action_verifies_the_selected_clients_and_audits_each(claire_client, alice_3en1):
    claire = User.objects.get(email="claire@smartcoop.test")
    first = _client_of(alice_3en1, "First client", claire)
    second = _client_of(alice_3en1, "Second client", claire)
    already = Client.objects.get(name="Théâtre de la Place")
    response = claire_client.post(
        _url(Client, "changelist"),
        {"action": "verify_selected", "_selected_action": [first.pk, second.pk, already.pk]},
    )
    assert response.status_code == 302
    for client in (first, second):
        client.refresh_from_db()
        assert client.verified_by == claire
        event = audit_trail(client).first()
        assert event.action == "client.verified"
        assert event.actor == claire
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 clients verified."]


def test_the_client_list_filters_verified_and_to_verify(claire_client, alice):
    to_verify = claire_client.get(_url(Client, "changelist") + "?verified=no")
    names = [client.name for client in to_verify.context["cl"].result_list]
    assert names == ["Ecole des Arts Gent"]
    verified = claire_client.get(_url(Client, "changelist") + "?verified=yes")
    names = [client.name for client in verified.context["cl"].result_list]
    assert names == ["Théâtre de la Place"]


def test_the_index_shows_the_advisors_queue_of_their_office(
    claire_client, alice, denis, admin_user
):
    namur_unit = _open_unit(_namur_member(admin_user), "UP-NAM3", admin_user)
    _client_of(namur_unit, "Namur client", admin_user)
    response = claire_client.get(reverse("admin:index"))
    queue = {item.label: item for item in response.context["advisor_queue"]}
    # Claire's office has one client to verify (Ecole des Arts Gent); Namur's is not hers.
    item = queue["Clients to verify"]
    assert item.count == 1
    assert item.url == _url(Client, "changelist") + "?verified=no"
    content = response.content.decode()
    assert 'id="advisor-queue"' in content
    assert f'href="{item.url}"' in content


def test_the_superusers_queue_counts_every_office(admin_client, alice, denis, admin_user):
    namur_unit = _open_unit(_namur_member(admin_user), "UP-NAM4", admin_user)
    _client_of(namur_unit, "Namur client", admin_user)
    response = admin_client.get(reverse("admin:index"))
    queue = {item.label: item.count for item in response.context["advisor_queue"]}
    assert queue["Clients to verify"] == 2


# Advisors see their office ------------------------------------------------------------------


def test_an_advisor_sees_the_members_of_her_office_only(claire_client, alice, bob, denis):
    response = claire_client.get(_url(Member, "changelist"))
    shown = {member.display_name for member in response.context["cl"].result_list}
    assert shown == {"Alice Lambert", "Bob Bertrand"}
    denis_member = Member.objects.get(user=denis)
    response = claire_client.get(_url(Member, "change", denis_member.pk))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_the_superuser_opens_a_namur_members_page(admin_client, denis):
    denis_member = Member.objects.get(user=denis)
    assert admin_client.get(_url(Member, "change", denis_member.pk)).status_code == 200


def test_an_advisor_sees_only_the_units_clients_and_entries_of_her_office(
    claire_client, alice, denis, admin_user
):
    namur_unit = _open_unit(_namur_member(admin_user), "UP-NAM5", admin_user)
    namur_client = _client_of(namur_unit, "Namur client", admin_user)
    ledger_post(
        unit=namur_unit,
        kind=LedgerEntry.Kind.TURNOVER,
        amount=Decimal("10.00"),
        booked_on=date(2026, 3, 1),
        label="Namur turnover",
        by=admin_user,
    )
    units = claire_client.get(_url(ProductionUnit, "changelist")).context["cl"].result_list
    assert {unit.code for unit in units} == {"UP-0001", "UP-0002"}
    clients = claire_client.get(_url(Client, "changelist")).context["cl"].result_list
    assert namur_client not in list(clients)
    entries = claire_client.get(_url(LedgerEntry, "changelist")).context["cl"].result_list
    assert entries and all(entry.unit.holder.office.code == "bruxelles" for entry in entries)
    assert claire_client.get(_url(ProductionUnit, "change", namur_unit.pk)).status_code == 302
    assert claire_client.get(_url(Client, "change", namur_client.pk)).status_code == 302


def test_only_superusers_delete_members_units_entities_offices_and_sectors(admin_user, claire):
    office_admin = User.objects.create_user(email="ops@smartcoop.test", is_staff=True)
    office_admin.groups.add(Group.objects.get(name=roles.ADMIN))
    office_admin = User.objects.get(pk=office_admin.pk)
    for model in (Member, ProductionUnit, LegalEntity, Office, Sector):
        model_admin = admin.site._registry[model]
        assert office_admin.has_perm(f"{model._meta.app_label}.delete_{model._meta.model_name}")
        assert not model_admin.has_delete_permission(_request(office_admin))
        assert not model_admin.has_delete_permission(_request(claire))
        assert model_admin.has_delete_permission(_request(admin_user))


def test_the_audit_trail_is_read_only_even_for_a_superuser(admin_client, alice):
    event = AuditEvent.objects.first()
    assert admin_client.get(_url(AuditEvent, "add")).status_code == 403
    assert admin_client.get(_url(AuditEvent, "change", event.pk)).status_code == 200
    assert admin_client.post(_url(AuditEvent, "change", event.pk), {}).status_code == 403
    assert admin_client.get(_url(AuditEvent, "delete", event.pk)).status_code == 403


def test_the_audit_trail_filters_by_action(admin_client, alice):
    response = admin_client.get(_url(AuditEvent, "changelist") + "?action=client.verified")
    actions = {event.action for event in response.context["cl"].result_list}
    assert actions == {"client.verified"}


def test_the_objects_change_page_shows_its_audit_trail(admin_client, alice):
    client = Client.objects.get(name="Théâtre de la Place")
    response = admin_client.get(_url(Client, "change", client.pk))
    assert [event.action for event in response.context["audit_trail"]] == [
        "client.verified",
        "client.created",
    ]
    content = response.content.decode()
    assert 'id="audit-trail"' in content
    # The action reads as words in the reader's language, not as its code (issue 16).
    assert f"<td>{action_label('client.verified')}</td>" in content
    assert "client.verified" not in content


# List pages stay fast -------------------------------------------------------------------------


def _add_rows(count, by):
    office = Office.objects.get(code="bruxelles")
    for index in range(count):
        member = member_create(
            by=by,
            category=Member.Category.A,
            first_name=f"Extra{index}",
            last_name="Member",
            office=office,
            advisor=by,
        )
        unit = _open_unit(member, f"UP-X{index:03d}", by)
        _client_of(unit, f"Extra client {index}", by)
        ledger_post(
            unit=unit,
            kind=LedgerEntry.Kind.TURNOVER,
            amount=Decimal("100.00"),
            booked_on=date(2026, 4, 1),
            label=f"Extra {index}",
            by=by,
        )


# Advisors don't browse the whole audit trail (tests/core/test_office_scoping.py).
LIST_PAGES = [
    (persona, model)
    for persona in ("admin_client", "claire_client")
    for model in (Member, ProductionUnit, Client, LedgerEntry, AuditEvent)
    if (persona, model) != ("claire_client", AuditEvent)
]


@pytest.mark.parametrize(("persona", "model"), LIST_PAGES)
def test_list_pages_do_a_bounded_number_of_queries_whatever_the_rows(
    request, django_assert_max_num_queries, persona, model, alice, bob
):
    client = request.getfixturevalue(persona)
    claire = User.objects.get(email="claire@smartcoop.test")
    url = _url(model, "changelist")
    before = page_queries(client, url)
    _add_rows(8, claire)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 8
    assert page_queries(client, url) == before


def test_the_board_sees_every_office_but_an_advisor_only_hers(claire, denis, alice):
    from members.models import Member

    namur = Member.objects.get(user=denis)
    assert namur.office.code == "namur"
    assert namur in Member.objects.followed_by(denis)
    assert alice.member in Member.objects.followed_by(denis)
    assert namur not in Member.objects.followed_by(claire)


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry], ids=lambda m: m._meta.label_lower
)
def test_an_empty_add_form_is_refused_with_a_400_and_saves_nothing(admin_client, model):
    url = _url(model, "add")
    if admin_client.get(url).status_code == 403:
        pytest.skip("this model has no add form in the back-office")
    before = model._default_manager.count()
    response = admin_client.post(url, {})
    assert response.status_code == 400
    assert response.context["errors"]
    assert model._default_manager.count() == before


def test_a_bad_iban_on_a_legal_entity_is_refused_naming_the_field(admin_client):
    from members.models import LegalEntity

    entity = LegalEntity.objects.get(code="smartcoop")
    url = _url(LegalEntity, "change", entity.pk)
    data = {
        field: getattr(entity, field)
        for field in (
            "code",
            "name",
            "enterprise_number",
            "vat_number",
            "street",
            "postal_code",
            "city",
            "country",
            "bic",
            "peppol_id",
        )
    }
    data["iban"] = "BE71 0961 2345 6768"
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "iban" in response.context["adminform"].form.errors
    entity.refresh_from_db()
    assert entity.iban == "BE15068211111130"
