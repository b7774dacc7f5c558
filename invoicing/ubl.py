"""UBL 2.1 Invoice and CreditNote, Peppol BIS Billing 3.0, built from an issued document.

Everything comes from the frozen document: the seller and buyer snapshots taken at issue,
its lines and its totals; nothing is read from the live client or legal entity, so the
file of an invoice is the same whenever it is written. Amounts are Decimals written with
two decimals (BR-DEC-*); unit prices keep up to four (no rule limits them).
Every rule cited here is checked by tests/test_ubl_peppol.py against the official
artefacts (invoicing/peppol.py).
"""

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from core.money import cents, to_decimal

from .models import EXEMPT_CATEGORIES, Invoice
from .references import format_structured_reference
from .totals import saved_totals, subtotal_reasons

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

INVOICE_TYPE_CODE = "380"  # commercial invoice
CREDIT_NOTE_TYPE_CODE = "381"  # credit note
CREDIT_TRANSFER = "30"  # UNCL 4461

BELGIAN_ENTERPRISE = "0208"  # EAS / ICD: Belgian enterprise number (KBO/BCE)

# Peppol electronic address schemes (EAS) built on a VAT number, by VAT prefix: the
# value is the whole VAT number, prefix included.
VAT_ADDRESS_SCHEMES = {
    "AT": "9914", "BE": "9925", "BG": "9926", "CY": "9928", "CZ": "9929", "DE": "9930",
    "EE": "9931", "EL": "9933", "ES": "9920", "FR": "9957", "HR": "9934", "HU": "9910",
    "IE": "9935", "LT": "9937", "LU": "9938", "LV": "9939", "MT": "9943", "NL": "9944",
    "PL": "9945", "PT": "9946", "RO": "9947", "SI": "9949", "SK": "9950",
}  # fmt: skip

# The buyer has no Peppol address (a private person, a company outside the EU without a
# registered endpoint). Peppol still requires one (PEPPOL-EN16931-R010), from its own
# EAS list (PEPPOL-EN16931-CL008), which has no e-mail scheme: "EM" passes the EN 16931
# rule BR-CL-25 but is refused by Peppol. So the document names the all-zero Belgian
# enterprise number: its check digits are valid (PEPPOL-COMMON-R043) but the KBO never
# gives it to anyone, so it reads as "no address" and nothing can ever be routed to a
# stranger through it. Such documents travel by e-mail (the buyer's address is in
# cac:Contact): senders must use buyer_peppol_address(), which returns None for them.
NO_PEPPOL_ADDRESS = (BELGIAN_ENTERPRISE, "0000000097")


def peppol_address(party: dict) -> tuple[str, str] | None:
    """(EAS scheme, identifier) of a seller or buyer snapshot on Peppol, or None."""
    registered = party.get("peppol_endpoint") or party.get("peppol_id") or ""
    if ":" in registered:
        scheme, identifier = registered.split(":", 1)
        if scheme.strip() and identifier.strip():
            return scheme.strip(), identifier.strip()
    if party.get("enterprise_number"):
        return BELGIAN_ENTERPRISE, party["enterprise_number"]
    vat = (party.get("vat_number") or "").replace(" ", "").upper()
    if len(vat) < 4:
        return None
    prefix, digits = vat[:2], vat[2:]
    if prefix in VAT_ADDRESS_SCHEMES:
        return VAT_ADDRESS_SCHEMES[prefix], vat
    # Countries whose Peppol address is a national number the VAT number contains.
    if prefix == "IT":
        return "0211", digits  # Partita IVA
    if prefix == "DK":
        return "0184", digits  # CVR
    if prefix == "SE" and len(digits) == 12:
        return "0007", digits[:10]  # organisationsnummer
    if prefix == "FI":
        return "0216", f"0037{digits}"  # OVT code built on the business ID
    return None


def buyer_peppol_address(invoice: Invoice) -> tuple[str, str] | None:
    """Where Peppol can deliver this document, or None when it must go by e-mail."""
    return peppol_address(invoice.buyer)


# --- small writers -------------------------------------------------------------------


def _amount(value) -> str:
    return f"{cents(value):.2f}"


