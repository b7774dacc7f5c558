"""The PDF of issued invoices and credit notes: legal content, EPC QR code, personalisation."""

import io
import sys
import types
from decimal import Decimal

import pytest
import segno
from django.core.files.base import ContentFile
from django.utils import formats, translation
from django.utils.translation import gettext
from PIL import Image
from pypdf import PdfReader

from core import pdf as smartcoop_pdf
from invoicing import documents, pdf
from invoicing.invoice_services import credit_note_create, invoice_issue
from invoicing.models import Client, Invoice, InvoiceBranding, VatExemptionReason
from tests.invoicing_helpers import issued_invoice, line, make_client

NBSP = "\u00a0"


# --- helpers ---------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace collapsed (line breaks fall anywhere in long texts)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def collapse(text: str) -> str:
    return " ".join(text.split())


def pdf_images(content: bytes) -> list[Image.Image]:
    reader = PdfReader(io.BytesIO(content))
    return [image.image for page in reader.pages for image in page.images]


def french_money(amount: Decimal) -> str:
    """1234.5 → '1 234,50 €', written independently of the code under test."""
    units, fraction = f"{amount:.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return NBSP.join(groups) + "," + fraction + NBSP + "€"


def in_french(msgid: str) -> str:
    """A string as the French document prints it (the msgid until catalogs exist)."""
    with translation.override("fr"):
        return gettext(msgid)


def expected_epc_matrix(invoice: Invoice):
    """The QR matrix of the EPC069-12 payload this invoice must carry, built by hand."""
    amount = f"{invoice.total:.2f}".rstrip("0").rstrip(".")
    ref = invoice.structured_reference
    payload = "\n".join(
        [
            "BCD",
            "002",
            "2",
            "SCT",
            invoice.seller["bic"],
            invoice.seller["name"],
            invoice.seller["iban"],
            f"EUR{amount}",
            "",
            "",
            f"+++{ref[:3]}/{ref[3:7]}/{ref[7:]}+++",
        ]
    ).encode("iso-8859-1")
    return segno.make_qr(payload, error="m", boost_error=False).matrix


def image_is_qr(image: Image.Image, matrix) -> bool:
    """Whether the image draws exactly this QR matrix (4-module quiet zone, any scale)."""
    modules = len(matrix) + 8
    if image.width != image.height or image.width % modules:
        return False
    scale = image.width // modules
    grey = image.convert("L")
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            x = (col + 4) * scale + scale // 2
            y = (row + 4) * scale + scale // 2
            if (grey.getpixel((x, y)) < 128) != bool(dark):
                return False
    return True


def qr_count(content: bytes, invoice: Invoice) -> int:
    matrix = expected_epc_matrix(invoice)
    return sum(image_is_qr(image, matrix) for image in pdf_images(content))


# --- the cases of the Peppol test, as PDFs ------------------------------------------------


@pytest.fixture
def unit(alice_3en1):
    return alice_3en1


def build_case(case: str, alice, unit) -> Invoice:
    if case == "belgian_company_21":
        client = make_client(alice, unit)
        return issued_invoice(alice, unit, client, [line("Concert du 14 mars", "1", "1250.00")])
    if case == "several_rates":
        client = make_client(alice, unit, name="Librairie Tropismes SRL")
        lines = [
            line("Animation", "2", "450.00", rate="21"),
            line("Catering", "1", "300.00", rate="12"),
            line("Livres", "3", "19.90", rate="6"),
        ]
        return issued_invoice(alice, unit, client, lines, buyer_reference="PO-2026-17")
    if case == "exempt_e":
        client = make_client(alice, unit, kind=Client.Kind.NON_PROFIT, name="Centre culturel")
        lines = [line("Spectacle (artiste)", "1", "800.00", category="E", rate="0")]
        return issued_invoice(alice, unit, client, lines, order_reference="BC-889")
    if case == "reverse_charge_ae":
        client = make_client(
            alice,
            unit,
            name="Festival de Lille SARL",
            country="FR",
            enterprise_number="",
            vat_number="FR40303265045",
            street="Rue Nationale 1",
            postal_code="59000",
            city="Lille",
        )
        lines = [line("Mise en scène", "4", "625.00", category="AE", rate="0")]
        return issued_invoice(alice, unit, client, lines)
    if case == "outside_eu_o":
        client = make_client(
            alice,
            unit,
            name="Brooklyn Music Hall LLC",
            country="US",
            language="fr",  # asked for: an American client's default language is English
            enterprise_number="",
            street="5 Main Street",
            postal_code="11201",
            city="New York",
        )
        lines = [line("Concert tour", "1", "3200.00", category="O", rate="0")]
        return issued_invoice(alice, unit, client, lines)
    if case == "private_person":
        client = make_client(
            alice,
            unit,
            kind=Client.Kind.PERSON,
            name="Jeanne Dupont",
            enterprise_number="",
            street="Rue Haute 12",
            postal_code="1000",
            city="Bruxelles",
        )
        lines = [line("Cours de chant", "5", "40.00", unit_code="HUR")]
        return issued_invoice(alice, unit, client, lines)
    raise AssertionError(case)


