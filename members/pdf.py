"""PDF documents of the share register: a member's certificate and extract, the full register.

A member's documents are in their preferred language; the board's register in the language
asked for (French by default).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.pdf import render_html_to_pdf

from .models import LegalEntity, Member, ShareCertificate, ShareRegisterEntry
from .selectors import RegisterRow, member_entries, member_shares, register_at

COOPERATIVE_CODE = "smartcoop"


def document_language(language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _cooperative() -> LegalEntity | dict:
    """The legal entity whose shares these are (the cooperative)."""
    return LegalEntity.objects.filter(code=COOPERATIVE_CODE).first() or {"name": "SmartCoop"}


def _render(template: str, context: dict, language: str) -> bytes:
    with translation.override(language):
        context = {"cooperative": _cooperative(), "language": language, **context}
        context["title"] = str(context["title"])
        html = render_to_string(template, context)
    return render_html_to_pdf(html)


def render_certificate_pdf(certificate: ShareCertificate) -> bytes:
    """The share certificate, as the register stood on its date, in its language."""
    member = certificate.member
    language = document_language(certificate.language)
    with translation.override(language):
        title = _("Share certificate")
        category = Member.Category(_category_on(member, certificate.as_of)).label
        return _render(
            "members/pdf/certificate.html",
            {
                "title": title,
                "certificate": certificate,
                "member": member,
                "category": str(category),
                "issued_on": timezone.localdate(certificate.created_at),
            },
            language,
        )


def _category_on(member: Member, day: date) -> str:
    category = (
        ShareRegisterEntry.objects.filter(member=member, date__lte=day)
        .order_by("-date", "-id")
        .values_list("category", flat=True)
        .first()
    )
    return category or member.category


@dataclass(frozen=True)
class ExtractRow:
    entry: ShareRegisterEntry
    operation: str
    shares: str
    held_after: int


def render_member_extract_pdf(member: Member, *, at: date | None = None) -> bytes:
    """A member's register extract: every operation up to `at` (today) and the position."""
    at = at or timezone.localdate()
    language = document_language(member.preferred_language)
    with translation.override(language):
        rows, held = [], 0
        for entry in member_entries(member=member, at=at):
            held += entry.shares
            rows.append(
                ExtractRow(
                    entry=entry,
                    operation=str(entry.get_operation_display()),
                    shares=f"{entry.shares:+d}" if entry.shares else "",
                    held_after=held,
                )
            )
        return _render(
            "members/pdf/member_extract.html",
            {
                "title": _("Share register extract"),
                "member": member,
                "at": at,
                "rows": rows,
                "position": member_shares(member=member, at=at),
            },
            language,
        )


def render_register_pdf(
    at: date, *, language: str | None = None, rows: list[RegisterRow] | None = None
) -> bytes:
    """The whole register as it stood at the end of `at`, for the board."""
    rows = register_at(at) if rows is None else rows
    totals = {
        "held": sum(row.position.held for row in rows),
        "nominal": sum((row.position.nominal for row in rows), Decimal("0.00")),
        "paid_up": sum((row.position.refundable for row in rows), Decimal("0.00")),
    }
    language = document_language(language)
    with translation.override(language):
        return _render(
            "members/pdf/register.html",
            {"title": _("Share register"), "at": at, "rows": rows, "totals": totals},
            language,
        )


def certificate_render(*, certificate: ShareCertificate) -> ShareCertificate:
    """Write the certificate's PDF once (idempotent: a ready certificate is left as it is)."""
    certificate = ShareCertificate.objects.select_related("member").get(pk=certificate.pk)
    if certificate.status == ShareCertificate.Status.READY and certificate.pdf:
        return certificate
    content = render_certificate_pdf(certificate)
    name = f"certificate-{certificate.member.number}-{certificate.as_of:%Y%m%d}.pdf"
    certificate.pdf.save(name, ContentFile(content), save=False)
    ShareCertificate.objects.filter(pk=certificate.pk).update(
        pdf=certificate.pdf.name, status=ShareCertificate.Status.READY
    )
    certificate.status = ShareCertificate.Status.READY
    return certificate
