"""National numbers and IBANs: encrypted at rest, unique and searchable by a keyed hash,
rotated to a new key by a command, masked everywhere, revealed only by an audited action."""

import re
from io import StringIO
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from stdnum import iban as std_iban
from stdnum.be import nn

from core.encryption import encrypted_fields, lookup_hash, migrate_columns
from core.models import AuditEvent
from members.models import Member, Office
from members.services import member_update

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


def _raw(model, pk, column):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _staff_http(user):
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    http = HttpClient()
    http.force_login(user)
    return http


# --- at rest -----------------------------------------------------------------------------------


def test_every_national_number_and_iban_of_a_person_is_an_encrypted_field():
    found = {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()}
    assert found == {
        "members.Member.national_number",
        "members.Member.iban",
        "members.MembershipApplication.national_number",
        "members.MembershipApplication.iban",
        "members.RefundPayout.iban",
        "payroll.Worker.national_number",
        "payroll.Worker.iban",
        "payroll.DimonaDeclaration.worker_national_number",
        "payroll.PayoutLine.iban",
        "invoicing.Payment.payer_iban",
    }
    for model, field in encrypted_fields():
        assert model._meta.get_field(f"{field.name}_hash").source == field.name


def test_the_database_holds_ciphertext_and_a_keyed_hash_not_the_number(alice):
    member = alice.member
    stored_number = _raw(Member, member.pk, "national_number")
    stored_iban = _raw(Member, member.pk, "iban")
    assert member.national_number and member.national_number not in stored_number
    assert member.iban not in stored_iban
    assert stored_number.startswith("gAAAAA")  # a Fernet token
    assert _raw(Member, member.pk, "national_number_hash") == lookup_hash(member.national_number)
    assert lookup_hash(member.national_number) != lookup_hash(member.iban)
    member.refresh_from_db()
    assert member.national_number == alice.member.national_number  # read back in clear


def test_the_hash_is_keyed(alice, settings):
    before = lookup_hash(alice.member.national_number)
    settings.FIELD_HASH_KEY = "another-key"
    assert lookup_hash(alice.member.national_number) != before


def test_two_members_can_not_share_a_national_number(alice, bob):
    bob.member.national_number = alice.member.national_number
    with pytest.raises(IntegrityError), transaction.atomic():
        bob.member.save()


def test_comparing_the_encrypted_column_is_refused_the_hash_is_used(alice):
    number = alice.member.national_number
    with pytest.raises(TypeError, match="_hash"):
        list(Member.objects.filter(national_number=number))
    assert Member.objects.get(national_number_hash=lookup_hash(number)) == alice.member
    # Spaces and dots do not matter: the hash is of the compact form.
    formatted = f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}"
    assert lookup_hash(formatted) == lookup_hash(number)
    assert Member.objects.exclude(national_number="").filter(pk=alice.member.pk).exists()


# --- the data migration and the rotation -------------------------------------------------------


def test_the_data_migration_encrypts_rows_written_in_clear_and_can_run_twice(alice):
    member = alice.member
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "members_member" SET national_number = %s, national_number_hash = %s '
            "WHERE id = %s",
            [member.national_number, "", member.pk],
        )
    editor = SimpleNamespace(connection=connection)
    for _run in range(2):
        migrate_columns(apps, editor, "members", {"Member": ["national_number"]})
        stored = _raw(Member, member.pk, "national_number")
        assert stored.startswith("gAAAAA") and member.national_number not in stored
        assert _raw(Member, member.pk, "national_number_hash") == lookup_hash(
            member.national_number
        )
    assert Member.objects.get(pk=member.pk).national_number == member.national_number
    migrate_columns(apps, editor, "members", {"Member": ["national_number"]}, clear=True)
    assert _raw(Member, member.pk, "national_number") == member.national_number