INVOICE_CASES = [
    "belgian_company_21",
    "several_rates",
    "exempt_e",
    "reverse_charge_ae",
    "outside_eu_o",
    "private_person",
]


@pytest.mark.parametrize("case", INVOICE_CASES)
def test_invoice_pdf_holds_number_reference_total_and_payment_qr(case, alice, unit):
    invoice = build_case(case, alice, unit)

    content = pdf.render_pdf(invoice)

    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert invoice.display_number in text
    ref = invoice.structured_reference
    assert f"+++{ref[:3]}/{ref[3:7]}/{ref[7:]}+++" in text
    assert collapse(french_money(invoice.total)) in text
    assert collapse(french_money(invoice.net_total)) in text
    assert qr_count(content, invoice) == 1


@pytest.mark.parametrize("case", ["exempt_e", "reverse_charge_ae", "outside_eu_o"])
def test_lines_without_vat_print_their_legal_exemption_reason(case, alice, unit):
    invoice = build_case(case, alice, unit)
    reasons = {ln.exemption_reason.text for ln in invoice.lines.all()}

    text = pdf_text(pdf.render_pdf(invoice))

    assert reasons
    for reason in reasons:
        assert collapse(reason) in text


def test_a_standard_rate_invoice_prints_no_exemption_reason(alice, unit):
    invoice = build_case("belgian_company_21", alice, unit)

    text = pdf_text(pdf.render_pdf(invoice))

    for reason in VatExemptionReason.objects.values_list("text", flat=True):
        assert collapse(reason) not in text


def test_several_rates_are_broken_down_per_rate(alice, unit):
    invoice = build_case("several_rates", alice, unit)

    text = pdf_text(pdf.render_pdf(invoice))

    # 2 × 450 at 21 %, 300 at 12 %, 3 × 19.90 at 6 %: taxable amount and VAT of each rate.
    for taxable, vat in [("900.00", "189.00"), ("300.00", "36.00"), ("59.70", "3.58")]:
        assert collapse(f"{french_money(Decimal(taxable))} {french_money(Decimal(vat))}") in text
    assert invoice.vat_total == Decimal("228.58")
    assert collapse(french_money(invoice.vat_total)) in text
    assert "PO-2026-17" in text


def test_reverse_charge_prints_both_vat_numbers(alice, unit):
    invoice = build_case("reverse_charge_ae", alice, unit)

    text = pdf_text(pdf.render_pdf(invoice))

    assert "FR40303265045" in text
    assert invoice.seller["vat_number"] in text


def test_invoice_pdf_carries_the_legal_mentions_of_the_cooperative(alice, unit):
    invoice = build_case("private_person", alice, unit)

    text = pdf_text(pdf.render_pdf(invoice))

    seller = invoice.seller
    assert seller["name"] == "SmartCoop SC"
    assert "SmartCoop SC" in text
    assert in_french("cooperative company") in text  # the legal form, spelled out
    assert "0450.010.021" in text  # enterprise number
    assert "BE0450010021" in text  # VAT number
    assert "BE15 0682 1111 1130" in text  # IBAN
    assert "GKCCBEBB" in text
    assert collapse(f"{seller['street']}") in text
    assert unit.code in text and collapse(unit.name) in text  # the member's activity
    assert "Jeanne Dupont" in text


