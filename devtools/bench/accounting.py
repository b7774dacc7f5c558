"""10: my accounting view for one of the biggest units (issue 18): a unit with 2,000 invoices
and credit notes and 5,000 ledger entries in the year (and as many the year before, for the
comparison), built by the case itself in a transaction rolled back afterwards, so it runs on
any migrated database with the demo's people (`seed_demo`)."""

import statistics
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from core.bulk import insert_rows
from devtools import demo
from invoicing.models import Client, Invoice, InvoiceSeries
from invoicing.services import client_create
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import unit_open

from .cases import Rollback
from .results import Figure, timed

KINDS_BESIDES_TURNOVER = (
    (LedgerEntry.Kind.EMPLOYMENT_COST, Decimal("-812.37")),
    (LedgerEntry.Kind.EXPENSE, Decimal("-43.19")),
    (LedgerEntry.Kind.PURCHASE, Decimal("-127.80")),
)
BARE_SQL = """
    SELECT EXTRACT(YEAR FROM booked_on), EXTRACT(MONTH FROM booked_on), kind, SUM(amount)
    FROM production_units_ledgerentry
    WHERE unit_id = %s AND booked_on BETWEEN %s AND %s GROUP BY 1, 2, 3
"""


def _day(year: int, index: int, count: int) -> date:
    return date(year, 1, 1) + timedelta(days=index * 365 // count)


def _big_unit(year: int, documents: int, entries: int):
    """alice's new unit with `documents` issued invoices (5 % of them credit notes) and
    `entries` ledger entries in `year` (the documents' turnover, a contribution per pillar and
    month, salaries, expenses, purchases), and as many entries in the year before."""
    alice, claire = demo.ensure_alice(), demo.ensure_claire()
    template = ProductionUnit.objects.get(code="UP-0002")
    unit = unit_open(
        by=claire, holder=alice.member, code="UP-BENCH-18", name="Bench accounting",
        tool=ProductionUnit.Tool.ACTIVITY, sector=template.sector,
        legal_entity=template.legal_entity, opened_on=date(year - 1, 1, 1),
    )  # fmt: skip
    reference = Client.objects.get(name="Théâtre de la Place")
    clients = [
        client_create(
            by=alice,
            units=[unit],
            kind=Client.Kind.COMPANY,
            name=f"Bench client {n:02d}",
            country="BE",
            enterprise_number=reference.enterprise_number,
            street="Rue de la Loi 16",
            postal_code="1000",
            city="Bruxelles",
            email=f"bench{n}@client.test",
        )  # fmt: skip
        for n in range(40)
    ]
    series = {s.kind: s for s in InvoiceSeries.objects.filter(legal_entity=template.legal_entity)}
    now = timezone.now()
    documents_made: dict[int, Invoice] = {}
    for credit_pass in (False, True):  # the credit notes after the invoices they credit
        batch = []
        for index in range(documents):
            credit = index % 20 == 19
            if credit != credit_pass:
                continue
            day = _day(year, index, documents)
            net = Decimal(100 + (index * 37) % 900) + Decimal("0.45")
            vat = (net * Decimal("0.21")).quantize(Decimal("0.01"))
            kind = InvoiceSeries.Kind.CREDIT_NOTE if credit else InvoiceSeries.Kind.INVOICE
            documents_made[index] = Invoice(
                kind=kind, status=Invoice.Status.ISSUED, unit=unit,
                client=clients[index % len(clients)], legal_entity=template.legal_entity,
                series=series[kind], year=year, number=900_000 + index, issue_date=day,
                due_date=day + timedelta(days=30), net_total=net, vat_total=vat,
                total=net + vat, credited_invoice=documents_made[index - 1] if credit else None,
                hash=f"{index:064d}", issued_at=now, created_by=alice,
            )  # fmt: skip
            batch.append(documents_made[index])
        Invoice.objects.bulk_create(batch)
    invoices = [documents_made[index] for index in sorted(documents_made)]
    invoice_type = ContentType.objects.get_for_model(Invoice).pk
    rows = [
        (unit.pk, LedgerEntry.Kind.TURNOVER.value,
         -i.net_total if i.kind == Invoice.Kind.CREDIT_NOTE else i.net_total,
         i.issue_date, f"Invoice {i.number}", invoice_type, str(i.pk), now)
        for i in invoices
    ]  # fmt: skip
    for month in range(1, 13):
        for kind in (
            LedgerEntry.Kind.TURNOVER_CONTRIBUTION,
            LedgerEntry.Kind.EMPLOYMENT_CONTRIBUTION,
        ):
            rows.append((unit.pk, kind.value, Decimal("-512.30"), date(year, month, 28),
                         "Contribution", None, "", now))  # fmt: skip
    others = entries - len(rows)
    for index in range(others):
        kind, amount = KINDS_BESIDES_TURNOVER[index % 3]
        rows.append((unit.pk, kind.value, amount, _day(year, index, others), "Cost", None, "", now))
    rows += [
        (unit.pk, kind, amount, date(year - 1, day.month, min(day.day, 28)), label, None, "", now)
        for (_unit, kind, amount, day, label, _type, _id, _at) in rows
    ]
    fields = (
        "unit",
        "kind",
        "amount",
        "booked_on",
        "label",
        "source_type",
        "source_id",
        "created_at",
    )
    insert_rows(LedgerEntry, fields, rows)
    # What autovacuum does to a real database after such inserts: without fresh statistics
    # the planner takes the new rows for a handful and scans where it should look up (3.6 s
    # instead of about 0.1 s for the page on the small demo database).
    with connection.cursor() as cursor:
        for model in (Invoice, LedgerEntry, Client):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return alice, unit


def _median(function, repeat: int) -> float:
    function()  # warm
    return statistics.median(timed(function)[0] for _ in range(repeat))


def accounting_page(documents: int = 2000, entries: int = 5000, repeat: int = 7) -> Figure:
    year = timezone.localdate().year
    measured: dict[str, float | int] = {}
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with transaction.atomic():
            alice, unit = _big_unit(year, documents, entries)
            measured["entries"] = LedgerEntry.objects.filter(
                unit=unit, booked_on__year=year
            ).count()
            http = HttpClient()
            http.force_login(alice)
            with (
                override_settings(
                    ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False, STORAGES=storages
                ),
                connection.cursor() as cursor,
            ):
                page = reverse("portal:accounting_unit", args=[unit.pk])
                if http.get(page).status_code != 200:
                    raise RuntimeError(f"{page}: not 200")
                measured["unit"] = _median(lambda: http.get(page), repeat)
                measured["all"] = _median(lambda: http.get(reverse("portal:accounting")), repeat)
                csv_url = reverse("portal:accounting_unit_csv", args=[unit.pk])
                measured["csv"] = _median(lambda: http.get(csv_url), 3)
                measured["health"] = _median(lambda: http.get("/health/"), repeat)
                params = [unit.pk, date(year - 1, 1, 1), date(year, 12, 31)]
                measured["bare"] = _median(lambda: cursor.execute(BARE_SQL, params), repeat)
            raise Rollback
    except Rollback:
        pass
    worst = max(measured["unit"], measured["all"])
    return Figure(
        10, f"my accounting view, a unit with {documents:,} invoices and "
        f"{measured['entries']:,} ledger entries in {year}", worst * 1000, "ms", "< 300 ms",
        worst < 0.3, baseline=f"bare SQL month × kind sums {measured['bare'] * 1000:,.1f} ms; "
        f"/health/ {measured['health'] * 1000:,.1f} ms",
        ratio=f"{worst / measured['bare']:.0f}× bare SQL",
        notes=[
            f"the unit's page {measured['unit'] * 1000:,.0f} ms, all my units (the same unit and "
            f"two small ones) {measured['all'] * 1000:,.0f} ms: median of {repeat} after one warm "
            "request, through Django's test client (no network); every open invoice unpaid "
            "(the receivables' worst case); the year before has as many entries.",
            f"the year's movements as CSV (with the documents' references): "
            f"{measured['csv'] * 1000:,.0f} ms.",
            "Data built by the case (bulk inserts) and rolled back afterwards.",
        ],
    )  # fmt: skip
