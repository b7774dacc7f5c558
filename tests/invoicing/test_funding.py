"""Funding agreements: an advisor of the unit's office records a subsidy or grant; it credits
the unit's ledger at once, nothing is saved when something is wrong; advisors see only their
office's, members only their own unit's (issue 16)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from invoicing.funding import funding_agreement_record
from invoicing.models import FundingAgreement
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from tests.conftest import _with_mfa
from tests.factories.members import AdvisorFactory, office

pytestmark = pytest.mark.django_db

RECEIVED = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _record(unit, by, **fields):
    values = {"funder": "Fédération Wallonie-Bruxelles", "reference": "FWB-2026-118",
              "amount": "2500.00", "received_on": RECEIVED}  # fmt: skip
    values.update(fields)
    return funding_agreement_record(unit=unit, by=by, **values)


def test_a_funding_agreement_credits_the_units_ledger_and_is_audited(alice_activity, claire):
    before = unit_balance(unit=alice_activity)

    agreement = _record(alice_activity, claire, period_start=date(2026, 9, 1),
                        period_end=date(2027, 6, 30))  # fmt: skip

    entry = agreement.ledger_entry
    assert (entry.kind, entry.amount, entry.booked_on) == (
        LedgerEntry.Kind.TURNOVER, Decimal("2500.00"), RECEIVED
    )  # fmt: skip
    assert entry.source == agreement
    assert "Fédération Wallonie-Bruxelles" in entry.label
    assert unit_balance(unit=alice_activity) == before + Decimal("2500.00")
    event = AuditEvent.objects.get(action="funding_agreement.recorded")
    assert event.changes["amount"] == "2500.00"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"funder": "  "}, "funder"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-10.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "deux mille"}, "amount"),
        ({"received_on": None}, "received_on"),
        ({"period_start": date(2026, 9, 1), "period_end": date(2026, 8, 31)}, "period_end"),
        ({"document": SimpleUploadedFile("agreement.exe", b"MZ")}, "document"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(alice_activity, claire, fields, field):
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        _record(alice_activity, claire, **fields)
    assert field in refused.value.message_dict
    assert not FundingAgreement.objects.exists()
    assert LedgerEntry.objects.count() == entries


def test_a_date_in_the_future_is_refused(alice_activity, claire):
    with pytest.raises(ValidationError) as refused:
        _record(alice_activity, claire, received_on=timezone.localdate() + timedelta(days=1))
    assert "future" in " ".join(refused.value.message_dict["received_on"])


def test_only_an_advisor_of_the_units_office_records_one(alice, alice_activity):
    with pytest.raises(PermissionDenied):
        _record(alice_activity, alice)
    with pytest.raises(Http404):
        _record(alice_activity, AdvisorFactory(office=office("namur")))
    assert not FundingAgreement.objects.exists()


# --- the back-office -------------------------------------------------------------------------


def test_the_advisor_records_one_in_the_back_office(client, claire, alice_activity):
    client.force_login(_with_mfa(claire))
    response = client.post(
        reverse("admin:invoicing_fundingagreement_add"),
        {"unit": alice_activity.pk, "funder": "COCOF", "reference": "C-7",
         "amount": "1200.50", "received_on": "20/11/2026", "period_start": "",
         "period_end": "", "document": SimpleUploadedFile("a.pdf", b"%PDF-1.4 test")},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = FundingAgreement.objects.get()
    assert (agreement.funder, agreement.amount, agreement.created_by) == (
        "COCOF", Decimal("1200.50"), claire
    )  # fmt: skip
    assert agreement.ledger_entry.amount == Decimal("1200.50")


def test_a_refusal_in_the_back_office_shows_on_the_form(client, claire, alice_activity):
    client.force_login(_with_mfa(claire))
    response = client.post(
        reverse("admin:invoicing_fundingagreement_add"),
        {"unit": alice_activity.pk, "funder": "COCOF", "amount": "100.00",
         "received_on": "20/11/2026", "period_start": "01/09/2026", "period_end": "01/08/2026"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert "before it starts" in response.content.decode()
    assert not FundingAgreement.objects.exists()


def test_an_advisor_sees_and_records_only_for_her_offices_units(client, claire, alice_activity):
    _record(alice_activity, claire)
    namur = AdvisorFactory(office=office("namur"))
    client.force_login(_with_mfa(namur))

    listing = client.get(reverse("admin:invoicing_fundingagreement_changelist"))
    assert list(listing.context["cl"].result_list) == []
    agreement = FundingAgreement.objects.get()
    change = client.get(reverse("admin:invoicing_fundingagreement_change", args=[agreement.pk]))
    assert change.status_code in (302, 404)
    response = client.post(
        reverse("admin:invoicing_fundingagreement_add"),
        {"unit": alice_activity.pk, "funder": "Région", "amount": "50.00",
         "received_on": "20/11/2026"},
    )  # fmt: skip
    assert response.status_code == 400  # the unit is not a choice for her
    assert "unit" in response.context["adminform"].form.errors
    assert FundingAgreement.objects.count() == 1

    client.force_login(_with_mfa(claire))
    mine = client.get(reverse("admin:invoicing_fundingagreement_changelist"))
    assert list(mine.context["cl"].result_list) == [agreement]


# --- the member's unit page ------------------------------------------------------------------


def test_the_member_sees_her_units_funding_as_income(alice_client, alice_activity, claire):
    agreement = _record(alice_activity, claire,
                        document=SimpleUploadedFile("convention.pdf", b"%PDF-1.4 fwb"))  # fmt: skip
    page = alice_client.get(reverse("portal:unit_detail", args=[alice_activity.pk]))
    content = page.content.decode()
    assert f'data-funding="{agreement.pk}"' in content
    assert "Fédération Wallonie-Bruxelles" in content
    document = alice_client.get(agreement.document.url)
    assert document.status_code == 200
    assert b"".join(document.streaming_content) == b"%PDF-1.4 fwb"


def test_a_member_never_sees_anothers_funding(bob_client, alice_activity, claire):
    agreement = _record(alice_activity, claire,
                        document=SimpleUploadedFile("convention.pdf", b"%PDF-1.4 fwb"))  # fmt: skip
    assert (
        bob_client.get(reverse("portal:unit_detail", args=[alice_activity.pk])).status_code == 404
    )
    home = bob_client.get(reverse("portal:home")).content.decode()
    assert "data-funding" not in home and "Wallonie" not in home
    assert bob_client.get(agreement.document.url).status_code == 404