def test_credit_note_pdf_references_the_invoice_and_has_no_payment_qr(alice, unit):
    invoice = build_case("belgian_company_21", alice, unit)
    note = credit_note_create(
        invoice=invoice, by=alice, lines=[line("Annulation partielle", "1", "250.00")]
    )
    note = invoice_issue(invoice=note, by=alice)

    content = pdf.render_pdf(note)

    text = pdf_text(content)
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.display_number in text
    assert invoice.display_number in text  # the credited invoice
    assert f"<h1>{in_french('Credit note')}</h1>" in pdf.render_invoice_html(note)
    assert in_french("Credit note").upper() in text  # the title, upper-cased by the style
    assert collapse(french_money(note.total)) in text
    assert note.total == Decimal("302.50")
    ref = note.structured_reference
    assert f"+++{ref[:3]}/{ref[3:7]}/{ref[7:]}+++" not in text  # nothing to pay
    refund = in_french(
        "This credit note is not to be paid. Its amount of %(amount)s is to be deducted from "
        "what you owe us, or will be refunded to you if you have already paid."
    ) % {"amount": french_money(note.total)}
    assert collapse(refund) in text
    assert pdf_images(content) == []


def test_an_invoice_pdf_is_refused_for_a_draft(alice, unit):
    from invoicing.invoice_services import invoice_create

    client = make_client(alice, unit)
    draft = invoice_create(by=alice, unit=unit, client=client, lines=[line()])

    with pytest.raises(ValueError, match="issued"):
        pdf.render_pdf(draft)


# --- money and numbers in the document's language ------------------------------------------


def test_amounts_use_the_separators_of_the_document_language(alice, unit):
    client = make_client(alice, unit)
    lines = [line("Résidence", "2.5", "1000.3333")]
    fr_invoice = issued_invoice(alice, unit, client, lines, language="fr")
    en_invoice = issued_invoice(alice, unit, client, lines, language="en")

    fr_html = pdf.render_invoice_html(fr_invoice)
    en_html = pdf.render_invoice_html(en_invoice)

    # 2.5 × 1000.3333 = 2500.83325 → 2500.83 excl. VAT; + 525.17 VAT = 3026.00.
    assert fr_invoice.total == Decimal("3026.00")
    assert f"3{NBSP}026,00{NBSP}€" in fr_html
    assert ">2,5<" in fr_html and ">1\xa0000,3333<" in fr_html
    assert "€3,026.00" in en_html
    assert ">2.5<" in en_html and ">1,000.3333<" in en_html


def test_the_document_is_rendered_in_the_invoice_language(alice, unit):
    client = make_client(alice, unit)
    invoice = issued_invoice(alice, unit, client, [line()], language="nl")

    html = pdf.render_invoice_html(invoice)

    assert '<html lang="nl">' in html
    # Dutch number and date formats (catalogs for the words come later): € 121,00.
    assert f"€{NBSP}121,00" in html
    text = pdf_text(pdf.render_pdf(invoice))
    assert collapse(f"€{NBSP}121,00") in text
    with translation.override("nl"):
        dutch_date = formats.date_format(invoice.issue_date, "DATE_FORMAT")
    assert dutch_date in text


def test_a_document_without_a_known_language_uses_the_default_language():
    assert pdf.document_language(Invoice(language="")) == "fr"
    assert pdf.document_language(Invoice(language="xx")) == "fr"
    assert pdf.document_language(Invoice(language="de")) == "de"  # documents speak German
    assert pdf.document_language(Invoice(language="en")) == "en"


# --- personalisation ----------------------------------------------------------------------


def _png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_branding_puts_logo_colour_and_texts_and_keeps_legal_mentions(alice, unit, media_root):
    branding = InvoiceBranding(
        unit=unit,
        accent_color="#aa3300",
        texts={
            "fr": {
                "introduction": "Merci pour votre confiance.",
                "closing": "Au plaisir de vous retrouver sur scène.",
            }
        },
    )
    branding.logo.save("logo.png", ContentFile(_png_logo()), save=False)
    branding.full_clean()
    branding.save()
    invoice = build_case("belgian_company_21", alice, unit)

    html = pdf.render_invoice_html(invoice)
    content = pdf.render_pdf(invoice)

    assert "--accent: #aa3300;" in html
    text = pdf_text(content)
    assert "Merci pour votre confiance." in text
    assert "Au plaisir de vous retrouver sur scène." in text
    assert text.index("Merci pour votre confiance.") < text.index("Concert du 14 mars")
    assert text.index("Concert du 14 mars") < text.index("Au plaisir de vous retrouver")
    images = pdf_images(content)
    assert len(images) == 2  # the logo and the QR code
    assert any(image.size == (120, 40) for image in images)
    assert qr_count(content, invoice) == 1
    for mention in ("SmartCoop SC", "0450.010.021", "BE0450010021", "BE15 0682 1111 1130"):
        assert mention in text


