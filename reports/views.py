"""The board's dashboards in the back-office: an index of the sections, a page per section
(figures read from the snapshots, with when they were computed), their CSV/XLSX exports,
and the computation on demand with its progress."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import format_day
from core.exports import XLSX_CONTENT_TYPE, csv_response, xlsx_bytes
from core.roles import sees_everything
from members.models import Office, User
from production_units.models import Sector

from .access import dashboard_scope, may_see_scope
from .documents import LANGUAGES
from .figures import SECTIONS, Scope, compute
from .models import ReportDocument, SnapshotRun
from .presentation import export_rows, present
from .selectors import snapshot_run_latest, snapshot_sections
from .services import sections_for, snapshot_run_create
from .tasks import compute_snapshot_run_later

FIRST_YEAR = 2000


def staff_login_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Anonymous users go to the back-office login; the view checks the rest."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapper


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if not raw:
        return today.year
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= today.year:
        raise Http404
    return int(raw)


def _query(year: int, scope: Scope) -> str:
    params: dict[str, int] = {"year": year}
    if scope.office_id is not None:
        params["office"] = scope.office_id
    if scope.sector_id is not None:
        params["sector"] = scope.sector_id
    return urlencode(params)


def _context(request: HttpRequest, year: int, scope: Scope, **extra: Any) -> dict[str, Any]:
    everything = sees_everything(request.user)
    return {
        **admin.site.each_context(request),
        "year": year,
        "years": list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))[:10],
        "scope": scope,
        "query": _query(year, scope),
        "offices": Office.objects.all()
        if everything
        else Office.objects.filter(pk__in=[scope.office_id]),
        "sectors": Sector.objects.all(),
        "sees_everything": everything,
        "sections": [SECTIONS[key] for key in sections_for(scope)],
        **extra,
    }


@staff_login_required
def dashboard_index(request: HttpRequest) -> HttpResponse:
    """Every section of the year in the chosen scope, with its headline and its age."""
    scope = dashboard_scope(request)
    year = _year(request)
    stored = snapshot_sections(year=year, scope=scope)
    headlines = [
        (SECTIONS[key], stored.get(key), present(stored[key].data)[0] if key in stored else None)
        for key in sections_for(scope)
    ]
    context = _context(
        request,
        year,
        scope,
        title=_("Key figures %(year)s") % {"year": year},
        headlines=headlines,
        missing=not stored,
        run=snapshot_run_latest(year=year, scope=scope),
        kinds=ReportDocument.Kind.choices,
        languages=LANGUAGES,
    )
    return render(request, "reports/index.html", context)


@staff_login_required
def dashboard_section(request: HttpRequest, key: str) -> HttpResponse:
    """One section's figures: headline, tables, charts and definitions."""
    if key not in SECTIONS:
        raise Http404
    scope = dashboard_scope(request, key)
    year = _year(request)
    stored = snapshot_sections(year=year, scope=scope).get(key)
    context = _context(
        request,
        year,
        scope,
        title=f"{SECTIONS[key].title} {year}",
        section=SECTIONS[key],
        stored=stored,
        blocks=present(stored.data) if stored else [],
        period_end=format_day(stored.data.period.end) if stored else "",
        run=snapshot_run_latest(year=year, scope=scope),
    )
    return render(request, "reports/section.html", context)


@staff_login_required
def dashboard_export(request: HttpRequest, key: str, fmt: str) -> HttpResponseBase:
    """A section's figures as CSV or XLSX: the stored snapshot (the numbers of the page), or
    computed now by the same selector when none is stored yet."""
    if key not in SECTIONS or fmt not in ("csv", "xlsx"):
        raise Http404
    scope = dashboard_scope(request, key)
    year = _year(request)
    stored = snapshot_sections(year=year, scope=scope).get(key)
    data = (
        stored.data if stored else compute(key, year=year, today=timezone.localdate(), scope=scope)
    )
    header = [_("Figure"), _("Row"), _("Column"), _("Value")]
    rows = export_rows(data)
    filename = f"{key}-{year}"
    if fmt == "csv":
        return csv_response(filename=f"{filename}.csv", header=header, rows=rows)
    content = xlsx_bytes(
        title=str(SECTIONS[key].title),
        columns=header,
        rows=rows,
        summary=[(_("Figures up to"), data.period.end)],
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@staff_login_required
@require_POST
def dashboard_compute(request: HttpRequest) -> HttpResponse:
    """Compute the figures of the year and scope now (a task; its page shows the progress)."""
    scope = dashboard_scope(request)
    year = _year(request)
    run = snapshot_run_create(
        year=year,
        office=Office.objects.get(pk=scope.office_id) if scope.office_id else None,
        sector=Sector.objects.get(pk=scope.sector_id) if scope.sector_id else None,
        by=request.user if isinstance(request.user, User) else None,
    )
    compute_snapshot_run_later(run)
    return redirect("reports:run", pk=run.pk)


@staff_login_required
def dashboard_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A computation's progress; the page reloads itself until it is finished."""
    run = get_object_or_404(SnapshotRun, pk=pk)
    if not may_see_scope(request, run.office_id):
        raise PermissionDenied
    scope = Scope(run.office_id, run.sector_id)
    context = _context(
        request,
        run.year,
        scope,
        title=_("Computing the key figures %(year)s") % {"year": run.year},
        run=run,
        finished=run.status in (SnapshotRun.Status.DONE, SnapshotRun.Status.FAILED),
    )
    return render(request, "reports/run.html", context)
