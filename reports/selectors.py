"""Reads of the reports' pages: the snapshots of a year and scope, the latest run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .figures import Scope, SectionData
from .models import FigureSnapshot, ReportDocument, ReportText, SnapshotRun
from .snapshots import section_from_json


@dataclass(frozen=True)
class StoredSection:
    data: SectionData
    computed_at: datetime


def snapshot_sections(*, year: int, scope: Scope) -> dict[str, StoredSection]:
    """The stored sections of `year` in `scope`, by section key (missing ones absent)."""
    snapshots = FigureSnapshot.objects.filter(year=year, **scope.keys())
    return {
        snapshot.figure: StoredSection(section_from_json(snapshot.data), snapshot.computed_at)
        for snapshot in snapshots
    }


def snapshot_run_latest(*, year: int, scope: Scope) -> SnapshotRun | None:
    return (
        SnapshotRun.objects.filter(year=year, **scope.keys()).order_by("-created_at", "-pk").first()
    )


def approved_texts(*, year: int) -> dict[str, ReportText]:
    """The last approved version of each narrative section of `year`, by section key."""
    texts: dict[str, ReportText] = {}
    approved = ReportText.objects.filter(year=year, status=ReportText.Status.APPROVED)
    for text in approved.order_by("section", "-approved_at", "-pk"):
        texts.setdefault(text.section, text)
    return texts


def report_documents(*, limit: int = 20) -> list[ReportDocument]:
    """The latest yearly reports asked for, newest first."""
    return list(ReportDocument.objects.select_related("requested_by")[:limit])
