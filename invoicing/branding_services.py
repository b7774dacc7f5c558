"""Writes about a unit's document personalisation (layout, logo, accent colour, texts per
language, language), and its preview before it is saved.

The personalisation is printed around the document; the cooperative's legal mentions are
not part of it, so nothing written here can remove them.
"""

from datetime import timedelta
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.audit import audit_log, diff, snapshot
from members.models import User
from production_units.models import ProductionUnit

from .invoice_services import check_access, seller_snapshot
from .languages import first_language
from .models import (
    BRANDING_TEXTS,
    Invoice,
    InvoiceBranding,
    InvoiceLine,
    InvoiceSeries,
    VatCategory,
)
from .presentation import placeholder_problem, presentation_of
from .totals import line_amount, saved_totals

MAX_LOGO_BYTES = 1024 * 1024
# The formats the PDF renderer inlines (invoicing/pdf.py, LOGO_TYPES).
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
TEXT_FIELDS = ["layout", "accent_color", "texts", "language"]


def _check_logo(logo: UploadedFile) -> None:
    """Refuse a logo that is too large or is not a PNG, JPEG, GIF or WebP image."""
    if (logo.size or 0) > MAX_LOGO_BYTES:
        raise ValidationError(
            {"logo": _("The logo is too large: at most %(size)s MB.") % {"size": 1}}
        )
    try:
        logo.seek(0)
        with Image.open(logo) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"logo": _("The logo is not an image we can read.")}) from None
    finally:
        logo.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError({"logo": _("Use a PNG, JPEG, GIF or WebP image for the logo.")})


