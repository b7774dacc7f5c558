"""Background work of the reports: the snapshots, nightly and on demand, and the yearly
reports' PDFs."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .document_services import report_document_render
from .models import ReportDocument, SnapshotRun
from .services import snapshot_run_execute, snapshots_compute_all


@shared_task
def compute_snapshot_run(run_id: int) -> None:
    """Compute the sections of a run asked for from the page (its row shows the progress)."""
    snapshot_run_execute(run_id=run_id)


def compute_snapshot_run_later(run: SnapshotRun) -> None:
    transaction.on_commit(lambda: compute_snapshot_run.delay(run.pk))


@shared_task
def compute_nightly_snapshots() -> int:
    """Every section of the current year for the cooperative and each office; in January,
    the year just ended too (its last invoices and runs come in early January)."""
    today = timezone.localdate()
    years = [today.year] + ([today.year - 1] if today.month == 1 else [])
    return snapshots_compute_all(years=years, today=today)


@shared_task
def render_report_document(document_id: int) -> None:
    """Render a yearly report asked for from the back-office (its row shows the status)."""
    report_document_render(document_id=document_id)


def render_report_document_later(document: ReportDocument) -> None:
    transaction.on_commit(lambda: render_report_document.delay(document.pk))
