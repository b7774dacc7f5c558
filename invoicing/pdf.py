"""The PDF of an issued invoice or credit note, and the preview of a unit's layout.

Everything printed comes from the document as frozen at issue (seller and buyer
snapshots, lines, totals, and the unit's presentation: layout, colour, logo, texts in the
document's language). Documents issued before presentations were frozen read the unit's
personalisation live. No layout can hide the cooperative's legal mentions: they are
printed by the parts every layout shares (tests/invoicing/test_invoice_layouts.py).
"""

import base64
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from segno import helpers

from core.money import to_decimal
from core.pdf import render_html_to_pdf
from core.validators import format_enterprise_number, format_iban
from production_units.models import ProductionUnit

from .languages import first_language
from .models import (
    EXEMPT_CATEGORIES,
    Invoice,
    InvoiceBranding,
    InvoiceLayout,
    Quote,
    VatCategory,
)
from .presentation import DEFAULT_ACCENT, presentation_of
from .references import format_structured_reference
from .totals import saved_totals, subtotal_reasons

logger = logging.getLogger(__name__)

TEMPLATE = "invoicing/pdf/invoice.html"
TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "invoicing" / "pdf"
ACCENT_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_LOGO_BYTES = 2 * 1024 * 1024
THREE_IN_ONE = str(ProductionUnit.Tool.THREE_IN_ONE)
# Pixels per QR module: crisp when printed even by viewers that smooth images.
QR_SCALE = 4
EPC_MAX_NAME = 70

# The legal form spelled out, recognised from the end of the entity's name.
LEGAL_FORMS = {
    "sc": gettext_lazy("cooperative company"),
    "scrl": gettext_lazy("cooperative company"),
    "cv": gettext_lazy("cooperative company"),
    "asbl": gettext_lazy("non-profit association"),
    "vzw": gettext_lazy("non-profit association"),
}


@dataclass
class VatRow:
    """One line of the VAT breakdown: a (category, rate) group and its legal reasons."""

    category: str
    label: str
    rate: Decimal
    rate_label: str
    taxable: Decimal
    vat: Decimal
    reasons: list[str] = field(default_factory=list)

    @property
    def is_exempt(self) -> bool:
        return self.category in EXEMPT_CATEGORIES


def render_pdf(invoice: Invoice) -> bytes:
    """The PDF of an issued document, as bytes."""
    return render_html_to_pdf(render_invoice_html(invoice), base_url=str(TEMPLATE_DIR))


def render_invoice_html(invoice: Invoice) -> str:
    """The HTML given to WeasyPrint, in the document's language. Raises ValueError when
    the document is not issued or its lines don't add up to its frozen totals."""
    if not invoice.is_issued:
        raise ValueError("Only an issued document has a PDF.")
    invoice = (
        Invoice.objects.select_related("series", "credited_invoice__series")
        .prefetch_related("lines__exemption_reason")
        .get(pk=invoice.pk)
    )
    language = document_language(invoice)
    presentation = invoice.presentation or presentation_of(
        InvoiceBranding.objects.filter(unit_id=invoice.unit_id).first(), language
    )
    lines = sorted(invoice.lines.all(), key=lambda ln: ln.position)
    logo = logo_data_uri_of(presentation.get("logo", ""), unit_id=invoice.unit_id)
    with translation.override(language):
        return render_to_string(
            TEMPLATE, _context(invoice, lines, language, presentation, logo=logo)
        )


def document_language(invoice: Invoice) -> str:
    """The language the document is written in (a document language), else French."""
    return first_language(invoice.language)


def render_preview_pdf(
    *, invoice: Invoice, lines: list[Any], language: str, presentation: dict, logo: str
) -> bytes:
    """A specimen (an unsaved document, marked as such) in a unit's unsaved presentation."""
    language = first_language(language)
    with translation.override(language):
        html = render_to_string(
            TEMPLATE, _context(invoice, lines, language, presentation, logo=logo, preview=True)
        )
    return render_html_to_pdf(html, base_url=str(TEMPLATE_DIR))


def layout_of(presentation: dict) -> str:
    layout = presentation.get("layout", "")
    return layout if layout in InvoiceLayout.values else InvoiceLayout.CLASSIC.value


def _context(
    invoice: Invoice,
    lines: list[Any],
    language: str,
    presentation: dict,
    *,
    logo: str,
    preview: bool = False,
) -> dict:
    is_credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    seller = invoice.seller
    return {
        "invoice": invoice,
        "preview": preview,
        "layout": layout_of(presentation),
        "language": language,
        "is_credit_note": is_credit_note,
        "title": _("Credit note") if is_credit_note else _("Invoice"),
        "credited": invoice.credited_invoice,
        "seller": seller,
        "unit_by_name": is_named_unit(seller),
        "supply_period": invoice.supply_period,
        "supply_date": invoice.supply_date,
        "seller_legal_form": legal_form(seller.get("name", "")),
        "seller_enterprise_number": format_enterprise_number(seller.get("enterprise_number", "")),
        "seller_iban": format_iban(seller.get("iban", "")),
        "buyer": invoice.buyer,
        "buyer_enterprise_number": format_enterprise_number(
            invoice.buyer.get("enterprise_number", "")
        ),
        "lines": [_line_row(line) for line in lines],
        "vat_rows": vat_breakdown(invoice, lines),
        "structured_reference": format_structured_reference(invoice.structured_reference),
        "qr_code": "" if is_credit_note or preview else epc_qr_data_uri(invoice),
        "accent": accent_of(presentation.get("accent", "")),
        "logo": logo,
        "introduction": presentation.get("introduction", ""),
        "closing": presentation.get("closing", ""),
    }


