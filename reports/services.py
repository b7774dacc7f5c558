"""Writes of the reports: computing the snapshots (idempotent: one row per year, office,
sector and figure, replaced), the runs that show their progress, and the portal's login
counter."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from members.models import Office, User
from production_units.models import Sector

from .figures import SECTIONS, Scope, compute
from .models import FigureSnapshot, PortalLoginDay, SnapshotRun
from .snapshots import section_to_json


def sections_for(scope: Scope) -> list[str]:
    """The sections that make sense for this scope (an office or a sector narrows them)."""
    return [
        key
        for key, section in SECTIONS.items()
        if (scope.office_id is None or section.by_office)
        and (scope.sector_id is None or section.by_sector)
    ]


def snapshot_compute(*, year: int, scope: Scope, figure: str, today: date) -> FigureSnapshot:
    """Compute one section and store it in place of the previous snapshot of the same key."""
    started = time.monotonic()
    section = compute(figure, year=year, today=today, scope=scope)
    seconds = Decimal(time.monotonic() - started).quantize(Decimal("0.01"))
    snapshot, _created = FigureSnapshot.objects.update_or_create(
        year=year,
        figure=figure,
        **scope.keys(),
        defaults={
            "period_end": section.period.end,
            "data": section_to_json(section),
            "computed_at": timezone.now(),
            "seconds": seconds,
        },
    )
    return snapshot


def snapshot_run_create(
    *, year: int, office: Office | None, sector: Sector | None, by: User | None
) -> SnapshotRun:
    """A run waiting for the task that computes the sections of this scope."""
    scope = Scope(office.pk if office else None, sector.pk if sector else None)
    return SnapshotRun.objects.create(
        year=year, office=office, sector=sector, total=len(sections_for(scope)), requested_by=by
    )


def snapshot_run_execute(*, run_id: int, today: date | None = None) -> SnapshotRun:
    """Compute the run's sections one by one, counting progress on the run's row (committed
    after each section, so the page sees it). Running it again computes it again."""
    run = SnapshotRun.objects.get(pk=run_id)
    scope = Scope(run.office_id, run.sector_id)
    day = today or timezone.localdate()
    SnapshotRun.objects.filter(pk=run.pk).update(status=SnapshotRun.Status.RUNNING, done=0)
    try:
        for figure in sections_for(scope):
            snapshot_compute(year=run.year, scope=scope, figure=figure, today=day)
            SnapshotRun.objects.filter(pk=run.pk).update(done=F("done") + 1)
    except Exception as error:
        SnapshotRun.objects.filter(pk=run.pk).update(
            status=SnapshotRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    SnapshotRun.objects.filter(pk=run.pk).update(
        status=SnapshotRun.Status.DONE, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def snapshots_compute_all(*, years: Iterable[int], today: date) -> int:
    """Every section of `years` for the whole cooperative and for each office (the nightly
    task); returns the number of snapshots written."""
    scopes = [
        Scope(),
        *(Scope(office_id) for office_id in Office.objects.values_list("pk", flat=True)),
    ]
    count = 0
    for year in years:
        for scope in scopes:
            for figure in sections_for(scope):
                snapshot_compute(year=year, scope=scope, figure=figure, today=today)
                count += 1
    return count


_COUNT_LOGIN_SQL = (
    "INSERT INTO {table} (day, logins, members) VALUES (%s, 1, %s) "
    "ON CONFLICT (day) DO UPDATE SET logins = {table}.logins + 1, "
    "members = {table}.members + EXCLUDED.members"
)


def portal_login_count(*, day: date, first_of_the_day: bool) -> None:
    """Count one member's login on `day` (and one more member if it is their first that
    day), in one statement: concurrent logins never lose a count."""
    sql = _COUNT_LOGIN_SQL.format(table=PortalLoginDay._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [day, int(first_of_the_day)])
