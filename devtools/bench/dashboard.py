"""Figure 9: the board's dashboard at Smart's size (issue 17): computing the year's snapshots
(what the nightly task does), then every dashboard page read warm from them, each against
a baseline in the same run."""

from __future__ import annotations

import statistics
from datetime import date

from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import reverse

from reports.figures import SECTIONS, Scope
from reports.services import snapshot_compute

from .cases import superuser
from .results import Figure, timed

YEAR = 2025


def _bare_scan() -> None:
    """The floor of the snapshot computation: one pass over the year's invoices and work
    days, the two largest tables the figures read (count and sum, no grouping)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(net_total) FROM invoicing_invoice "
            "WHERE issue_date BETWEEN %s AND %s",
            [date(YEAR, 1, 1), date(YEAR, 12, 31)],
        )
        cursor.execute(
            "SELECT count(*), sum(hours) FROM payroll_workday WHERE date BETWEEN %s AND %s",
            [date(YEAR, 1, 1), date(YEAR, 12, 31)],
        )


def dashboard(repeat: int = 5) -> Figure:
    today = date(YEAR + 1, 6, 1)
    seconds = {}
    for key in SECTIONS:
        seconds[key] = timed(snapshot_compute, year=YEAR, scope=Scope(), figure=key, today=today)[0]
    compute_total = sum(seconds.values())
    bare = statistics.median(timed(_bare_scan)[0] for _ in range(repeat))

    client = HttpClient()
    client.force_login(superuser())
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    pages = {"index": reverse("reports:index") + f"?year={YEAR}"} | {
        key: reverse("reports:section", args=[key]) + f"?year={YEAR}" for key in SECTIONS
    }
    timings = {}
    with override_settings(
        ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, SMARTCOOP_STAFF_MFA_REQUIRED=False,
        STORAGES=storages,
    ):  # fmt: skip
        client.get("/health/")
        health = statistics.median(timed(client.get, "/health/")[0] for _ in range(repeat))
        for name, url in pages.items():
            response = client.get(url)  # warm: the first answer is not counted
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            timings[name] = statistics.median(timed(client.get, url)[0] for _ in range(repeat))
    worst = max(timings.values())
    return Figure(
        9, "board dashboard pages, warm (slowest)", worst * 1000, "ms", "< 500 ms each",
        worst < 0.5, baseline=f"/health/ {health * 1000:,.1f} ms",
        ratio=f"{worst / health:.0f}×",
        notes=[
            f"snapshots of {YEAR} for the whole cooperative (the nightly task's work): "
            f"{compute_total:,.1f} s for the {len(seconds)} sections, "
            f"{compute_total / bare:,.0f}× a bare scan of the year's invoices and work days "
            f"({bare * 1000:,.0f} ms)",
            *[f"computing {key}: {value:,.2f} s" for key, value in seconds.items()],
            *[f"page {name}: {value * 1000:,.0f} ms (median of {repeat})"
              for name, value in timings.items()],
        ],
    )  # fmt: skip
