"""Invoices that look like the member's and speak the client's language (issue 18, part 3).

Every layout, in every document language, carries every mandatory mention, read back from
the PDF's text; an invoice to a Dutch-speaking client is in Dutch, in the unit's layout,
with its e-mail in Dutch; the presentation is frozen when the document is issued.
"""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from core.audit import AuditEvent
from core.templatetags.portal import format_money
from invoicing import pdf
from invoicing.branding_services import branding_update
from invoicing.invoice_services import invoice_issue
from invoicing.languages import default_client_language
from invoicing.models import FrozenError, Invoice, InvoiceBranding, InvoiceLayout
from invoicing.sending import email_subject_and_body
from tests.invoicing.test_invoice_pdf import collapse, pdf_images, pdf_text
from tests.invoicing_helpers import issued_invoice, line, make_client

LANGUAGES = ["fr", "nl", "en", "de"]
LAYOUTS = [choice.value for choice in InvoiceLayout]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PEPPOL_ACCESS_POINT = "file"
    settings.PEPPOL_OUTBOX_DIR = str(tmp_path / "outbox")


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def money(language: str, amount: Decimal) -> str:
    return collapse(format_money(amount, language))


def long_date(language: str, day) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def _png(size=(90, 30), colour=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), "image/png")


def invoice_in(alice, unit, language: str) -> Invoice:
    """An invoice to a client reading `language`: a 21 % line, a 6 % line and an exempt one."""
    client = make_client(
        alice,
        unit,
        name=f"Client {language}",
        vat_number="BE0403170701",
        language=language,
    )
    lines = [
        line("Concert", "2", "450.00", rate="21"),
        line("Livres", "3", "19.90", rate="6"),
        line("Atelier", "1", "300.00", category="E", rate="0"),
    ]
    return issued_invoice(alice, unit, client, lines, buyer_reference="PO-18")


# --- every layout, every language: every mandatory mention ------------------------------------


def test_the_cooperatives_legal_entities_have_their_court_registry(db):
    from members.models import LegalEntity

    assert set(LegalEntity.objects.values_list("court_registry", flat=True)) == {"Bruxelles"}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_layout_carries_every_mandatory_mention(alice, alice_3en1, layout, language):
    branding_update(
        unit=alice_3en1,
        by=alice,
        layout=layout,
        accent_color="#aa3300",
        logo=_png(),
        texts={language: {"introduction": f"Intro {layout}", "closing": f"Fin {layout}"}},
    )
    invoice = invoice_in(alice, alice_3en1, language)

    content = pdf.render_pdf(invoice)
    html = pdf.render_invoice_html(invoice)

    assert invoice.language == language
    assert invoice.presentation["layout"] == layout
    assert f'<body class="layout-{layout}">' in html
    text = pdf_text(content)
    seller = invoice.seller
    mentions = [
        # the seller: name, legal form, address, enterprise and VAT numbers, court registry
        "SmartCoop SC",
        in_language(language, "cooperative company"),
        collapse(seller["street"]),
        f"{seller['postal_code']} {seller['city']}",
        f"{in_language(language, 'Enterprise no.')} 0450.010.021",
        "BE0450010021",
        f"{in_language(language, 'RLE')} Bruxelles",
        # the document: its number, dates, the client and its VAT number, the buyer's reference
        invoice.display_number,
        long_date(language, invoice.issue_date),
        long_date(language, invoice.due_date),
        "Client " + language,
        "BE0403170701",
        "PO-18",
        # the lines, the VAT per rate, the exemption's legal reason, the totals
        "Concert",
        "Livres",
        "Atelier",
        f"{money(language, Decimal('900.00'))} {money(language, Decimal('189.00'))}",
        f"{money(language, Decimal('59.70'))} {money(language, Decimal('3.58'))}",
        collapse(invoice.lines.get(description="Atelier").exemption_reason.text),
        money(language, invoice.total),
        # paying: the structured communication, the account, the member's activity
        f"+++{invoice.structured_reference[:3]}/{invoice.structured_reference[3:7]}/"
        f"{invoice.structured_reference[7:]}+++",
        "BE15 0682 1111 1130",
        "GKCCBEBB",
        alice_3en1.code,
        # the unit's own texts
        f"Intro {layout}",
        f"Fin {layout}",
    ]
    missing = [mention for mention in mentions if mention not in text]
    assert missing == []
    for heading in ("Due date", "Total due", "Structured communication", "Taxable amount"):
        assert collapse(in_language(language, heading)).lower() in text.lower()
    assert len(pdf_images(content)) == 2  # the logo and the payment QR code


