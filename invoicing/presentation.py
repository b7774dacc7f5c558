"""How a unit's documents look and what their e-mails say, in one document language.

A document's presentation is a plain dict (layout, accent colour, logo file, texts) taken
from the unit's personalisation when the document is issued and frozen on it
(Invoice.presentation), as the seller and buyer are: personalising the unit later never
changes an issued document. The e-mail's placeholders are checked here, for the
personalisation's form and for the mails.
"""

import string
from datetime import date
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.templatetags.portal import format_money

from .models import BRANDING_TEXTS, EMAIL_PLACEHOLDERS, InvoiceBranding, InvoiceLayout

DEFAULT_ACCENT = "#1d5c63"


def presentation_of(branding: InvoiceBranding | None, language: str) -> dict[str, str]:
    """The unit's layout, colour, logo (its stored file name) and texts in `language`."""
    if branding is None:
        return {"layout": InvoiceLayout.CLASSIC.value, "accent": DEFAULT_ACCENT, "logo": ""}
    presentation = {
        "layout": branding.layout or InvoiceLayout.CLASSIC.value,
        "accent": branding.accent_color or DEFAULT_ACCENT,
        "logo": branding.logo.name or "",
    }
    for name in BRANDING_TEXTS:
        presentation[name] = branding.text(language, name)
    return presentation


def placeholder_problem(text: str) -> str:
    """Why an e-mail subject or message can't be filled in, or '' when it can: only
    {number}, {total} and {due_date} are known; a lone brace is written {{ or }}."""
    allowed = ", ".join(f"{{{name}}}" for name in EMAIL_PLACEHOLDERS)
    try:
        fields = [
            (name, spec or "", conversion or "")
            for _text, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return _("A brace is not closed: write placeholders as %(allowed)s.") % {"allowed": allowed}
    for name, spec, conversion in fields:
        if name not in EMAIL_PLACEHOLDERS or spec or conversion:
            conversion = f"!{conversion}" if conversion else ""
            spec = f":{spec}" if spec else ""
            shown = f"{{{name}{conversion}{spec}}}"
            return _("Unknown placeholder %(name)s: use %(allowed)s.") % {
                "name": shown,
                "allowed": allowed,
            }
    return ""


def fill_placeholders(
    text: str, *, number: str, total: Decimal, due_date: date | None, language: str
) -> str:
    """The text with its placeholders filled, the amount and the date written as Belgians
    do in that language ("1 234,56 €", "€ 1.234,56"; dd/mm/yyyy)."""
    with translation.override(language):
        values = {
            "number": number,
            "total": format_money(total, language),
            "due_date": formats.date_format(due_date, "SHORT_DATE_FORMAT") if due_date else "",
        }
    if placeholder_problem(text):  # checked when written: never reached unless data is edited
        return text
    return text.format_map(values)
