"""The six measured paths of issue 6. Each returns a Figure; nothing here asserts (benchmarks
are not tests: a slow machine never fails `make test`)."""

import multiprocessing
import os
import resource
import statistics
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import reverse

from core.calendar import month_bounds
from core.counters import counter_next
from core.pdf import render_html_to_pdf
from invoicing import invoice_services, sending
from invoicing.invoice_services import invoice_create
from invoicing.lines import LineData
from invoicing.models import Client, Invoice
from invoicing.pdf import render_pdf
from payroll.contributions.services import contributions_compute
from payroll.pay.payroll_run import payroll_run_compute
from production_units.models import ProductionUnit

from .results import Figure, timed


def superuser():
    """The bench's own superuser (made on first use)."""
    user, created = get_user_model().objects.get_or_create(
        email="bench-admin@smartcoop.test",
        defaults={"is_staff": True, "is_superuser": True, "first_name": "Bench"},
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


class Rollback(Exception):
    """Raised to undo what a measured run wrote."""


def rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# 1 and 5: the payroll run and the contribution run of one month, undone afterwards.

BARE_TURNOVER = """
    SELECT unit_id, kind, SUM(net_total) FROM invoicing_invoice
    WHERE status = 'issued' AND issue_date BETWEEN %s AND %s GROUP BY unit_id, kind
"""
BARE_EMPLOYMENT = """
    SELECT unit_id, contract_type_id, SUM(gross), SUM(employer_charges)
    FROM payroll_employmentcost
    WHERE period = %s OR (period IS NULL AND work_date BETWEEN %s AND %s)
    GROUP BY unit_id, contract_type_id
"""


def _bare_aggregates(first: date, last: date) -> int:
    rows = 0
    with connection.cursor() as cursor:
        for sql, params in (
            (BARE_TURNOVER, [first, last]),
            (BARE_EMPLOYMENT, [first, first, last]),
        ):
            cursor.execute(sql, params)
            rows += len(cursor.fetchall())
    return rows


# The floor of figure 5: what the run has to read and write at the least. The month's work
# days read bare, then the rows the run wrote (payslips, day costs, payout lines, ledger
# entries) written again by INSERT … SELECT into empty copies of their tables with the same
# indexes (temporary: without WAL, so a little below what any run can do).
FLOOR_READ = "SELECT count(*), sum(gross) FROM payroll_workday WHERE date BETWEEN %s AND %s"
FLOOR_COPIES = {
    "payroll_payslip": "run_id = %s",
    "payroll_employmentcost": "payslip_id IN (SELECT id FROM payroll_payslip WHERE run_id = %s)",
    "payroll_payoutline": "payslip_id IN (SELECT id FROM payroll_payslip WHERE run_id = %s)",
    "production_units_ledgerentry": "source_type_id = %s AND source_id = %s",
}


def _payroll_floor(run, first: date, last: date) -> tuple[float, int]:
    """Seconds of the bare read and writes of the run's month (in the run's transaction,
    rolled back with it), and the number of rows written."""
    source = ContentType.objects.get_for_model(run)
    with connection.cursor() as cursor:
        for table in FLOOR_COPIES:
            cursor.execute(f"CREATE TEMPORARY TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        start = time.perf_counter()
        cursor.execute(FLOOR_READ, [first, last])
        rows = 0
        for table, where in FLOOR_COPIES.items():
            params = [source.pk, str(run.pk)] if "source_id" in where else [run.pk]
            cursor.execute(
                f"INSERT INTO floor_{table} SELECT * FROM {table} WHERE {where}",  # noqa: S608
                params,
            )
            rows += cursor.rowcount
        return time.perf_counter() - start, rows


def payroll_and_contributions(period: date) -> tuple[Figure, Figure]:
    """The payroll run and the contribution run of the generated month, each in its own
    transaction rolled back afterwards: the contribution run reads the month as generated
    (one employment-cost row per work day), not after a payroll run of the same month,
    which would write the month's salary costs a second time and double the employment
    pillar."""
    first, last = month_bounds(period)
    measured = {}
    try:
        with transaction.atomic():
            measured["payroll"], run = timed(payroll_run_compute, period=first)
            measured["payslips"] = run.payslips.count()
            measured["payroll_floor"], measured["payroll_rows"] = _payroll_floor(run, first, last)
            raise Rollback
    except Rollback:
        pass
    try:
        with transaction.atomic():
            _bare_aggregates(first, last)  # warm the cache the same way for both
            measured["bare"] = statistics.median(
                timed(_bare_aggregates, first, last)[0] for _ in range(3)
            )
            measured["contributions"], result = timed(contributions_compute, period=first)
            measured["units"] = result.units
            measured["postings"] = len(result.posted)
            measured["pillars"] = {
                pillar: result.total(pillar) for pillar in sorted({p.pillar for p in result.posted})
            }
            raise Rollback
    except Rollback:
        pass
    floor = measured["payroll_floor"]
    payroll = Figure(
        5, f"payroll run, {first:%Y-%m}", measured["payroll"], "s",
        "< 60 s; issue 19: < 5 s on a machine like the first", measured["payroll"] < 5,
        baseline=f"bare read and writes {floor * 1000:,.0f} ms",
        ratio=f"{measured['payroll'] / floor:.1f}×" if floor else "",
        notes=[f"{measured['payslips']:,} payslips computed; rolled back afterwards (the PDFs, "
               "rendered after commit by the worker, are not in this figure).",
               "floor: the month's work days read bare, then the "
               f"{measured['payroll_rows']:,} rows the run wrote (payslips, day costs, payout "
               "lines, ledger entries) written again by INSERT … SELECT into empty copies of "
               "their tables with the same indexes (temporary tables: no WAL)."],
    )  # fmt: skip
    ratio = measured["contributions"] / measured["bare"] if measured["bare"] else float("inf")
    contributions = Figure(
        1, f"contribution run, {first:%Y-%m}, all units", measured["contributions"], "s",
        "< 10 s and < 10× bare SQL; issue 19: ≤ 3×", measured["contributions"] < 10 and ratio <= 3,
        baseline=f"bare SQL aggregates {measured['bare'] * 1000:,.0f} ms", ratio=f"{ratio:.1f}×",
        notes=[f"{measured['units']:,} units with a contribution, {measured['postings']:,} "
               "postings (ledger entries + rows), on the month as generated (no payroll run "
               "before it); rolled back afterwards.",
               "collected: " + ", ".join(f"{pillar} {amount:,.2f} €"
                                         for pillar, amount in measured["pillars"].items())],
    )  # fmt: skip
    return contributions, payroll


# 2: issuing in one series from 8 concurrent workers.


def _drafts(count: int):
    """`count` drafts in units of one legal entity, to verified clients (prepared, committed)."""
    units = list(
        ProductionUnit.objects.filter(status="active", legal_entity__code="smartcoop")
        .select_related("holder__user")
        .order_by("pk")[:count]
    )
    clients = list(
        Client.objects.filter(verified_at__isnull=False, kind="company", country="BE")[:count]
    )
    drafts = []
    for index in range(count):
        unit = units[index % len(units)]
        client = clients[index % len(clients)]
        client.units.add(unit)
        drafts.append(
            invoice_create(
                by=unit.holder.user,
                unit=unit,
                client=client,
                lines=[
                    LineData(
                        description=f"Prestation bench {index}",
                        quantity=Decimal(1),
                        unit_price=Decimal("250.00"),
                        vat_category="S",
                        vat_rate=Decimal("21"),
                        unit_code="C62",
                    )
                ],
            )
        )
    return drafts


def _issue_chunk(draft_ids: list[int]) -> int:
    """In a forked worker process: issue these drafts, one transaction each."""
    connections.close_all()  # never share the parent's connection
    issuer = superuser()
    for draft in Invoice.objects.filter(pk__in=draft_ids).order_by("pk"):
        invoice_services.invoice_issue(invoice=draft, by=issuer)
    connections.close_all()
    return len(draft_ids)


def _bare_chunk(count: int) -> int:
    connections.close_all()
    for _ in range(count):
        with transaction.atomic():
            counter_next("bench:bare-counter")
    connections.close_all()
    return count


def _in_processes(workers: int, function, chunks: list) -> float:
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        start = time.perf_counter()
        pool.map(function, chunks)
        elapsed = time.perf_counter() - start
    return elapsed


def issuing_throughput(count: int = 400, workers: int = 8) -> Figure:
    drafts = [draft.pk for draft in _drafts(count)]
    superuser()
    # The tasks queued after each commit (render the PDF and UBL, send the document) are left
    # out: every module that queues them does it through its `queue_task`, replaced here by a
    # no-op the forked workers inherit.
    queued = {module: module.queue_task for module in (invoice_services, sending)}
    for module in queued:
        module.queue_task = lambda *args: None
    try:
        chunks = [drafts[index::workers] for index in range(workers)]
        elapsed = _in_processes(workers, _issue_chunk, chunks)
    finally:
        for module, queue_task in queued.items():
            module.queue_task = queue_task
    bare_elapsed = _in_processes(workers, _bare_chunk, [count // workers] * workers)
    rate, bare_rate = count / elapsed, count / bare_elapsed
    return Figure(
        2, f"invoice issuing, {workers} concurrent workers, one series", rate, "invoices/s",
        "≥ 50/s; issue 19: ≥ 0.40× the bare counter", rate >= 50 and rate >= 0.4 * bare_rate,
        baseline=f"bare locked counter {bare_rate:,.0f}/s", ratio=f"{rate / bare_rate:.2f}×",
        notes=[f"{count} drafts issued (number, hash chain, ledger, audit) by {workers} worker "
               f"processes with their own connections, on {cpu_count()} cores; the after-commit "
               "PDF/UBL/sending tasks are left out (figure 3 measures the PDF). The bench "
               "database keeps these invoices."],
    )  # fmt: skip


# 3: PDF rendering in a warm process.

MINIMAL_HTML = "<html><body><h1>Bench</h1><p>Une page.</p></body></html>"


def pdf_rendering(renders: int = 1000, sample: int = 100) -> Figure:
    invoices = list(
        Invoice.objects.filter(status="issued")
        .select_related("unit", "client", "legal_entity", "series")
        .order_by("pk")[:sample]
    )
    for invoice in invoices[:3]:
        render_pdf(invoice)  # warm: fonts, templates, caches
    render_html_to_pdf(MINIMAL_HTML)
    rss_start = rss_mib()
    start = time.perf_counter()
    for index in range(renders):
        render_pdf(invoices[index % len(invoices)])
    elapsed = time.perf_counter() - start
    rss_growth = rss_mib() - rss_start
    bare = statistics.median(timed(render_html_to_pdf, MINIMAL_HTML)[0] for _ in range(20))
    rate, bare_rate = renders / elapsed, 1 / bare
    return Figure(
        3, "invoice PDF rendering, warm process, one core", rate, "PDF/s",
        "≥ 5/s per core, RSS growth < 50 MB over 1,000; issue 19: ≥ 0.20× the minimal page",
        rate >= 5 and rss_growth < 50 and rate >= 0.2 * bare_rate,
        baseline=f"minimal one-page HTML {bare_rate:,.1f}/s", ratio=f"{rate / bare_rate:.2f}×",
        notes=[f"{renders:,} renders of {len(invoices)} different issued invoices; resident "
               f"memory grew by {rss_growth:.1f} MiB (after a warm-up of 3 renders)."],
    )  # fmt: skip


# 11: the same rendering in a pool of worker processes, as the Celery workers run it.


def _pdf_worker_warm() -> None:
    """A pool process's start: its own connection, fonts and templates loaded (one render)."""
    connections.close_all()  # never share the parent's connection
    first = Invoice.objects.filter(status="issued").order_by("pk").first()
    if first is not None:
        render_pdf(first)


def _pdf_worker_render(invoice_ids: list[int]) -> int:
    for invoice in Invoice.objects.filter(pk__in=invoice_ids).select_related(
        "unit", "client", "legal_entity", "series"
    ):
        render_pdf(invoice)
    return len(invoice_ids)


def _pdf_worker_warm_ack(_index: int) -> None:
    return None


def _pdf_rate(processes: int, ids: list[int], chunk: int) -> float:
    connections.close_all()
    chunks = [ids[i : i + chunk] for i in range(0, len(ids), chunk)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_pdf_worker_warm) as pool:
        pool.map(_pdf_worker_warm_ack, range(processes))  # every process started and warm
        start = time.perf_counter()
        done = sum(pool.map(_pdf_worker_render, chunks))
        elapsed = time.perf_counter() - start
    return done / elapsed


def pdf_scaling(renders: int = 400, chunk: int = 10) -> Figure:
    """Figure 11: invoice PDFs rendered by 1 process, then by as many as the machine's cores
    (each warm, its own database connection): the rate should grow with the processes."""
    ids = list(
        Invoice.objects.filter(status="issued").order_by("pk").values_list("pk", flat=True)[:100]
    )
    ids = (ids * (renders // max(len(ids), 1) + 1))[:renders]
    cores = cpu_count()
    one = _pdf_rate(1, ids, chunk)
    many = _pdf_rate(cores, ids, chunk)
    return Figure(
        11, f"invoice PDF rendering, 1 and {cores} worker processes", many, "PDF/s",
        f"grows with the processes: ≥ {0.75 * cores:.1f}× one process on {cores} cores",
        many >= 0.75 * cores * one, baseline=f"one process {one:,.1f}/s",
        ratio=f"{many / one:.2f}×",
        notes=[f"{renders:,} renders of {len(set(ids))} issued invoices, chunks of {chunk}, "
               f"by a fork pool of warm processes (fonts and templates loaded before timing)."],
    )  # fmt: skip


# 6: back-office lists.

ADMIN_PAGES = {
    "invoices, issued": ("admin:invoicing_invoice_changelist", "?status__exact=issued"),
    "invoices, search": ("admin:invoicing_invoice_changelist", "?q=Prestation"),
    "members, category A": ("admin:members_member_changelist", "?category__exact=A"),
    "units, Activité": (
        "admin:production_units_productionunit_changelist",
        "?tool__exact=activity",
    ),
}


def admin_lists(repeat: int = 5) -> Figure:
    user = superuser()
    client = HttpClient()
    client.force_login(user)
    timings = {}
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, SMARTCOOP_STAFF_MFA_REQUIRED=False,
        STORAGES=storages,
    ):  # fmt: skip
        client.get("/health/")
        health = statistics.median(timed(client.get, "/health/")[0] for _ in range(repeat))
        for name, (url_name, query) in ADMIN_PAGES.items():
            url = reverse(url_name) + query
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            timings[name] = statistics.median(timed(client.get, url)[0] for _ in range(repeat))
    worst = max(timings.values())
    return Figure(
        6, "back-office list pages (slowest)", worst * 1000, "ms",
        "< 300 ms each; issue 19: < 50 ms on a machine like the first", worst < 0.05,
        baseline=f"/health/ {health * 1000:,.1f} ms",
        ratio=f"{worst / health:.0f}×",
        notes=[f"{name}: {value * 1000:,.0f} ms (median of {repeat})"
               for name, value in timings.items()],
    )  # fmt: skip


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
