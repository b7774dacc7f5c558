"""Every UBL the platform writes passes the UBL 2.1 schema, the EN 16931 rules and the
Peppol BIS Billing 3.0 rules, as published (settings.PEPPOL_RULES_DIR).

The harness is proved first: the official examples pass it and a known-bad mutation fails
it. Then one document per case of the invoicing issue is issued through the services and
validated. The stylesheets are compiled once for the whole module (peppol_rules).
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from invoicing import peppol
from invoicing.invoice_services import credit_note_create, invoice_issue
from invoicing.models import Client, Invoice
from invoicing.references import format_structured_reference
from invoicing.ubl import NO_PEPPOL_ADDRESS, build_ubl, buyer_peppol_address, peppol_address
from tests.invoicing_helpers import issued_invoice, line, make_client

RULES_DIR = Path(settings.PEPPOL_RULES_DIR)
# Without the folder, one placeholder keeps the test so that peppol_rules skips it, saying why.
OFFICIAL_EXAMPLES = sorted(RULES_DIR.glob("*.xml")) or [RULES_DIR / "base-example.xml"]


NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@pytest.fixture(scope="module")
def peppol_rules():
    """Compile the schemas and the two stylesheets once for the module.

    Skips only when PEPPOL_RULES_DIR is missing (it is there in development and CI); a
    folder without the artefacts, or saxonche missing, fails loudly instead.
    """
    if not RULES_DIR.is_dir():
        pytest.skip(f"No Peppol validation artefacts: PEPPOL_RULES_DIR ({RULES_DIR}) is absent.")
    peppol.warm_up()


def assert_valid(xml: bytes) -> None:
    errors = peppol.validate_ubl(xml)
    assert errors == [], "\n".join(str(error) for error in errors) + "\n" + xml.decode()


def values(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NS)]


def value(xml: bytes, path: str) -> str:
    found = values(xml, path)
    assert len(found) == 1, f"{path}: {found}"
    return found[0]


# --- the harness ---------------------------------------------------------------------


def test_the_official_examples_are_there(peppol_rules):
    names = {path.name for path in OFFICIAL_EXAMPLES}
    assert {"base-example.xml", "base-creditnote-correction.xml"} <= names


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES, ids=lambda path: path.name)
def test_the_official_examples_pass_the_harness(peppol_rules, example):
    assert_valid(example.read_bytes())


def test_the_harness_fails_an_invoice_without_buyer_reference(peppol_rules):
    xml = (RULES_DIR / "base-example.xml").read_bytes()
    doc = etree.fromstring(xml)
    (reference,) = doc.xpath("cbc:BuyerReference", namespaces=NS)
    doc.remove(reference)
    errors = peppol.validate_ubl(etree.tostring(doc))
    assert [error.rule for error in errors] == ["PEPPOL-EN16931-R003"]
    assert errors[0].text == "A buyer reference or purchase order reference MUST be provided."
    assert errors[0].location.endswith("Invoice-2'][1]")


def test_the_harness_fails_totals_that_do_not_add_up(peppol_rules):
    doc = etree.fromstring((RULES_DIR / "base-example.xml").read_bytes())
    (payable,) = doc.xpath("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
    payable.text = "1656.26"
    errors = peppol.validate_ubl(etree.tostring(doc))
    assert [error.rule for error in errors] == ["BR-CO-16"]
    assert errors[0].text.startswith("Amount due for payment (BT-115)")


def test_the_harness_fails_elements_out_of_schema_order(peppol_rules):
    doc = etree.fromstring((RULES_DIR / "base-example.xml").read_bytes())
    (due_date,) = doc.xpath("cbc:DueDate", namespaces=NS)
    doc.remove(due_date)
    doc.xpath("cbc:InvoiceTypeCode", namespaces=NS)[0].addnext(due_date)
    errors = peppol.validate_ubl(etree.tostring(doc))
    assert [error.rule for error in errors] == ["XSD"]
    assert "DueDate" in errors[0].text


def test_a_document_that_breaks_the_rules_expressions_is_reported_not_raised(peppol_rules):
    doc = etree.fromstring((RULES_DIR / "base-example.xml").read_bytes())
    (issue_date,) = doc.xpath("cbc:IssueDate", namespaces=NS)
    issue_date.addnext(etree.fromstring(etree.tostring(issue_date)))  # two IssueDate
    rules = {error.rule for error in peppol.validate_ubl(etree.tostring(doc))}
    assert {"XSD", "CEN-EN16931-UBL.xslt"} <= rules


def test_the_harness_reports_warnings_apart_from_errors(peppol_rules):
    xml = (RULES_DIR / "base-example.xml").read_bytes()
    doc = etree.fromstring(xml)
    # An Italian fiscal code in the wrong format is only a warning (PEPPOL-COMMON-R045).
    (party_id,) = doc.xpath(
        "cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", namespaces=NS
    )
    party_id.set("schemeID", "0210")
    report = peppol.validate_report(etree.tostring(doc))
    assert report.errors == []
    assert [warning.rule for warning in report.warnings] == ["PEPPOL-COMMON-R045"]


def test_malformed_xml_is_an_error_not_a_crash(peppol_rules):
    errors = peppol.validate_ubl(b"<Invoice><unclosed></Invoice>")
    assert [error.rule for error in errors] == ["XML"]


def test_a_document_with_a_doctype_is_refused(peppol_rules, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    xml = (RULES_DIR / "base-example.xml").read_text(encoding="utf-8")
    xml = xml.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "{secret}">]>',
    ).replace("<cbc:BuyerReference>0150abc", "<cbc:BuyerReference>&x;")
    errors = peppol.validate_ubl(xml.encode())
    assert [error.rule for error in errors] == ["XML"]
    assert "s3cret" not in str(errors)


def test_a_document_in_another_encoding_is_validated(peppol_rules):
    xml = (RULES_DIR / "base-example.xml").read_text(encoding="utf-8")
    xml = xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(
        "Lisa Johnson", "Lisa Jönsson"
    )
    assert peppol.validate_ubl(xml.encode("iso-8859-1")) == []


# --- the documents the platform writes ------------------------------------------------


@pytest.fixture
def belgian_company(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


def issue(alice, unit, client, lines, **fields):
    return issued_invoice(alice, unit, client, lines, **fields)


def test_belgian_company_at_21_percent(peppol_rules, alice, alice_3en1, belgian_company):
    invoice = issue(
        alice,
        alice_3en1,
        belgian_company,
        [line("Concert du 14 mars", quantity="1", unit_price="1250.00")],
        order_reference="PO-2026-17",
        note="Merci pour votre confiance.",
    )
    xml = build_ubl(invoice)
    assert_valid(xml)
    assert value(xml, "/*/cbc:ID/text()") == invoice.display_number
    assert value(xml, "/*/cbc:InvoiceTypeCode/text()") == "380"
    assert value(xml, "/*/cbc:DueDate/text()") == invoice.due_date.isoformat()
    assert value(xml, "/*/cac:OrderReference/cbc:ID/text()") == "PO-2026-17"
    buyer = "/*/cac:AccountingCustomerParty/cac:Party"
    assert value(xml, f"{buyer}/cbc:EndpointID/@schemeID") == "0208"
    assert value(xml, f"{buyer}/cbc:EndpointID/text()") == "0403170701"
    seller = "/*/cac:AccountingSupplierParty/cac:Party"
    assert value(xml, f"{seller}/cbc:EndpointID/text()") == invoice.seller["enterprise_number"]
    assert (
        value(xml, f"{seller}/cac:PartyTaxScheme/cbc:CompanyID/text()")
        == (invoice.seller["vat_number"])
    )
    assert value(xml, "/*/cac:PaymentMeans/cbc:PaymentMeansCode/text()") == "30"
    assert value(xml, "/*/cac:PaymentMeans/cbc:PaymentID/text()") == (
        format_structured_reference(invoice.structured_reference)
    )
    assert (
        value(xml, "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID/text()")
        == (invoice.seller["iban"])
    )
    assert value(xml, "/*/cac:TaxTotal/cbc:TaxAmount/text()") == "262.50"
    assert Decimal(value(xml, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()")) == (
        invoice.total
    )
    assert invoice.total == Decimal("1512.50")


def test_several_vat_rates_on_one_invoice(peppol_rules, alice, alice_3en1, belgian_company):
    invoice = issue(
        alice,
        alice_3en1,
        belgian_company,
        [
            line("Prestation", quantity="2", unit_price="150.00", rate="21"),
            line("Restauration", quantity="3", unit_price="18.50", rate="12"),
            line("Livres", quantity="4", unit_price="12.99", rate="6"),
            line("Journal", quantity="1", unit_price="3.20", category="Z", rate="0"),
            line("Prestation bis", quantity="1", unit_price="49.99", rate="21"),
        ],
    )
    xml = build_ubl(invoice)
    assert_valid(xml)
    subtotal = "/*/cac:TaxTotal/cac:TaxSubtotal"
    assert values(xml, f"{subtotal}/cac:TaxCategory/cbc:ID/text()") == ["S", "S", "S", "Z"]
    assert values(xml, f"{subtotal}/cac:TaxCategory/cbc:Percent/text()") == ["21", "12", "6", "0"]
    assert values(xml, f"{subtotal}/cbc:TaxableAmount/text()") == [
        "349.99",
        "55.50",
        "51.96",
        "3.20",
    ]
    assert Decimal(value(xml, "/*/cac:TaxTotal/cbc:TaxAmount/text()")) == invoice.vat_total


def test_art_44_exempt_service(peppol_rules, alice, alice_3en1, claire):
    organiser = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        kind=Client.Kind.NON_PROFIT,
        name="Festival des Arts asbl",
        enterprise_number="0896755397",
    )
    invoice = issue(
        alice,
        alice_3en1,
        organiser,
        [line("Représentation artistique", unit_price="800.00", category="E", rate="0")],
    )
    xml = build_ubl(invoice)
    assert_valid(xml)
    category = "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
    assert value(xml, f"{category}/cbc:ID/text()") == "E"
    assert "article 44" in value(xml, f"{category}/cbc:TaxExemptionReason/text()")
    assert invoice.total == Decimal("800.00")


def test_reverse_charge_for_a_company_in_france(peppol_rules, alice, alice_3en1, claire):
    french = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        name="Théâtre de Lille SARL",
        country="FR",
        enterprise_number="",
        vat_number="FR40303265045",
        street="Rue Nationale 1",
        postal_code="59000",
        city="Lille",
    )
    invoice = issue(
        alice,
        alice_3en1,
        french,
        [line("Mise en scène", "5", unit_code="DAY", unit_price="420.00", category="AE", rate="0")],
    )
    xml = build_ubl(invoice)
    assert_valid(xml)
    buyer = "/*/cac:AccountingCustomerParty/cac:Party"
    assert value(xml, f"{buyer}/cbc:EndpointID/@schemeID") == "9957"
    assert value(xml, f"{buyer}/cac:PartyTaxScheme/cbc:CompanyID/text()") == "FR40303265045"
    category = "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
    assert value(xml, f"{category}/cbc:TaxExemptionReasonCode/text()") == "VATEX-EU-AE"
    assert value(xml, "/*/cac:TaxTotal/cbc:TaxAmount/text()") == "0.00"


@pytest.fixture
def american_company(alice, alice_3en1, claire):
    return make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        name="Blue Note Records Inc.",
        country="US",
        enterprise_number="",
        street="1 Broadway",
        postal_code="10004",
        city="New York",
        email="billing@bluenote.test",
    )


def test_service_to_a_client_outside_the_eu(peppol_rules, alice, alice_3en1, american_company):
    invoice = issue(
        alice,
        alice_3en1,
        american_company,
        [line("Arrangements", "12", unit_code="HUR", unit_price="65.00", category="O", rate="0")],
    )
    xml = build_ubl(invoice)
    assert_valid(xml)
    # BR-O-02: no VAT identifier at all; the seller stays identified by its enterprise number.
    assert values(xml, "//cac:PartyTaxScheme") == []
    seller = "/*/cac:AccountingSupplierParty/cac:Party"
    assert (
        value(xml, f"{seller}/cac:PartyLegalEntity/cbc:CompanyID/text()")
        == (invoice.seller["enterprise_number"])
    )
    assert values(xml, "//cac:ClassifiedTaxCategory/cbc:Percent") == []
    assert buyer_peppol_address(invoice) is None


def test_export_of_goods_outside_the_eu(peppol_rules, alice, alice_3en1, american_company):
    invoice = issue(
        alice,
        alice_3en1,
        american_company,
        [line("Sérigraphies", quantity="10", unit_price="35.00", category="G", rate="0")],
    )
    assert_valid(build_ubl(invoice))


def test_intra_eu_supply_of_goods(peppol_rules, alice, alice_3en1, claire):
    german = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        name="Galerie Berlin GmbH",
        country="DE",
        enterprise_number="",
        vat_number="DE136695976",
        street="Torstraße 1",
        postal_code="10119",
        city="Berlin",
    )
    invoice = issue(
        alice,
        alice_3en1,
        german,
        [line("Tirages d'art", quantity="3", unit_price="240.00", category="K", rate="0")],
    )
    xml = build_ubl(invoice)
    assert_valid(xml)
    assert value(xml, "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID") == (
        "9930"
    )
    country = "/*/cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country"
    assert value(xml, f"{country}/cbc:IdentificationCode/text()") == "DE"


def test_private_person_in_belgium(peppol_rules, alice, alice_3en1, claire):
    person = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        kind=Client.Kind.PERSON,
        name="Jeanne Dupont",
        enterprise_number="",
        email="jeanne@example.test",
    )
    invoice = issue(
        alice,
        alice_3en1,
        person,
        [line("Cours de chant", quantity="4", unit_code="HUR", unit_price="45.00", rate="21")],
    )
    xml = build_ubl(invoice)
    assert_valid(xml)
    buyer = "/*/cac:AccountingCustomerParty/cac:Party"
    assert (
        value(xml, f"{buyer}/cbc:EndpointID/@schemeID"),
        value(xml, f"{buyer}/cbc:EndpointID/text()"),
    ) == NO_PEPPOL_ADDRESS
    assert value(xml, f"{buyer}/cac:Contact/cbc:ElectronicMail/text()") == "jeanne@example.test"
    assert values(xml, f"{buyer}/cac:PartyLegalEntity/cbc:CompanyID") == []
    assert buyer_peppol_address(invoice) is None
    # The buyer reference falls back to our number (PEPPOL-EN16931-R003).
    assert value(xml, "/*/cbc:BuyerReference/text()") == invoice.display_number


def test_full_credit_note(peppol_rules, alice, alice_3en1, belgian_company):
    invoice = issue(
        alice,
        alice_3en1,
        belgian_company,
        [
            line("Prestation", quantity="2", unit_price="300.00"),
            line("Livret", quantity="10", unit_price="7.50", rate="6"),
        ],
        buyer_reference="DEP-CULTURE-42",
    )
    credit = invoice_issue(
        invoice=credit_note_create(invoice=invoice, by=alice, note="Annulation du concert."),
        by=alice,
    )
    xml = build_ubl(credit)
    assert_valid(xml)
    root = etree.fromstring(xml)
    assert etree.QName(root).localname == "CreditNote"
    assert value(xml, "/*/cbc:CreditNoteTypeCode/text()") == "381"
    assert value(xml, "/*/cbc:BuyerReference/text()") == "DEP-CULTURE-42"
    reference = "/*/cac:BillingReference/cac:InvoiceDocumentReference"
    assert value(xml, f"{reference}/cbc:ID/text()") == invoice.display_number
    assert value(xml, f"{reference}/cbc:IssueDate/text()") == invoice.issue_date.isoformat()
    assert values(xml, "//cac:CreditNoteLine/cbc:CreditedQuantity/text()") == ["2", "10"]
    assert Decimal(value(xml, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()")) == (
        invoice.total
    )
    assert credit.total == invoice.total


def test_partial_credit_note(peppol_rules, alice, alice_3en1, belgian_company):
    invoice = issue(
        alice,
        alice_3en1,
        belgian_company,
        [line("Atelier", quantity="3", unit_code="DAY", unit_price="350.00")],
    )
    credit = invoice_issue(
        invoice=credit_note_create(
            invoice=invoice,
            by=alice,
            lines=[line("Atelier annulé", quantity="1", unit_code="DAY", unit_price="350.00")],
        ),
        by=alice,
    )
    xml = build_ubl(credit)
    assert_valid(xml)
    assert credit.total == Decimal("423.50")
    assert value(xml, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "423.50"


ROUNDING_LINES = [
    ("3", "0.333", "21"),
    ("7", "0.1429", "21"),
    ("1.5", "0.3333", "6"),
    ("0.333", "2.9999", "12"),
    ("11", "0.0045", "21"),
    ("1", "0.005", "6"),
    ("2.5", "19.995", "12"),
    ("0.125", "0.0400", "21"),
    ("999.999", "0.0001", "6"),
]


def test_rounding_sensitive_amounts(peppol_rules, alice, alice_3en1, belgian_company):
    lines = [
        line(f"Ligne {n}", quantity=quantity, unit_price=price, rate=rate)
        for n, (quantity, price, rate) in enumerate(ROUNDING_LINES, start=1)
    ]
    # Plus 40 lines at sevenths of a euro: every line and group rounds.
    for n in range(1, 41):
        price = (Decimal(n) / 7).quantize(Decimal("0.0001"))
        lines.append(line(f"Septième {n}", quantity=f"{n}.5", unit_price=str(price), rate="21"))
    invoice = issue(alice, alice_3en1, belgian_company, lines)
    xml = build_ubl(invoice)
    assert_valid(xml)
    assert Decimal(value(xml, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()")) == (
        invoice.total
    )
    prices = values(xml, "//cac:InvoiceLine/cac:Price/cbc:PriceAmount/text()")
    assert prices[:3] == ["0.333", "0.1429", "0.3333"]
    for amount in values(xml, "//cbc:TaxableAmount/text() | //cbc:TaxAmount/text()"):
        assert len(amount.split(".")[1]) == 2


def test_building_a_draft_is_refused(alice, alice_3en1, belgian_company):
    from invoicing.invoice_services import invoice_create

    draft = invoice_create(by=alice, unit=alice_3en1, client=belgian_company, lines=[line()])
    with pytest.raises(ValueError, match="issued"):
        build_ubl(draft)
    assert Invoice.objects.get(pk=draft.pk).status == Invoice.Status.DRAFT


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        ({"peppol_endpoint": "0088:5790000435968"}, ("0088", "5790000435968")),
        ({"enterprise_number": "0403170701"}, ("0208", "0403170701")),
        ({"vat_number": "NL004495445B01"}, ("9944", "NL004495445B01")),
        ({"vat_number": "IT00743110157"}, ("0211", "00743110157")),
        ({"vat_number": "DK13585628"}, ("0184", "13585628")),
        ({"name": "Jeanne Dupont", "email": "jeanne@example.test"}, None),
    ],
)
def test_peppol_address_of_a_party(party, expected):
    assert peppol_address(party) == expected