def test_the_layouts_really_differ(alice, alice_3en1):
    invoice = invoice_in(alice, alice_3en1, "fr")
    htmls = {}
    for layout in LAYOUTS:
        presentation = {**invoice.presentation, "layout": layout}
        Invoice.objects.filter(pk=invoice.pk).update(presentation=presentation)
        htmls[layout] = pdf.render_invoice_html(invoice)
    assert 'class="band"' in htmls["modern"] and 'class="band"' not in htmls["classic"]
    assert "compact-parties" in htmls["compact"] and "compact-parties" not in htmls["modern"]
    assert "DejaVu Serif" in htmls["compact"] and "DejaVu Serif" not in htmls["classic"]


# --- the client's language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "postal_code", "language"),
    [
        ("BE", "1000", "fr"),  # Brussels
        ("BE", "1348", "fr"),  # Walloon Brabant
        ("BE", "9000", "nl"),  # Ghent
        ("BE", "2000", "nl"),  # Antwerp
        ("BE", "4700", "de"),  # Eupen
        ("BE", "4000", "fr"),  # Liège
        ("NL", "1011 AB", "nl"),
        ("DE", "10115", "de"),
        ("AT", "1010", "de"),
        ("FR", "75001", "fr"),
        ("US", "11201", "en"),
    ],
)
def test_a_clients_language_defaults_from_its_country_and_region(country, postal_code, language):
    assert default_client_language(country, postal_code) == language


def test_a_client_gets_its_language_from_its_address_unless_one_is_chosen(alice, alice_3en1):
    ghent = make_client(alice, alice_3en1, name="Gent", postal_code="9000", city="Gent")
    chosen = make_client(alice, alice_3en1, name="Chosen", postal_code="9000", language="en")
    assert (ghent.language, chosen.language) == ("nl", "en")
    with pytest.raises(ValidationError) as refused:
        make_client(alice, alice_3en1, name="Klingon", language="tlh")
    assert "language" in refused.value.message_dict


