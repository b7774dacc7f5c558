"""Generate a year that looks like Smart's 2025 report into an empty PostgreSQL database.

Stages (each printed with its counts and seconds): members and accounts, shares (and the
year's withdrawals), units, clients, invoices (numbering, structured references, hash chain,
ledger postings and audit as invoicing.invoice_services.invoice_issue makes them), their
payments (bank statements), work (workers, contracts, work days, Dimona, employment costs),
expense claims, loans, counters, then the year's general assembly
convened, voted and counted through the governance services (devtools/dataset/assembly.py).
Everything in one transaction: a failure leaves the database as it was.
"""

import os
import random
import time
from datetime import date

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from core import roles
from core.models import AuditEvent, Counter
from invoicing.models import Client, Invoice, InvoiceSeries, VatExemptionReason
from members.models import LegalEntity, Member, Office, SharePolicy, User
from payroll.models import Worker
from production_units.models import LedgerEntry, ProductionUnit, Sector

from .assembly import AssemblyGenerator
from .capital import write_loans
from .invoices import InvoiceGenerator
from .payments import PaymentGenerator
from .people import PeopleGenerator
from .work import WorkGenerator
from .writer import BulkWriter, Stage, as_json


class DatasetError(Exception):
    """The dataset can't be generated here (not PostgreSQL, not empty, bad scale)."""


SCALES = {"smart": 1.0}


def parse_scale(value: str) -> float:
    """'smart' → 1.0; '0.01' → 0.01 (more than 0, at most 1)."""
    if value in SCALES:
        return SCALES[value]
    try:
        scale = float(value)
    except ValueError:
        raise DatasetError(f"--scale takes 'smart' or a number, not {value!r}.") from None
    if not 0 < scale <= 1:
        raise DatasetError("--scale is more than 0 and at most 1 ('smart' is 1).")
    return scale


GUARDED = (Member, User, ProductionUnit, Client, Invoice, Worker, LedgerEntry)


def check_database() -> None:
    if connection.vendor != "postgresql":
        raise DatasetError(
            "generate_dataset writes with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL "
            f"database (this one is {connection.vendor})."
        )
    filled = [model._meta.verbose_name_plural for model in GUARDED if model.objects.exists()]
    if filled:
        raise DatasetError(
            "generate_dataset fills an empty database (migrated, nothing else); this one "
            f"already has {', '.join(str(name) for name in filled)}. Use a new database."
        )


class Context:
    """What every stage shares: the seed, the writer, the reference data, the counters."""

    def __init__(self, *, scale: float, year: int, seed: int, log):
        self.scale, self.year, self.seed, self.log = scale, year, seed, log
        self.writer = BulkWriter(log)
        self.counters: dict[str, int] = {}
        self.offices = {office.code: office for office in Office.objects.all()}
        self.legal_entities = {entity.code: entity for entity in LegalEntity.objects.all()}
        self.sectors = {sector.code: sector for sector in Sector.objects.all()}
        self.series = {
            (series.legal_entity.code, series.kind): series
            for series in InvoiceSeries.objects.select_related("legal_entity")
        }
        self.exemptions = {}
        for reason in VatExemptionReason.objects.order_by("id"):
            self.exemptions.setdefault(reason.category, reason)
        self.groups = {
            name: Group.objects.get_or_create(name=name)[0].pk
            for name in (roles.MEMBER, roles.ADVISOR)
        }
        policies = list(SharePolicy.objects.order_by("valid_from"))
        if not policies:
            raise DatasetError("No share policy: run the migrations first.")
        self.share_policies = policies
        self.share_policy_since = policies[0].valid_from
        self._content_types: dict = {}
        self._audit_id = None
        self.advisor_user_ids: list[int] = []

    def rng(self, stage: str) -> random.Random:
        """The random source of one stage: the same seed gives the same stage."""
        return random.Random(f"{self.seed}:{stage}")  # noqa: S311 (test data, not secrets)

    def content_type(self, model) -> int:
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(
                model, for_concrete_model=True
            ).pk
        return self._content_types[model]

    def share_price_on(self, day: date):
        for policy in reversed(self.share_policies):
            if policy.valid_from <= day and (policy.valid_to is None or policy.valid_to >= day):
                return policy.share_price
        return self.share_policies[0].share_price

    def next_audit_id(self, count: int) -> int:
        """Reserve `count` audit ids; returns the first."""
        if self._audit_id is None:
            self._audit_id = self.writer.next_id(AuditEvent)
        first = self._audit_id
        self._audit_id += count
        return first

    def audit_many(self, events) -> int:
        """Write audit events given as (at, actor_id, action, content_type_id, object_id,
        object_repr, changes), as core.audit.audit_log would (ids in order)."""
        events = list(events)
        first = self.next_audit_id(len(events))
        return self.writer.copy(
            AuditEvent,
            ["id", "at", "action", "object_id", "object_repr", "changes", "reason", "actor_id",
             "content_type_id"],
            (
                (first + i, when, action, str(object_id), repr_[:200], as_json(changes), "",
                 actor, content_type)
                for i, (when, actor, action, content_type, object_id, repr_, changes)
                in enumerate(events)
            ),
        )  # fmt: skip

    def write_counters(self) -> None:
        for key in self.counters:
            if Counter.objects.filter(key=key).exists():
                raise DatasetError(f"Counter {key} already exists.")
        first = self.writer.next_id(Counter)
        self.writer.copy(
            Counter,
            ["id", "key", "value"],
            (
                (first + i, key, value)
                for i, (key, value) in enumerate(sorted(self.counters.items()))
            ),
        )