def is_named_unit(seller: dict) -> bool:
    """A 3en1 unit is the member's own work: the documents name it, not its code under the
    word "Activity" (the other kind of unit). Snapshots from before the unit's tool was
    kept print as they did."""
    return seller.get("unit_tool") == THREE_IN_ONE and bool(seller.get("unit_name"))


def legal_form(name: str) -> str:
    """'SmartCoop SC' → 'cooperative company' (translated); '' when the name says nothing."""
    last_word = name.strip().rsplit(" ", 1)[-1].strip(".").lower() if name.strip() else ""
    form = LEGAL_FORMS.get(last_word)
    return str(form) if form else ""


def format_number(value, *, min_decimals: int = 0, max_decimals: int = 4) -> str:
    """A quantity or a unit price with the decimals it needs, in the active locale."""
    value = to_decimal(value)
    exponent = value.normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    decimals = max(min_decimals, min(needed, max_decimals))
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _line_row(line) -> dict:
    return {
        "description": line.description,
        "quantity": format_number(line.quantity, max_decimals=3),
        "unit": line.get_unit_code_display(),
        "unit_price": format_number(line.unit_price, min_decimals=2),
        "vat": _vat_label(line.vat_category, line.vat_rate),
        "net_amount": format_number(line.net_amount, min_decimals=2, max_decimals=2),
    }


def _vat_label(category: str, rate) -> str:
    percent = format_number(rate, max_decimals=2) + "\u00a0%"
    return f"{percent} {category}" if category in EXEMPT_CATEGORIES else percent


def vat_breakdown(invoice: Invoice | Quote, lines: list[Any]) -> list[VatRow]:
    """Taxable amount and VAT per (category, rate), recomputed from the frozen lines with
    the same arithmetic as at issue; the exemption reasons of each group's lines."""
    totals = saved_totals(lines)
    if totals.net_total != invoice.net_total or totals.vat_total != invoice.vat_total:
        raise ValueError(
            f"{invoice}: the lines give {totals.net_total} + {totals.vat_total} "
            f"VAT, the document says {invoice.net_total} + {invoice.vat_total}."
        )
    labels = dict(VatCategory.choices)
    rows = []
    for subtotal in totals.subtotals:
        reasons = list(dict.fromkeys(r.text for r in subtotal_reasons(lines, subtotal)))
        rows.append(
            VatRow(
                category=subtotal.category,
                label=str(labels.get(subtotal.category, subtotal.category)),
                rate=subtotal.rate,
                rate_label=format_number(subtotal.rate, max_decimals=2) + "\u00a0%",
                taxable=subtotal.taxable,
                vat=subtotal.vat,
                reasons=reasons,
            )
        )
    return rows


def epc_qr_data_uri(invoice: Invoice) -> str:
    """The EPC (SEPA credit transfer) QR code as a PNG data URI; '' when there is nothing
    to pay or no account to pay to.

    The Belgian structured communication is not an ISO 11649 (RF) creditor reference,
    which is all the EPC "reference" field accepts, so it goes in the remittance text,
    where Belgian banking apps read it.
    """
    iban = invoice.seller.get("iban", "")
    reference = format_structured_reference(invoice.structured_reference)
    if not iban or not reference or invoice.total < Decimal("0.01"):
        return ""
    qr = helpers.make_epc_qr(
        name=invoice.seller.get("name", "")[:EPC_MAX_NAME],
        iban=iban,
        amount=invoice.total,
        text=reference,
        bic=invoice.seller.get("bic") or None,
    )
    return qr.png_data_uri(scale=QR_SCALE, border=4)


def accent_of(colour: str) -> str:
    return colour if colour and ACCENT_RE.match(colour) else DEFAULT_ACCENT


def _accent(branding: InvoiceBranding | None) -> str:
    return accent_of(branding.accent_color if branding else "")


def logo_data_uri(branding: InvoiceBranding | None) -> str:
    """The unit's logo inlined (whatever the storage); '' when absent or unusable, so a
    broken logo never stops a legal document."""
    if branding is None or not branding.logo:
        return ""
    return logo_data_uri_of(branding.logo.name or "", unit_id=branding.unit_id)


def logo_data_uri_of(name: str, *, unit_id: int | None = None) -> str:
    """A stored logo file (its name in the logos' storage) inlined; '' when absent or
    unusable."""
    if not name:
        return ""
    storage = InvoiceBranding._meta.get_field("logo").storage
    try:
        with storage.open(name, "rb") as file:
            data = file.read(MAX_LOGO_BYTES + 1)
    except (OSError, ValueError):
        logger.warning("Logo of unit %s unreadable: left out of the PDF", unit_id)
        return ""
    return logo_bytes_data_uri(name, data)


def logo_bytes_data_uri(name: str, data: bytes) -> str:
    """An image's bytes inlined, its type told by its name; '' when not an accepted type."""
    mime = mimetypes.guess_type(name or "")[0]
    if mime not in LOGO_TYPES or len(data) > MAX_LOGO_BYTES:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