def clean_texts(texts: object) -> dict[str, dict[str, str]]:
    """The unit's texts per language, checked: known languages and texts, not too long, the
    e-mail's placeholders known. Raises ValidationError naming the form's field
    ("email_subject_nl")."""
    if not isinstance(texts, dict):
        raise ValidationError({"texts": _("Give the texts per language.")})
    languages = dict(settings.DOCUMENT_LANGUAGES)
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for language, values in texts.items():
        if language not in languages or not isinstance(values, dict):
            errors["texts"] = _("Texts are written in French, Dutch, English or German.")
            continue
        cleaned[language] = {}
        for name, value in values.items():
            field = f"{name}_{language}"
            if name not in BRANDING_TEXTS or not isinstance(value, str):
                errors[field] = _("This field can't be changed.")
                continue
            value = value.strip()
            if len(value) > BRANDING_TEXTS[name]:
                errors[field] = _("At most %(count)s characters.") % {"count": BRANDING_TEXTS[name]}
            elif name.startswith("email_") and (problem := placeholder_problem(value)):
                errors[field] = problem
            cleaned[language][name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply(branding: InvoiceBranding, fields: dict[str, object]) -> UploadedFile | None:
    """Set the fields given on `branding` (not saved) and check them all, the logo too;
    return the new logo, if any. Raises ValidationError naming the field."""
    unknown = set(fields) - {*TEXT_FIELDS, "logo"}
    if unknown:
        raise ValidationError({name: _("This field can't be changed.") for name in unknown})
    for name in ("layout", "accent_color", "language"):
        if name in fields:
            setattr(branding, name, fields[name] or "")
    if "texts" in fields:
        branding.texts = {**(branding.texts or {}), **clean_texts(fields["texts"])}
    logo = cast("UploadedFile | None", fields.get("logo"))
    if logo:
        _check_logo(logo)
    branding.full_clean(exclude=["unit", "logo"])
    return logo


@transaction.atomic
def branding_update(*, unit: ProductionUnit, by: User, **fields: object) -> InvoiceBranding:
    """Set a unit's personalisation: `logo` (an uploaded image; None removes it), and any of
    layout, accent_color, language and texts ({language: {introduction, closing,
    email_subject, email_message}}; a language not given keeps its texts). Fields not given
    are kept. Audited.

    Raises PermissionDenied when the unit is not the user's, ValidationError naming the field.
    """
    check_access(unit, by)
    InvoiceBranding.objects.get_or_create(unit=unit)
    branding = InvoiceBranding.objects.select_for_update().get(unit=unit)
    before = snapshot(branding, TEXT_FIELDS)
    logo = _apply(branding, fields)
    old_logo = branding.logo.name
    if "logo" in fields:
        if logo:
            # Written only once everything else is valid: a refused form leaves no file.
            branding.logo.save(logo.name or "logo", logo, save=False)
        else:
            branding.logo = ""
    branding.save()
    changes = diff(branding, TEXT_FIELDS, before)
    if branding.logo.name != old_logo:
        changes["logo"] = [old_logo, branding.logo.name]
        # An issued document keeps the logo it was issued with (Invoice.presentation).
        kept = Invoice.objects.filter(unit=unit, presentation__logo=old_logo).exists()
        if old_logo and not kept:
            storage = branding.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    audit_log(actor=by, action="branding.updated", obj=branding, changes=changes)
    return branding


def branding_preview_pdf(
    *, unit: ProductionUnit, by: User, preview_language: str = "", **fields: object
) -> bytes:
    """A specimen invoice of the unit in the personalisation given (unsaved: the same
    fields as branding_update; those not given are the unit's), in `preview_language` (else
    the unit's document language, else French). Checks what
    branding_update checks and saves nothing. Raises PermissionDenied, ValidationError."""
    from .pdf import (  # imports WeasyPrint: only when a PDF is rendered
        logo_bytes_data_uri,
        logo_data_uri,
        render_preview_pdf,
    )

    check_access(unit, by)
    saved = InvoiceBranding.objects.filter(unit=unit).first()
    branding = InvoiceBranding(unit=unit)  # the defaults, or a copy of what is saved
    if saved is not None:
        branding.layout, branding.accent_color = saved.layout, saved.accent_color
        branding.texts, branding.language = dict(saved.texts), saved.language
    logo = _apply(branding, fields)
    if logo:
        logo_uri = logo_bytes_data_uri(logo.name or "", logo.read(MAX_LOGO_BYTES + 1))
        logo.seek(0)
    else:
        logo_uri = "" if "logo" in fields else logo_data_uri(saved)
    language = first_language(preview_language, branding.language)
    invoice, lines = sample_document(unit, language)
    return render_preview_pdf(
        invoice=invoice,
        lines=lines,
        language=language,
        presentation=presentation_of(branding, language),
        logo=logo_uri,
    )


def sample_document(unit: ProductionUnit, language: str) -> tuple[Invoice, list[InvoiceLine]]:
    """An unsaved invoice of the unit, with lines at the usual rates, to preview a layout:
    the seller is the unit's legal entity, as on its real invoices."""
    with translation.override(language):
        rows = [
            (_("Example: concert"), Decimal("1"), Decimal("1250.00"), Decimal("21")),
            (_("Example: travel costs"), Decimal("120"), Decimal("0.4326"), Decimal("21")),
            (_("Example: book"), Decimal("3"), Decimal("19.90"), Decimal("6")),
        ]
        lines = [
            InvoiceLine(
                position=index,
                description=description,
                quantity=quantity,
                unit_price=price,
                vat_category=VatCategory.STANDARD,
                vat_rate=rate,
                net_amount=line_amount(quantity, price),
            )
            for index, (description, quantity, price, rate) in enumerate(rows, start=1)
        ]
        totals = saved_totals(lines)
        today = timezone.localdate()
        invoice = Invoice(
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.ISSUED,
            unit=unit,
            legal_entity=unit.legal_entity,
            series=InvoiceSeries(code="F"),
            year=today.year,
            number=1,
            issue_date=today,
            supply_date=today,
            due_date=today + timedelta(days=30),
            language=language,
            structured_reference="000000000097",
            net_total=totals.net_total,
            vat_total=totals.vat_total,
            total=totals.total,
        )
        invoice.seller = seller_snapshot(invoice)
        invoice.buyer = {
            "name": _("Example client"),
            "street": "Rue de la Loi 16",
            "postal_code": "1000",
            "city": "Bruxelles",
            "country": "BE",
            "enterprise_number": "0403170701",
            "vat_number": "BE0403170701",
        }
    return invoice, lines
