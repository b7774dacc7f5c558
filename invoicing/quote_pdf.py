"""The PDF of a quote (devis). Same layout and legal mentions as the invoices
(invoicing/pdf.py). Stored once per content: a quote may change while it is a draft, so the
file is named after a hash of the HTML it is made from, and rendered again when that changes."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.pdf import render_html_to_pdf
from core.validators import format_enterprise_number, format_iban
from production_units.models import ProductionUnit

from .languages import first_language
from .models import InvoiceBranding, Quote
from .pdf import (
    TEMPLATE_DIR,
    _line_row,
    accent_of,
    layout_of,
    legal_form,
    logo_data_uri_of,
    vat_breakdown,
)
from .presentation import presentation_of

TEMPLATE = "invoicing/pdf/quote.html"


def render_quote_pdf(quote: Quote) -> bytes:
    return render_html_to_pdf(render_quote_html(quote), base_url=str(TEMPLATE_DIR))


def quote_pdf_render(*, quote: Quote) -> bytes:
    """The quote's PDF: the stored one while what it shows is unchanged, else rendered (once,
    whoever asks at the same time: the quote row is locked while it is written) and stored in
    place of the old one.

    What it shows is the HTML it is made from (lines, client, unit, branding, language):
    laying it out is the slow part (seconds for 500 lines), not writing the HTML.
    """
    html = render_quote_html(quote)
    digest = hashlib.sha256(html.encode()).hexdigest()[:20]
    stored = _stored(Quote.objects.get(pk=quote.pk), digest)
    if stored is not None:
        return stored
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        stored = _stored(locked, digest)
        if stored is not None:
            return stored
        content = render_html_to_pdf(html, base_url=str(TEMPLATE_DIR))
        old = locked.pdf.name
        storage = locked.pdf.storage
        locked.pdf.save(f"quote-{locked.pk}-{digest}.pdf", ContentFile(content), save=False)
        Quote.objects.filter(pk=locked.pk).update(pdf=locked.pdf.name)
        if old and old != locked.pdf.name:
            transaction.on_commit(lambda: storage.delete(old))
    return content


def _stored(quote: Quote, digest: str) -> bytes | None:
    if not quote.pdf or not (quote.pdf.name or "").endswith(f"-{digest}.pdf"):
        return None
    try:
        with quote.pdf.open("rb") as file:
            return file.read()
    except FileNotFoundError:
        return None


def quote_language(quote: Quote, branding: InvoiceBranding | None) -> str:
    """The quote's own language, else the client's, else the unit's, else French."""
    return first_language(
        quote.language, quote.client.language, branding.language if branding else ""
    )


def render_quote_html(quote: Quote) -> str:
    quote = (
        Quote.objects.select_related("unit__legal_entity", "unit__holder", "client")
        .prefetch_related("lines__exemption_reason")
        .get(pk=quote.pk)
    )
    branding = InvoiceBranding.objects.filter(unit_id=quote.unit_id).first()
    language = quote_language(quote, branding)
    presentation = presentation_of(branding, language)
    with translation.override(language):
        return render_to_string(TEMPLATE, _context(quote, presentation, language))


def _context(quote: Quote, presentation: dict, language: str) -> dict:
    entity = quote.unit.legal_entity
    client = quote.client
    lines = sorted(quote.lines.all(), key=lambda line: line.position)
    return {
        "quote": quote,
        "language": language,
        "title": _("Quote"),
        "seller": {
            "name": entity.name,
            "street": entity.street,
            "postal_code": entity.postal_code,
            "city": entity.city,
            "country": entity.country,
            "vat_number": entity.vat_number,
            "bic": entity.bic,
            "court_registry": entity.court_registry,
            "unit_code": quote.unit.code,
            "unit_name": quote.unit.name,
            "unit_tool": quote.unit.tool,
        },
        "seller_legal_form": legal_form(entity.name),
        "unit_by_name": quote.unit.tool == ProductionUnit.Tool.THREE_IN_ONE,
        "seller_enterprise_number": format_enterprise_number(entity.enterprise_number),
        "seller_iban": format_iban(entity.iban),
        "buyer": client,
        "buyer_enterprise_number": format_enterprise_number(client.enterprise_number),
        "lines": [_line_row(line) for line in lines],
        "vat_rows": vat_breakdown(quote, lines),
        "layout": layout_of(presentation),
        "accent": accent_of(presentation.get("accent", "")),
        "logo": logo_data_uri_of(presentation.get("logo", ""), unit_id=quote.unit_id),
        "introduction": presentation.get("introduction", ""),
        "closing": presentation.get("closing", ""),
    }
