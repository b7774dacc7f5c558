"""Writes about a unit's document personalisation (logo, accent colour, texts, language).

The personalisation is printed around the document; the cooperative's legal mentions are
not part of it, so nothing written here can remove them.
"""

from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.audit import audit_log, diff, snapshot
from members.models import User
from production_units.models import ProductionUnit

from .invoice_services import check_access
from .models import InvoiceBranding

MAX_LOGO_BYTES = 1024 * 1024
# The formats the PDF renderer inlines (invoicing/pdf.py, LOGO_TYPES).
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
TEXT_FIELDS = ["accent_color", "introduction", "closing", "language"]


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


@transaction.atomic
def branding_update(*, unit: ProductionUnit, by: User, **fields: object) -> InvoiceBranding:
    """Set a unit's personalisation: `logo` (an uploaded image; None removes it), and any of
    accent_color, introduction, closing, language. Fields not given are kept. Audited.

    Raises PermissionDenied when the unit is not the user's, ValidationError naming the field.
    """
    check_access(unit, by)
    unknown = set(fields) - {*TEXT_FIELDS, "logo"}
    if unknown:
        raise ValidationError({name: _("This field can't be changed.") for name in unknown})
    InvoiceBranding.objects.get_or_create(unit=unit)
    branding = InvoiceBranding.objects.select_for_update().get(unit=unit)
    before = snapshot(branding, TEXT_FIELDS)
    for name in TEXT_FIELDS:
        if name in fields:
            setattr(branding, name, fields[name] or "")
    logo = cast("UploadedFile | None", fields.get("logo"))
    if logo:
        _check_logo(logo)
    branding.full_clean(exclude=["unit", "logo"])
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
        if old_logo:
            storage = branding.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    audit_log(actor=by, action="branding.updated", obj=branding, changes=changes)
    return branding