def test_without_branding_the_default_colour_is_used_and_no_logo(alice, unit):
    invoice = build_case("belgian_company_21", alice, unit)

    html = pdf.render_invoice_html(invoice)

    assert f"--accent: {pdf.DEFAULT_ACCENT};" in html
    assert "data:image/png" in html  # the QR code only
    assert html.count("<img") == 1


def test_a_missing_logo_file_does_not_stop_the_document(alice, unit, media_root):
    branding = InvoiceBranding.objects.create(unit=unit, texts={"fr": {"closing": "À bientôt"}})
    InvoiceBranding.objects.filter(pk=branding.pk).update(logo="branding/gone.png")
    invoice = build_case("belgian_company_21", alice, unit)

    text = pdf_text(pdf.render_pdf(invoice))

    assert "À bientôt" in text
    assert invoice.display_number in text


def test_branding_texts_are_escaped(alice, unit):
    InvoiceBranding.objects.create(
        unit=unit, texts={"fr": {"introduction": "<b>bold</b> & <img src=x>"}}
    )
    invoice = build_case("belgian_company_21", alice, unit)

    html = pdf.render_invoice_html(invoice)

    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x&gt;" in html
    assert "<img src=x>" not in html


# --- stored once --------------------------------------------------------------------------


@pytest.fixture
def stub_ubl(monkeypatch):
    """The UBL is another module's business: a stub, whether or not it exists yet."""
    stub = types.ModuleType("invoicing.ubl")
    stub.build_ubl = lambda invoice: b"<Invoice/>"
    monkeypatch.setitem(sys.modules, "invoicing.ubl", stub)
    return stub


def test_documents_render_stores_the_pdf_once(alice, unit, media_root, stub_ubl, monkeypatch):
    invoice = build_case("belgian_company_21", alice, unit)
    calls = []
    real_render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda inv: calls.append(inv.pk) or real_render(inv))

    documents.invoice_documents_render(invoice=Invoice.objects.get(pk=invoice.pk))
    stored = Invoice.objects.get(pk=invoice.pk)
    first_name = stored.pdf.name
    first_bytes = (media_root / first_name).read_bytes()
    documents.invoice_documents_render(invoice=Invoice.objects.get(pk=invoice.pk))

    assert calls == [invoice.pk]
    again = Invoice.objects.get(pk=invoice.pk)
    assert again.pdf.name == first_name
    assert first_name.endswith(f"{invoice.display_number}.pdf")
    assert (media_root / first_name).read_bytes() == first_bytes
    assert len(list((media_root / "invoices" / "pdf").rglob("*.pdf"))) == 1
    assert invoice.display_number in pdf_text(first_bytes)


# --- the shared WeasyPrint helper ---------------------------------------------------------


def test_the_pdf_helper_reuses_one_font_configuration(alice, unit):
    smartcoop_pdf.render_html_to_pdf("<p>un</p>")
    first = smartcoop_pdf._font_config
    smartcoop_pdf.render_html_to_pdf("<p>deux</p>")

    assert first is not None
    assert smartcoop_pdf._font_config is first


def test_the_pdf_helper_never_fetches_network_resources(monkeypatch, tmp_path):
    refused = []
    real_fetch = smartcoop_pdf.URLFetcher.fetch

    def spy(self, url, *args, **kwargs):
        try:
            return real_fetch(self, url, *args, **kwargs)
        except ValueError as error:
            refused.append((url, str(error)))
            raise

    monkeypatch.setattr(smartcoop_pdf.URLFetcher, "fetch", spy)

    content = smartcoop_pdf.render_html_to_pdf(
        '<p>texte</p><img src="http://127.0.0.1:9/x.png">', base_url=str(tmp_path)
    )

    assert content.startswith(b"%PDF-")
    assert pdf_images(content) == []
    assert refused == [
        ("http://127.0.0.1:9/x.png", "URI uses disallowed protocol: http://127.0.0.1:9/x.png")
    ]


def test_issuing_stores_the_pdf_after_commit(
    alice, unit, media_root, stub_ubl, django_capture_on_commit_callbacks
):
    client = make_client(alice, unit)

    with django_capture_on_commit_callbacks(execute=True):
        invoice = issued_invoice(alice, unit, client, [line("Concert", "1", "900.00")])

    stored = Invoice.objects.get(pk=invoice.pk)
    assert stored.pdf.name.endswith(f"{invoice.display_number}.pdf")
    text = pdf_text((media_root / stored.pdf.name).read_bytes())
    assert invoice.display_number in text
    assert collapse(french_money(Decimal("1089.00"))) in text
