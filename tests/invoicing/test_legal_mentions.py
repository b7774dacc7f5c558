"""The mentions Belgian law asks of an invoice, read back from its PDF and its UBL (issue 16,
"Documents that meet the law"): the seller's register of legal entities with its court and
its registered office, the client's VAT number, the date of supply or the service period
(not the issue date), and a 3en1 unit named by its name. The UBL stays valid against the
official Peppol rules; credit notes too.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from invoicing import pdf
from invoicing.chain import verify_chain
from invoicing.forms_invoices import InvoiceDetailsForm
from invoicing.invoice_services import credit_note_create, invoice_create, invoice_issue
from invoicing.models import Invoice
from invoicing.ubl import build_ubl
from tests.invoicing.test_invoice_pdf import pdf_text
from tests.invoicing.test_ubl_peppol import assert_valid, peppol_rules, value, values
from tests.invoicing_helpers import issued_invoice, line, make_client

__all__ = ["peppol_rules"]  # the module-scoped fixture, used here as there

TODAY = timezone.localdate()
DELIVERED = TODAY - timedelta(days=9)
PERIOD = (TODAY - timedelta(days=40), TODAY - timedelta(days=10))
BUYER = "/*/cac:AccountingCustomerParty/cac:Party"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def long_date(language: str, day: date) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


@pytest.fixture
def vat_client(alice, alice_3en1, claire):
    return make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        name="Théâtre du Parc SA",
        enterprise_number="0403170701",
        vat_number="BE0403170701",
    )


def invoice_for(alice, unit, client, **fields) -> Invoice:
    return issued_invoice(alice, unit, client, [line("Concert", "1", "800.00")], **fields)


# --- the seller: register of legal entities, court, registered office ------------------------


@pytest.mark.parametrize(
    ("language", "register", "office"),
    [
        ("fr", "RPM Bruxelles", "Siège"),
        ("nl", "RPR Bruxelles", "Zetel"),
        ("en", "RLE Bruxelles", "Registered office"),
    ],
)
def test_the_pdf_names_the_register_its_court_and_the_registered_office(
    alice, alice_3en1, vat_client, language, register, office
):
    invoice = invoice_for(alice, alice_3en1, vat_client, language=language)

    text = pdf_text(pdf.render_pdf(invoice))

    assert register in text
    seat = f"{invoice.seller['street']}, {invoice.seller['postal_code']} {invoice.seller['city']}"
    label = in_language(language, "Registered office")
    assert f"{label}: {seat}" in text
    # The catalogs are compiled by the lead: until then the label may still be the msgid.
    assert label in (office, "Registered office")


# --- the client's VAT number -------------------------------------------------------------------


def test_the_clients_vat_number_is_on_the_pdf_and_in_the_ubl(
    peppol_rules, alice, alice_3en1, vat_client
):
    invoice = invoice_for(alice, alice_3en1, vat_client)

    text = pdf_text(pdf.render_pdf(invoice))
    xml = build_ubl(invoice)

    assert "BE0403170701" in text
    assert "0403.170.701" in text  # and its enterprise number
    assert value(xml, f"{BUYER}/cac:PartyTaxScheme/cbc:CompanyID/text()") == "BE0403170701"
    assert value(xml, f"{BUYER}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID/text()") == "VAT"
    assert_valid(xml)


def test_a_client_without_vat_number_has_no_tax_scheme(peppol_rules, alice, alice_3en1, claire):
    client = make_client(alice, alice_3en1, verify_by=claire, vat_number="")
    invoice = invoice_for(alice, alice_3en1, client)

    xml = build_ubl(invoice)

    assert values(xml, f"{BUYER}/cac:PartyTaxScheme") == []
    assert_valid(xml)


# --- the date of supply, the service period --------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_date_of_supply_is_on_the_pdf_and_in_the_ubl(
    peppol_rules, alice, alice_3en1, vat_client, language
):
    invoice = invoice_for(alice, alice_3en1, vat_client, supply_date=DELIVERED, language=language)

    text = pdf_text(pdf.render_pdf(invoice))
    xml = build_ubl(invoice)

    assert invoice.issue_date == TODAY
    # The table's headings are set in capitals by the style sheet.
    assert in_language(language, "Date of supply").upper() in text
    assert long_date(language, DELIVERED) in text
    assert long_date(language, TODAY) in text  # the issue date, apart
    assert value(xml, "/*/cac:Delivery/cbc:ActualDeliveryDate/text()") == DELIVERED.isoformat()
    assert values(xml, "/*/cac:InvoicePeriod") == []
    assert_valid(xml)


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_service_period_is_on_the_pdf_and_in_the_ubl(
    peppol_rules, alice, alice_3en1, vat_client, language
):
    invoice = invoice_for(
        alice,
        alice_3en1,
        vat_client,
        supply_date=PERIOD[0],
        supply_period_end=PERIOD[1],
        language=language,
    )

    text = pdf_text(pdf.render_pdf(invoice))
    xml = build_ubl(invoice)

    assert in_language(language, "Service period").upper() in text
    assert long_date(language, PERIOD[0]) in text
    assert long_date(language, PERIOD[1]) in text
    assert value(xml, "/*/cac:InvoicePeriod/cbc:StartDate/text()") == PERIOD[0].isoformat()
    assert value(xml, "/*/cac:InvoicePeriod/cbc:EndDate/text()") == PERIOD[1].isoformat()
    assert values(xml, "/*/cac:Delivery") == []
    assert_valid(xml)


def test_left_empty_the_supply_is_dated_by_the_issue(peppol_rules, alice, alice_3en1, vat_client):
    invoice = invoice_for(alice, alice_3en1, vat_client)

    xml = build_ubl(invoice)

    assert invoice.supply_date == TODAY
    assert value(xml, "/*/cac:Delivery/cbc:ActualDeliveryDate/text()") == TODAY.isoformat()
    assert_valid(xml)


def test_the_supply_date_is_frozen_and_chained(alice, alice_3en1, vat_client):
    from invoicing.models import FrozenError

    invoice = invoice_for(alice, alice_3en1, vat_client, supply_date=DELIVERED)
    assert verify_chain(invoice.series_id, invoice.year) is None

    invoice.supply_date = TODAY
    with pytest.raises(FrozenError):
        invoice.save()
    # Changed behind the model's back, the chain tells.
    Invoice.objects.filter(pk=invoice.pk).update(supply_date=TODAY)
    broken = verify_chain(invoice.series_id, invoice.year)
    assert broken is not None and broken.invoice.pk == invoice.pk


def test_a_document_issued_before_the_supply_date_was_kept_keeps_its_file(
    alice, alice_3en1, vat_client
):
    invoice = invoice_for(alice, alice_3en1, vat_client)
    Invoice.objects.filter(pk=invoice.pk).update(supply_date=None)
    invoice.refresh_from_db()

    xml = build_ubl(invoice)

    assert values(xml, "/*/cac:Delivery") == []
    assert values(xml, "/*/cac:InvoicePeriod") == []


def test_a_credit_note_states_the_period_of_the_invoice_it_corrects(
    peppol_rules, alice, alice_3en1, vat_client
):
    invoice = invoice_for(
        alice, alice_3en1, vat_client, supply_date=PERIOD[0], supply_period_end=PERIOD[1]
    )
    credit = invoice_issue(invoice=credit_note_create(invoice=invoice, by=alice), by=alice)

    xml = build_ubl(credit)
    text = pdf_text(pdf.render_pdf(credit))

    assert (credit.supply_date, credit.supply_period_end) == PERIOD
    assert value(xml, "/*/cac:InvoicePeriod/cbc:StartDate/text()") == PERIOD[0].isoformat()
    assert value(xml, "/*/cac:InvoicePeriod/cbc:EndDate/text()") == PERIOD[1].isoformat()
    assert value(xml, f"{BUYER}/cac:PartyTaxScheme/cbc:CompanyID/text()") == "BE0403170701"
    assert long_date("fr", PERIOD[0]) in text
    assert "RPM Bruxelles" in text
    assert_valid(xml)


def test_a_credit_note_of_a_dated_supply_is_valid(peppol_rules, alice, alice_3en1, vat_client):
    invoice = invoice_for(alice, alice_3en1, vat_client, supply_date=DELIVERED)
    credit = invoice_issue(invoice=credit_note_create(invoice=invoice, by=alice), by=alice)

    xml = build_ubl(credit)

    assert value(xml, "/*/cac:Delivery/cbc:ActualDeliveryDate/text()") == DELIVERED.isoformat()
    assert_valid(xml)


def test_a_period_that_ends_before_it_starts_is_refused(alice, alice_3en1, vat_client):
    with pytest.raises(ValidationError) as error:
        invoice_create(
            by=alice,
            unit=alice_3en1,
            client=vat_client,
            lines=[line()],
            supply_date=PERIOD[1],
            supply_period_end=PERIOD[0],
        )
    assert "supply_period_end" in error.value.message_dict
    assert PERIOD[1].strftime("%d/%m/%Y") in error.value.message_dict["supply_period_end"][0]
    assert not Invoice.objects.filter(client=vat_client).exists()


def test_a_period_without_its_first_day_is_refused(alice, alice_3en1, vat_client):
    with pytest.raises(ValidationError) as error:
        invoice_create(
            by=alice, unit=alice_3en1, client=vat_client, lines=[line()], supply_period_end=TODAY
        )
    assert "supply_date" in error.value.message_dict


def test_the_form_asks_for_the_date_of_supply_defaulting_to_today():
    blank = InvoiceDetailsForm()
    filled = InvoiceDetailsForm(
        {"supply_date": "01/03/2026", "supply_period_end": "31/03/2026", "language": ""}
    )

    assert blank.fields["supply_date"].initial == TODAY
    assert filled.is_valid(), filled.errors
    fields = filled.service_fields()
    assert fields["supply_date"] == date(2026, 3, 1)
    assert fields["supply_period_end"] == date(2026, 3, 31)


def test_the_member_sets_the_period_on_the_portal(alice_client, alice, alice_3en1, vat_client):
    from django.urls import reverse

    draft = invoice_create(by=alice, unit=alice_3en1, client=vat_client, lines=[line()])
    page = alice_client.get(reverse("portal:invoice_edit", args=[draft.pk]))

    assert page.status_code == 200
    assert 'name="supply_date"' in page.content.decode()
    assert 'name="supply_period_end"' in page.content.decode()


# --- a 3en1 unit is named by its name ---------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_3en1_unit_is_named_not_coded_as_an_activity(alice, alice_3en1, vat_client, language):
    invoice = invoice_for(alice, alice_3en1, vat_client, language=language)

    text = pdf_text(pdf.render_pdf(invoice))

    assert invoice.seller["unit_tool"] == "3en1"
    assert alice_3en1.name in text
    assert f"{in_language(language, 'Activity')}: {alice_3en1.code}" not in text
    assert f"{in_language(language, 'Activity')} {alice_3en1.code}" not in text


def test_an_activity_unit_keeps_its_activity_label(alice, alice_activity, claire):
    client = make_client(alice, alice_activity, verify_by=claire)
    invoice = invoice_for(alice, alice_activity, client, language="fr")

    text = pdf_text(pdf.render_pdf(invoice))

    assert f"Activité: {alice_activity.code}" in text
    assert alice_activity.name in text