# Written by the governance services in the assembly stage (not by the COPY writer).
ASSEMBLY_TABLES = [
    "governance_voterrollentry", "governance_participation", "governance_encryptedballot",
    "governance_clearballot", "governance_itemresult", "governance_proxy",
]  # fmt: skip


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds used by a local process (the database backend), when /proc shows it:
    on a shared machine the wall time says more about the neighbours than about us."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def generate(*, scale: float, year: int, seed: int, log=print) -> dict:
    """Fill the database; returns the row counts per table. Raises DatasetError."""
    started, cpu = time.monotonic(), time.process_time()
    backend = _backend_pid()
    with transaction.atomic():
        check_database()
        ctx = Context(scale=scale, year=year, seed=seed, log=log)
        people = PeopleGenerator(ctx)
        with Stage(log, "plan holders and units") as stage:
            people.plan()
            stage.note(holders=len(people.holders), units=len(people.units))
        with Stage(log, "members, accounts and shares") as stage:
            people.write()
            stage.note(
                members=len(people.people),
                shares=people.total_shares,
                withdrawn=people.shares_withdrawn,
            )
        with Stage(log, "production units") as stage:
            people.write_units()
            stage.note(units=len(people.units), active=len(people.active_units))
        invoices = InvoiceGenerator(ctx, people)
        with Stage(log, "clients") as stage:
            invoices.write_clients()
            stage.note(clients=invoices.client_count, links=invoices.link_count)
        with Stage(log, "invoices, hash chains and ledger") as stage:
            invoices.write_invoices()
            stage.note(invoices=invoices.invoice_count, lines=invoices.line_count)
        payments = PaymentGenerator(ctx, invoices.issued)
        with Stage(log, "payments and bank statements") as stage:
            payments.write()
            stage.note(
                payments=payments.payment_count,
                statements=payments.statement_count,
                receivables_euros=int(payments.receivables),
                paid_late=payments.paid_late,
                unpaid=payments.unpaid,
            )
            log(f"  every payment delay × {payments.factor:.3f} (calibrated on the receivables)")
        work = WorkGenerator(ctx, people)
        with Stage(log, "workers") as stage:
            work.write_workers()
            stage.note(workers=len(work.workers))
        with Stage(log, "contracts and work days") as stage:
            work.write_contracts()
            stage.note(contracts=work.contract_count, days=work.day_count)
        with Stage(log, "expense claims") as stage:
            work.write_expenses()
            stage.note(claims=work.claim_count)
        with Stage(log, "loans") as stage:
            loans, entries = write_loans(ctx, people.active_units)
            stage.note(loans=loans, ledger_entries=entries)
        with Stage(log, "counters and sequences") as stage:
            ctx.write_counters()
            ctx.writer.reset_sequences()
            stage.note(counters=len(ctx.counters))
        # After the sequences: the governance services write with the tables' own ids.
        assembly = AssemblyGenerator(ctx)
        with Stage(log, "general assembly, ballots and count") as stage:
            assembly.write()
            stage.note(**assembly.counts)
    with Stage(log, "analyse") as stage:
        # The written tables only: a database-wide ANALYZE also takes the shared catalogs
        # and waits behind other databases' sessions.
        written = sorted({*ctx.writer.counts, *ASSEMBLY_TABLES})
        tables = ", ".join(f'"{table}"' for table in written)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
        stage.note(tables=len(written))
    database_cpu = _cpu_seconds(backend)
    log(
        f"Done in {time.monotonic() - started:.1f} s (CPU: this process "
        f"{time.process_time() - cpu:.1f} s"
        + (f", its database backend {database_cpu:.1f} s" if database_cpu is not None else "")
        + ")."
    )
    return dict(ctx.writer.counts)