def test_rotation_re_encrypts_every_value_with_the_newest_key(alice, bob, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "members.Member.national_number: 2 value(s) rewritten" in out.getvalue()
    token = _raw(Member, alice.member.pk, "national_number")
    assert Fernet(new).decrypt(token.encode()).decode() == alice.member.national_number
    # The old key can go: every value reads with the new one alone.
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Member.objects.get(pk=alice.member.pk).iban == alice.member.iban
    again = StringIO()
    call_command("rotate_field_keys", stdout=again)
    assert "0 value(s) rewritten with the newest key" in again.getvalue()


def test_rotation_can_recompute_the_hashes_after_a_new_hash_key(alice, settings):
    settings.FIELD_HASH_KEY = "a-new-hash-key"
    call_command("rotate_field_keys", "--rehash", stdout=StringIO())
    assert (
        Member.objects.get(national_number_hash=lookup_hash(alice.member.national_number))
        == alice.member
    )


# --- masked everywhere, revealed on purpose ----------------------------------------------------


def test_the_admin_shows_the_numbers_masked_and_keeps_them_when_the_form_is_saved(
    alice, admin_user
):
    member = alice.member
    http = _staff_http(admin_user)
    url = reverse("admin:members_member_change", args=[member.pk])
    page = http.get(url).content.decode()
    assert member.national_number not in page
    assert member.iban not in page
    assert f"**.**.**-***.{member.national_number[9:]}" in page
    assert f"BE** **** **** {member.iban[-4:]}" in page


def test_saving_the_admin_form_with_the_masked_inputs_left_empty_keeps_the_numbers(
    alice, admin_user
):
    member = alice.member
    http = _staff_http(admin_user)
    url = reverse("admin:members_member_change", args=[member.pk])
    form = http.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = str(value)
    # What the browser sends: the masked inputs hold no value.
    data.update(national_number="", iban="", city="Liège", reason="moved")
    response = http.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.city == "Liège"
    assert (member.national_number, member.iban) == (
        alice.member.national_number,
        alice.member.iban,
    )
    event = AuditEvent.objects.filter(action="member.updated", object_id=str(member.pk)).last()
    assert set(event.changes) == {"city"}


def test_a_changed_iban_is_audited_masked(alice, admin_user):
    member = alice.member
    member_update(member=member, by=admin_user, iban="BE62510007547061")
    member.refresh_from_db()
    assert member.iban == "BE62510007547061"
    event = AuditEvent.objects.filter(action="member.updated", object_id=str(member.pk)).last()
    assert event.changes["iban"] == ["BE** **** **** 6769", "BE** **** **** 7061"]
    assert "BE62510007547061" not in str(event.changes)


def test_revealing_a_number_is_a_post_that_is_audited(alice, admin_user):
    member = alice.member
    http = _staff_http(admin_user)
    url = reverse("admin:members_member_reveal", args=[member.pk, "national_number"])
    confirm = http.get(url, headers=EN)
    assert confirm.status_code == 200
    assert member.national_number not in confirm.content.decode()
    assert not AuditEvent.objects.filter(action="identifier.revealed").exists()
    shown = http.post(url, headers=EN)
    assert shown.status_code == 200
    assert re.search(rf"data-revealed>{member.national_number}<", shown.content.decode())
    assert "no-store" in shown["Cache-Control"]
    event = AuditEvent.objects.get(action="identifier.revealed")
    assert (event.actor, event.object_id, event.changes) == (
        admin_user,
        str(member.pk),
        {"field": "national_number"},
    )


def test_an_advisor_of_another_office_can_not_reveal(alice, claire):
    Member.objects.filter(pk=alice.member.pk).update(office=Office.objects.get(code="gent"))
    http = _staff_http(claire)
    url = reverse("admin:members_member_reveal", args=[alice.member.pk, "national_number"])
    assert http.get(url).status_code == 404
    assert http.post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="identifier.revealed").exists()


def test_a_member_can_not_reveal(alice, bob):
    http = HttpClient()
    http.force_login(bob)
    url = reverse("admin:members_member_reveal", args=[alice.member.pk, "iban"])
    response = http.post(url)
    assert response.status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="identifier.revealed").exists()


def test_only_the_masked_fields_can_be_revealed(alice, admin_user):
    http = _staff_http(admin_user)
    url = reverse("admin:members_member_reveal", args=[alice.member.pk, "first_name"])
    assert http.post(url).status_code == 404


def test_the_admin_finds_a_member_by_national_number_through_the_hash(alice, admin_user):
    number = alice.member.national_number
    http = _staff_http(admin_user)
    formatted = f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}"
    response = http.get(reverse("admin:members_member_changelist"), {"q": formatted})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [alice.member]


def test_the_api_masks_the_iban(alice):
    http = HttpClient()
    http.force_login(alice)
    body = http.get(reverse("api:me")).json()
    assert body["iban"] == f"BE** **** **** {alice.member.iban[-4:]}"


def _pages_of(model, obj, http):
    opts = model._meta
    yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    yield reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_no_back_office_page_shows_a_number_in_full(
    alice, admin_user, django_capture_on_commit_callbacks
):
    """Every registered ModelAdmin of a model with an encrypted field: its list and the
    change page of a row show the numbers masked only."""
    from datetime import date
    from decimal import Decimal

    from django.contrib import admin

    from invoicing.models import Payment
    from payroll.workers.worker_services import unit_holder_worker
    from production_units.models import ProductionUnit
    from tests.payouts_helpers import make_line, make_refund

    worker = unit_holder_worker(ProductionUnit.objects.get(code="UP-0002"))
    make_line(amount="10.00", due_on=date(2026, 1, 5), worker=worker)
    make_refund(alice)
    Payment.objects.create(
        status=Payment.Status.UNMATCHED,
        source=Payment.Source.CAMT053,
        amount=Decimal("5.00"),
        received_on=date(2026, 1, 5),
        payer_name="A payer",
        payer_iban="BE62510007547061",
    )
    http = _staff_http(admin_user)
    walked = set()
    for model, field in encrypted_fields():
        if model not in admin.site._registry:
            continue
        for obj in model._default_manager.exclude(**{field.name: ""}):
            value = getattr(obj, field.name)
            shown = {value, std_iban.format(value) if value[:2].isalpha() else nn.format(value)}
            for url in _pages_of(model, obj, http):
                page = http.get(url)
                assert page.status_code == 200, url
                body = page.content.decode()
                assert not any(form in body for form in shown), (url, field.name)
            walked.add(model._meta.label)
    assert {
        "members.Member",
        "payroll.Worker",
        "payroll.PayoutLine",
        "members.RefundPayout",
        "invoicing.Payment",
    } <= walked