def _plain(value) -> str:
    """A decimal without exponent or trailing zeros: 3.000 → 3, 0.50 → 0.5."""
    text = format(to_decimal(value).normalize(), "f")
    return text if text != "-0" else "0"


def _price(value) -> str:
    value = to_decimal(value)
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else _plain(value)


class _Writer:
    """Appends UBL elements, never an empty one (PEPPOL-EN16931-R008)."""

    def __init__(self, currency: str):
        self.currency = currency

    def cbc(self, parent, name: str, value, **attrs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        element = etree.SubElement(parent, f"{{{NS_CBC}}}{name}", **attrs)
        element.text = text
        return element

    def cac(self, parent, name: str):
        return etree.SubElement(parent, f"{{{NS_CAC}}}{name}")

    def money(self, parent, name: str, value):
        return self.cbc(parent, name, _amount(value), currencyID=self.currency)


# --- parties -------------------------------------------------------------------------


def _address(w: _Writer, party_element, party: dict) -> None:
    address = w.cac(party_element, "PostalAddress")
    w.cbc(address, "StreetName", party.get("street"))
    w.cbc(address, "CityName", party.get("city"))
    w.cbc(address, "PostalZone", party.get("postal_code"))
    country = w.cac(address, "Country")
    w.cbc(country, "IdentificationCode", (party.get("country") or "BE").upper())


def _vat_scheme(w: _Writer, party_element, vat_number: str) -> None:
    tax_scheme = w.cac(party_element, "PartyTaxScheme")
    w.cbc(tax_scheme, "CompanyID", vat_number.replace(" ", "").upper())
    w.cbc(w.cac(tax_scheme, "TaxScheme"), "ID", "VAT")


def _seller(w: _Writer, root, invoice: Invoice, *, show_vat: bool) -> None:
    seller = invoice.seller
    party = w.cac(w.cac(root, "AccountingSupplierParty"), "Party")
    scheme, identifier = peppol_address(seller) or (
        BELGIAN_ENTERPRISE,
        seller["enterprise_number"],
    )
    w.cbc(party, "EndpointID", identifier, schemeID=scheme)
    if seller.get("enterprise_number"):
        identification = w.cac(party, "PartyIdentification")
        w.cbc(identification, "ID", seller["enterprise_number"], schemeID=BELGIAN_ENTERPRISE)
    w.cbc(w.cac(party, "PartyName"), "Name", seller.get("name"))
    _address(w, party, seller)
    if show_vat and seller.get("vat_number"):
        _vat_scheme(w, party, seller["vat_number"])
    legal = w.cac(party, "PartyLegalEntity")
    w.cbc(legal, "RegistrationName", seller.get("name"))
    if seller.get("enterprise_number"):
        w.cbc(legal, "CompanyID", seller["enterprise_number"], schemeID=BELGIAN_ENTERPRISE)


def _buyer(w: _Writer, root, invoice: Invoice, *, show_vat: bool) -> None:
    buyer = invoice.buyer
    party = w.cac(w.cac(root, "AccountingCustomerParty"), "Party")
    scheme, identifier = peppol_address(buyer) or NO_PEPPOL_ADDRESS
    w.cbc(party, "EndpointID", identifier, schemeID=scheme)
    enterprise_number = buyer.get("enterprise_number")
    if enterprise_number:
        identification = w.cac(party, "PartyIdentification")
        w.cbc(identification, "ID", enterprise_number, schemeID=BELGIAN_ENTERPRISE)
    w.cbc(w.cac(party, "PartyName"), "Name", buyer.get("name"))
    _address(w, party, buyer)
    if show_vat and buyer.get("vat_number"):
        _vat_scheme(w, party, buyer["vat_number"])
    legal = w.cac(party, "PartyLegalEntity")
    w.cbc(legal, "RegistrationName", buyer.get("name"))
    if enterprise_number:
        w.cbc(legal, "CompanyID", enterprise_number, schemeID=BELGIAN_ENTERPRISE)
    if buyer.get("email"):
        w.cbc(w.cac(party, "Contact"), "ElectronicMail", buyer["email"])


# --- VAT -----------------------------------------------------------------------------


def _tax_category(w: _Writer, parent, name: str, category: str, rate) -> object:
    element = w.cac(parent, name)
    w.cbc(element, "ID", category)
    if category != "O":  # BR-O-05: "not subject" carries no rate
        w.cbc(element, "Percent", _plain(rate))
    return element


def _breakdown(lines) -> list[dict]:
    """One VAT breakdown per (category, rate), in the order of the lines: the subtotals of
    totals.saved_totals (half up, to the cent, per group: BR-CO-17), as on the PDF."""
    return [
        {
            "category": subtotal.category,
            "rate": subtotal.rate,
            "taxable": subtotal.taxable,
            "vat": subtotal.vat,
            "reasons": subtotal_reasons(lines, subtotal),
        }
        for subtotal in saved_totals(lines).subtotals
    ]


def _tax_total(w: _Writer, root, invoice: Invoice, lines) -> None:
    tax_total = w.cac(root, "TaxTotal")
    w.money(tax_total, "TaxAmount", invoice.vat_total)
    for group in _breakdown(lines):
        subtotal = w.cac(tax_total, "TaxSubtotal")
        w.money(subtotal, "TaxableAmount", group["taxable"])
        w.money(subtotal, "TaxAmount", group["vat"])
        category = _tax_category(w, subtotal, "TaxCategory", group["category"], group["rate"])
        if group["category"] in EXEMPT_CATEGORIES:
            # BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10: a code or a text, we give both.
            codes = [r.code for r in group["reasons"] if r.code]
            w.cbc(category, "TaxExemptionReasonCode", codes[0] if codes else "")
            w.cbc(category, "TaxExemptionReason", "; ".join(r.text for r in group["reasons"]))
        w.cbc(w.cac(category, "TaxScheme"), "ID", "VAT")


# --- document ------------------------------------------------------------------------


def _payment(w: _Writer, root, invoice: Invoice) -> None:
    seller = invoice.seller
    means = w.cac(root, "PaymentMeans")
    w.cbc(means, "PaymentMeansCode", CREDIT_TRANSFER)
    w.cbc(means, "PaymentID", format_structured_reference(invoice.structured_reference))
    if seller.get("iban"):
        account = w.cac(means, "PayeeFinancialAccount")
        w.cbc(account, "ID", seller["iban"].replace(" ", "").upper())
        w.cbc(account, "Name", seller.get("name"))
        if seller.get("bic"):
            w.cbc(w.cac(account, "FinancialInstitutionBranch"), "ID", seller["bic"])


def _payment_terms(invoice: Invoice) -> str:
    credited = invoice.credited_invoice
    if invoice.kind == Invoice.Kind.CREDIT_NOTE and credited is not None:
        return _("Credit note on invoice %(number)s: set off against it or refunded.") % {
            "number": credited.display_number
        }
    if invoice.due_date is None:
        return _("Payable by bank transfer with the reference %(reference)s.") % {
            "reference": format_structured_reference(invoice.structured_reference),
        }
    return _("Payable by %(date)s by bank transfer with the reference %(reference)s.") % {
        "date": invoice.due_date.isoformat(),
        "reference": format_structured_reference(invoice.structured_reference),
    }


def _line(w: _Writer, root, line, *, is_credit: bool) -> None:
    element = w.cac(root, "CreditNoteLine" if is_credit else "InvoiceLine")
    w.cbc(element, "ID", line.position)
    w.cbc(
        element,
        "CreditedQuantity" if is_credit else "InvoicedQuantity",
        _plain(line.quantity),
        unitCode=line.unit_code,
    )
    w.money(element, "LineExtensionAmount", line.net_amount)
    item = w.cac(element, "Item")
    w.cbc(item, "Name", line.description)
    category = _tax_category(w, item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    w.cbc(w.cac(category, "TaxScheme"), "ID", "VAT")
    price = w.cac(element, "Price")
    w.cbc(price, "PriceAmount", _price(line.unit_price), currencyID=w.currency)


def _delivery(w: _Writer, root, invoice: Invoice, *, period, intra_eu: bool) -> None:
    """BT-72, the date of supply, when the document covers no period. An intra-EU supply
    also states when and where the goods went (BR-IC-11/12): the buyer's country. Documents
    issued before the date of supply was kept name one only for an intra-EU supply (their
    issue date), so that their file stays what it was."""
    supply_date = invoice.supply_date or (invoice.issue_date if intra_eu else None)
    if (period is not None or supply_date is None) and not intra_eu:
        return
    delivery = w.cac(root, "Delivery")
    if period is None and supply_date is not None:
        w.cbc(delivery, "ActualDeliveryDate", supply_date.isoformat())
    if intra_eu:
        location = w.cac(w.cac(delivery, "DeliveryLocation"), "Address")
        country = w.cac(location, "Country")
        w.cbc(country, "IdentificationCode", (invoice.buyer.get("country") or "").upper())


def build_ubl(invoice: Invoice) -> bytes:
    """The Peppol BIS Billing 3.0 UBL of an issued invoice or credit note (UTF-8 bytes).

    Raises ValueError for a document that is not issued.
    """
    if not invoice.is_issued or invoice.issue_date is None:
        raise ValueError("Only an issued document has a UBL file.")
    issue_date = invoice.issue_date
    is_credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
    # .all() so that a caller writing many documents can prefetch the lines and reasons.
    lines = sorted(invoice.lines.all(), key=lambda line: line.position)
    categories = {line.vat_category for line in lines}
    # BR-O-02: a document with "not subject to VAT" lines names no VAT identifier; the
    # seller's enterprise number stays as its legal registration (BT-30).
    show_vat = "O" not in categories
    w = _Writer(invoice.currency)
    namespace = NS_CREDIT_NOTE if is_credit else NS_INVOICE
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if is_credit else 'Invoice'}",
        nsmap={None: namespace, "cac": NS_CAC, "cbc": NS_CBC},
    )
    # Element order is the UBL 2.1 schema's (Invoice and CreditNote differ a little).
    w.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    w.cbc(root, "ProfileID", PROFILE_ID)
    w.cbc(root, "ID", invoice.display_number)
    w.cbc(root, "IssueDate", issue_date.isoformat())
    if is_credit:
        w.cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE_CODE)
    else:
        w.cbc(root, "DueDate", invoice.due_date.isoformat() if invoice.due_date else "")
        w.cbc(root, "InvoiceTypeCode", INVOICE_TYPE_CODE)
    w.cbc(root, "Note", invoice.note)  # at most one (PEPPOL-EN16931-R002)
    w.cbc(root, "DocumentCurrencyCode", invoice.currency)
    # PEPPOL-EN16931-R003 wants a buyer reference or an order reference: when the buyer
    # gave neither, our document number is the reference they will find it by.
    w.cbc(
        root,
        "BuyerReference",
        invoice.buyer_reference or invoice.order_reference or invoice.display_number,
    )
    period = invoice.supply_period
    if period is not None:
        # BG-14: the service period the document covers (BR-29: its end is not before its start).
        invoice_period = w.cac(root, "InvoicePeriod")
        w.cbc(invoice_period, "StartDate", period[0].isoformat())
        w.cbc(invoice_period, "EndDate", period[1].isoformat())
    if invoice.order_reference:
        w.cbc(w.cac(root, "OrderReference"), "ID", invoice.order_reference)
    credited = invoice.credited_invoice
    if is_credit and credited is not None and credited.issue_date is not None:
        reference = w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference")
        w.cbc(reference, "ID", credited.display_number)
        w.cbc(reference, "IssueDate", credited.issue_date.isoformat())
    _seller(w, root, invoice, show_vat=show_vat)
    _buyer(w, root, invoice, show_vat=show_vat)
    _delivery(w, root, invoice, period=period, intra_eu="K" in categories)
    if not is_credit:
        _payment(w, root, invoice)
    with translation.override(invoice.language or settings.LANGUAGE_CODE):
        # BR-CO-25: a positive amount due needs a due date or payment terms.
        w.cbc(w.cac(root, "PaymentTerms"), "Note", _payment_terms(invoice))
    _tax_total(w, root, invoice, lines)
    totals = w.cac(root, "LegalMonetaryTotal")
    w.money(totals, "LineExtensionAmount", sum((ln.net_amount for ln in lines), Decimal("0")))
    w.money(totals, "TaxExclusiveAmount", invoice.net_total)
    w.money(totals, "TaxInclusiveAmount", invoice.total)
    w.money(totals, "PayableAmount", invoice.total)
    for line in lines:
        _line(w, root, line, is_credit=is_credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