def test_the_client_form_and_api_set_the_language(alice_client, alice, alice_3en1):
    response = alice_client.post(
        reverse("portal:client_create"),
        {
            "kind": "company",
            "name": "Berliner Bühne GmbH",
            "country": "DE",
            "street": "Unter den Linden 1",
            "postal_code": "10117",
            "city": "Berlin",
            "language": "de",
            "units": [alice_3en1.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from invoicing.models import Client

    assert Client.objects.get(name="Berliner Bühne GmbH").language == "de"


def test_german_stays_out_of_the_portals_language_switch(settings):
    assert "de" not in dict(settings.LANGUAGES)
    assert "de" in dict(settings.DOCUMENT_LANGUAGES)


def test_a_german_invoice_is_in_german(alice, alice_3en1):
    invoice = invoice_in(alice, alice_3en1, "de")

    text = pdf_text(pdf.render_pdf(invoice))

    for german in ("RECHNUNG", "FÄLLIGKEITSDATUM", "Zu zahlender Betrag", "Seite"):
        assert german in text
    assert invoice.total == Decimal("1452.28")
    assert "1.452,28 €" in text  # Belgian German


# --- a Dutch-speaking client --------------------------------------------------------------------


def test_an_invoice_to_a_dutch_speaking_client_is_in_dutch_in_the_chosen_layout(
    alice, alice_3en1, claire
):
    from invoicing.sending import Channel, document_send
    from invoicing.ubl import build_ubl

    branding_update(
        unit=alice_3en1,
        by=alice,
        layout="modern",
        texts={
            "fr": {"introduction": "Merci !", "email_subject": "Facture {number}"},
            "nl": {
                "introduction": "Bedankt voor uw vertrouwen.",
                "email_subject": "Factuur {number} van {total}",
                "email_message": "Beste klant,\n\nHierbij factuur {number}, te betalen vóór "
                "{due_date}.",
            },
        },
    )
    ghent = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        name="Ecole des Arts Gent",
        street="Kouter 1",
        postal_code="9000",
        city="Gent",
    )
    invoice = issued_invoice(alice, alice_3en1, ghent, [line("Concert", "1", "1000.00")])

    assert ghent.language == "nl" and invoice.language == "nl"
    text = pdf_text(pdf.render_pdf(invoice))
    for dutch in (
        "FACTUUR",
        "VERVALDATUM",
        "GESTRUCTUREERDE MEDEDELING",
        "Totaal verschuldigd",
        "Ondernemingsnr. 0450.010.021",
        "RPR Bruxelles",
        "Bedankt voor uw vertrouwen.",
    ):
        assert dutch in text
    assert "Merci" not in text and in_language("fr", "Due date").upper() not in text
    assert "€ 1.210,00" in text
    assert 'class="band"' in pdf.render_invoice_html(invoice)  # the modern layout

    document_send(invoice=invoice, channel=Channel.EMAIL, by=alice)
    [message] = mail.outbox
    due = invoice.due_date.strftime("%d/%m/%Y")
    assert message.subject == f"Factuur {invoice.display_number} van € 1.210,00"
    assert message.body.startswith(
        f"Beste klant,\n\nHierbij factuur {invoice.display_number}, te betalen vóór {due}."
    )
    assert "Verschuldigd bedrag" in message.body  # the standard payment part follows
    reference = invoice.structured_reference
    assert f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++" in message.body
    assert "{" not in message.body
    attached = pdf_text(message.attachments[0][1])
    assert "FACTUUR" in attached and "Bedankt voor uw vertrouwen." in attached

    # The UBL doesn't depend on the presentation (no layout, no texts), and stays valid.
    ubl = build_ubl(invoice)
    bare = Invoice.objects.get(pk=invoice.pk)
    bare.presentation = {}
    assert build_ubl(bare) == ubl
    from invoicing import peppol
    from tests.invoicing.test_ubl_peppol import RULES_DIR

    if not RULES_DIR.is_dir():
        pytest.skip("No Peppol validation artefacts (PEPPOL_RULES_DIR).")
    peppol.warm_up()
    assert peppol.validate_ubl(ubl) == []


def test_without_own_texts_the_standard_dutch_mail_is_sent(alice, alice_3en1):
    client = make_client(alice, alice_3en1, name="Gent", postal_code="9000", city="Gent")
    invoice = issued_invoice(alice, alice_3en1, client, [line()])

    subject, body = email_subject_and_body(invoice)

    with translation.override("nl"):
        assert subject == gettext("Invoice %(number)s from %(seller_name)s") % {
            "number": invoice.display_number,
            "seller_name": "SmartCoop SC",
        }
    assert body.startswith(in_language("nl", "Hello %(buyer_name)s,") % {"buyer_name": "Gent"})


def test_reminders_speak_the_clients_language(alice, alice_3en1):
    from invoicing.reminders import _reminder_email

    client = make_client(alice, alice_3en1, name="Gent", postal_code="9000", city="Gent")
    invoice = issued_invoice(alice, alice_3en1, client, [line()])
    reminder = invoice.reminders.create(step_days=7, amount_due=invoice.total)

    message = _reminder_email(invoice, reminder, email="x@gent.test", today=invoice.due_date)

    assert message.subject.startswith(
        in_language("nl", "Payment reminder: invoice %(number)s")
        % {"number": invoice.display_number}
    )
    assert in_language("nl", "Structured communication") in message.body


# --- placeholders ----------------------------------------------------------------------------


UNKNOWN = "Unknown placeholder %(name)s: use %(allowed)s."
NOT_CLOSED = "A brace is not closed: write placeholders as %(allowed)s."
ALLOWED = "{number}, {total}, {due_date}"


@pytest.mark.parametrize(
    ("value", "msgid", "name"),
    [
        ("Factuur {amount}", UNKNOWN, "{amount}"),
        ("Factuur {number.__class__}", UNKNOWN, "{number.__class__}"),
        ("Factuur {total:>20}", UNKNOWN, "{total:>20}"),
        ("Factuur {number", NOT_CLOSED, ""),
    ],
)
def test_an_unknown_placeholder_is_refused_naming_the_field(
    alice_client, alice_3en1, value, msgid, name
):
    message = in_language("fr", msgid) % {"name": name, "allowed": ALLOWED}
    url = reverse("portal:branding_edit", args=[alice_3en1.pk])
    data = {"layout": "classic", "accent_color": "#aa3300", "email_subject_nl": value}

    response = alice_client.post(url, data)

    assert response.status_code == 400
    errors = response.context["form"].errors["email_subject_nl"]
    assert any(message in error for error in errors)
    label = str(response.context["form"].fields["email_subject_nl"].label)
    assert label == f"{in_language('fr', 'E-mail subject')} · {in_language('fr', 'Dutch')}"
    assert f'<a href="#id_email_subject_nl">{escape(label)}</a>' in response.content.decode()
    assert not InvoiceBranding.objects.filter(unit=alice_3en1).exists()


def test_known_placeholders_are_filled_in_belgian_formats(alice, alice_3en1):
    branding_update(
        unit=alice_3en1,
        by=alice,
        texts={
            "fr": {"email_subject": "Facture {number} : {total} pour le {due_date} {{ok}}"},
            "en": {"email_subject": "Invoice {number}: {total} by {due_date}"},
        },
    )
    fr = issued_invoice(alice, alice_3en1, make_client(alice, alice_3en1), [line()])
    en_client = make_client(alice, alice_3en1, name="English", language="en")
    en = issued_invoice(alice, alice_3en1, en_client, [line("Big", "10", "123.40")])

    due = fr.due_date.strftime("%d/%m/%Y")
    assert email_subject_and_body(fr)[0] == (
        f"Facture {fr.display_number} : 121,00 € pour le {due} {{ok}}"
    )
    assert email_subject_and_body(en)[0] == (
        f"Invoice {en.display_number}: €1,493.14 by {en.due_date.strftime('%d/%m/%Y')}"
    )


# --- frozen on issue -------------------------------------------------------------------------


def test_changing_the_branding_later_changes_no_issued_invoice(alice, alice_3en1, settings):
    first = branding_update(
        unit=alice_3en1,
        by=alice,
        layout="modern",
        accent_color="#aa3300",
        logo=_png(),
        texts={"fr": {"introduction": "Première version"}},
    )
    first_logo = first.logo.name
    invoice = invoice_in(alice, alice_3en1, "fr")
    before = pdf.render_invoice_html(invoice)

    branding_update(
        unit=alice_3en1,
        by=alice,
        layout="compact",
        accent_color="#0033aa",
        logo=_png(colour=(0, 0, 200)),
        texts={"fr": {"introduction": "Seconde version"}},
    )

    invoice = Invoice.objects.get(pk=invoice.pk)
    after = pdf.render_invoice_html(invoice)
    assert after == before
    assert "Première version" in after and "Seconde version" not in after
    assert "--accent: #aa3300;" in after and 'class="band"' in after
    assert first.logo.storage.exists(first_logo)  # kept: an issued invoice shows it
    invoice.presentation = {**invoice.presentation, "layout": "compact"}
    with pytest.raises(FrozenError, match="presentation"):
        invoice.save()
    later = invoice_in(alice, alice_3en1, "fr")
    assert "Seconde version" in pdf.render_invoice_html(later)


def test_a_credit_note_is_in_the_language_and_layout_of_its_issue(alice, alice_3en1):
    from invoicing.invoice_services import credit_note_create

    branding_update(
        unit=alice_3en1,
        by=alice,
        layout="compact",
        texts={"nl": {"email_subject": "Factuur {number}", "email_message": "Te betalen!"}},
    )
    invoice = invoice_in(alice, alice_3en1, "nl")
    note = invoice_issue(
        invoice=credit_note_create(invoice=invoice, by=alice, lines=[line("Korting", "1", "10")]),
        by=alice,
    )

    text = pdf_text(pdf.render_pdf(note))

    assert note.language == "nl" and note.presentation["layout"] == "compact"
    assert email_subject_and_body(invoice)[0] == f"Factuur {invoice.display_number}"
    subject, body = email_subject_and_body(note)  # the standard mail of a credit note
    assert subject == in_language("nl", "Credit note %(number)s from %(seller_name)s") % {
        "number": note.display_number,
        "seller_name": "SmartCoop SC",
    }
    assert "Te betalen!" not in body and invoice.display_number in body
    assert in_language("nl", "Credit note") in text
    assert "RPR Bruxelles" in text


# --- the preview -------------------------------------------------------------------------------


def test_the_preview_shows_the_unsaved_values_and_saves_nothing(alice_client, alice_3en1):
    url = reverse("portal:branding_preview", args=[alice_3en1.pk])
    data = {
        "layout": "modern",
        "accent_color": "#aa3300",
        "logo": _png(),
        "introduction_de": "Vielen Dank für Ihr Vertrauen.",
        "preview_language": "de",
    }

    response = alice_client.post(url, data)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = pdf_text(response.content)
    assert "Vielen Dank für Ihr Vertrauen." in text
    assert "RECHNUNG" in text and "RJP Bruxelles" in text
    assert in_language("de", "Preview: specimen, not an invoice").upper() in text
    assert len(pdf_images(response.content)) == 1  # the logo; no payment QR on a specimen
    assert not InvoiceBranding.objects.filter(unit=alice_3en1).exists()
    assert not AuditEvent.objects.filter(action="branding.updated").exists()
    assert not Invoice.objects.exists()


def test_the_preview_refuses_bad_values_naming_the_field(alice_client, alice_3en1):
    url = reverse("portal:branding_preview", args=[alice_3en1.pk])
    data = {"layout": "classic", "accent_color": "#aa3300", "email_message_fr": "{montant}"}

    response = alice_client.post(url, data)

    assert response.status_code == 400
    assert response.context["form"].errors["email_message_fr"] == [
        in_language("fr", UNKNOWN) % {"name": "{montant}", "allowed": ALLOWED}
    ]


def test_the_preview_of_the_saved_branding(alice_client, alice, alice_3en1):
    branding_update(
        unit=alice_3en1, by=alice, layout="compact", texts={"nl": {"closing": "Tot ziens"}}
    )

    response = alice_client.get(
        reverse("portal:branding_preview", args=[alice_3en1.pk]) + "?language=nl"
    )

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Tot ziens" in text and "Factuur" in text


def test_the_admin_checks_the_texts_as_the_portal_does(alice_3en1):
    from invoicing.admin_settings import InvoiceBrandingForm

    data = {
        "unit": alice_3en1.pk,
        "layout": "compact",
        "accent_color": "#aa3300",
        "language": "",
        "texts": '{"nl": {"email_subject": "Factuur {bedrag}"}}',
    }
    form = InvoiceBrandingForm(data=data)
    assert not form.is_valid()
    assert "{bedrag}" in form.errors["texts"][0]
    assert form.errors["texts"][0].startswith("email_subject_nl: ")
    data["texts"] = '{"nl": {"email_subject": "Factuur {number}"}}'
    assert InvoiceBrandingForm(data=data).is_valid()


def test_the_api_sets_and_shows_a_clients_language(alice_client, alice_3en1):
    payload = {
        "kind": "company",
        "name": "Wiener Bühne GmbH",
        "country": "AT",
        "street": "Ring 1",
        "postal_code": "1010",
        "city": "Wien",
        "units": [alice_3en1.pk],
    }
    url = reverse("api:client-list")
    response = alice_client.post(url, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["language"] == "de"  # guessed from the country
    response = alice_client.post(
        url, {**payload, "name": "Other", "language": "xx"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "language" in response.json()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_quote_in_each_layout_keeps_the_legal_mentions_in_the_clients_language(
    alice, alice_3en1, layout
):
    from invoicing.quote_pdf import render_quote_html, render_quote_pdf
    from invoicing.quote_services import quote_create

    branding_update(unit=alice_3en1, by=alice, layout=layout, texts={"nl": {"closing": "Groeten"}})
    ghent = make_client(alice, alice_3en1, name="Gent", postal_code="9000", city="Gent")
    quote = quote_create(by=alice, unit=alice_3en1, client=ghent, lines=[line("Concert")])

    text = pdf_text(render_quote_pdf(quote))

    assert f'<body class="layout-{layout}">' in render_quote_html(quote)
    for mention in (
        "SmartCoop SC",
        in_language("nl", "cooperative company"),
        f"{in_language('nl', 'Enterprise no.')} 0450.010.021",
        "BE0450010021",
        "RPR Bruxelles",
        "BE15 0682 1111 1130",
        quote.number,
        "Gent",
        "Groeten",
    ):
        assert mention in text
    assert in_language("nl", "Quote").upper() in text.upper()
