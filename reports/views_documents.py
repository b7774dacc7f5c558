"""The yearly reports' PDFs in the back-office, for the board and the admin role (they are
about the whole cooperative): the button that asks for one (a task renders it), its status
until it is ready, and the list of those made, each downloaded through the private-file view
(core.files; reports/admin.py says who may see a document)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import sees_everything
from members.models import User

from .document_services import report_document_request
from .documents import LANGUAGES
from .models import ReportDocument
from .selectors import report_documents
from .tasks import render_report_document_later
from .views import FIRST_YEAR, staff_login_required


def _require_board_or_admin(request: HttpRequest) -> None:
    if not (request.user.is_active and sees_everything(request.user)):
        raise PermissionDenied


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        **admin.site.each_context(request),
        "kinds": ReportDocument.Kind.choices,
        "languages": LANGUAGES,
        "years": list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))[:10],
        **extra,
    }


@staff_login_required
def report_document_list(request: HttpRequest) -> HttpResponse:
    """The reports made, newest first, and the form that asks for another."""
    _require_board_or_admin(request)
    context = _context(request, title=_("Yearly reports"), documents=report_documents())
    return render(request, "reports/documents.html", context)


@staff_login_required
@require_POST
def report_document_create(request: HttpRequest) -> HttpResponse:
    """Ask for a report: the task renders it once this request is committed."""
    _require_board_or_admin(request)
    kind, language = request.POST.get("kind", ""), request.POST.get("language", "")
    raw_year = request.POST.get("year", "")
    if kind not in ReportDocument.Kind.values or language not in LANGUAGES:
        raise Http404
    if not raw_year.isdigit() or not FIRST_YEAR <= int(raw_year) <= timezone.localdate().year:
        raise Http404
    document = report_document_request(
        kind=kind,
        year=int(raw_year),
        language=language,
        by=request.user if isinstance(request.user, User) else None,
    )
    render_report_document_later(document)
    return redirect("reports:document", pk=document.pk)


@staff_login_required
def report_document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's status; the page reloads itself until the PDF is ready (or failed)."""
    _require_board_or_admin(request)
    document = get_object_or_404(ReportDocument, pk=pk)
    finished = document.status in (ReportDocument.Status.DONE, ReportDocument.Status.FAILED)
    context = _context(request, title=str(document), document=document, finished=finished)
    return render(request, "reports/document.html", context)
