"""Writes of the yearly reports' PDFs: a document asked for from the back-office (queued, its
row shows the status), rendered by a task into a private file."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from members.models import User

from .activity_report import activity_report_pdf
from .documents import LANGUAGES
from .models import ReportDocument
from .principles_report import principles_report_pdf


def report_pdf(*, kind: str, year: int, language: str, today: date) -> bytes:
    """The PDF of report `kind` for `year` in `language` (the commands call this too)."""
    if kind == ReportDocument.Kind.ACTIVITY:
        return activity_report_pdf(year=year, language=language, today=today)
    if kind == ReportDocument.Kind.PRINCIPLES:
        return principles_report_pdf(year=year, language=language, today=today)
    raise ValueError(f"unknown report {kind}")


def report_document_request(
    *, kind: str, year: int, language: str, by: User | None
) -> ReportDocument:
    """A document waiting for the task that renders it."""
    if kind not in ReportDocument.Kind.values or language not in LANGUAGES:
        raise ValueError(f"unknown report {kind} or language {language}")
    return ReportDocument.objects.create(kind=kind, year=year, language=language, requested_by=by)


def report_document_render(*, document_id: int, today: date | None = None) -> ReportDocument:
    """Render the document and keep it as a private file (rendering again replaces it)."""
    document = ReportDocument.objects.get(pk=document_id)
    ReportDocument.objects.filter(pk=document.pk).update(status=ReportDocument.Status.RUNNING)
    try:
        pdf = report_pdf(
            kind=document.kind,
            year=document.year,
            language=document.language,
            today=today or timezone.localdate(),
        )
    except Exception as error:
        ReportDocument.objects.filter(pk=document.pk).update(
            status=ReportDocument.Status.FAILED,
            error=str(error)[:2000],
            finished_at=timezone.now(),
        )
        raise
    name = f"{document.kind}-{document.year}-{document.language}-{document.pk}.pdf"
    document.pdf.save(name, ContentFile(pdf), save=False)
    document.status = ReportDocument.Status.DONE
    document.finished_at = timezone.now()
    document.error = ""
    document.save(update_fields=["pdf", "status", "finished_at", "error"])
    return document
