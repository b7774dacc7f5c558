"""python manage.py bench: measure the hot paths on the current (full-size) PostgreSQL database
and write docs/BENCHMARKS.md. `make bench` prepares the database first."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.bench import accounting, cases, dashboard, load, voting
from devtools.bench.results import Figure, machine, markdown, python_speed
from devtools.management.commands.bench_receipts import kept_section
from governance.models import EncryptedBallot, GeneralAssembly
from invoicing.models import Invoice
from members.models import Member
from payroll.models import Contract, ExpenseClaim, WorkDay
from production_units.models import LedgerEntry, ProductionUnit


def _dataset() -> dict:
    return {
        "members": Member.objects.count(),
        "production units": ProductionUnit.objects.count(),
        "invoices and credit notes": Invoice.objects.count(),
        "contracts": Contract.objects.count(),
        "work days": WorkDay.objects.count(),
        "expense claims": ExpenseClaim.objects.count(),
        "ledger entries": LedgerEntry.objects.count(),
        "general assemblies (results published)": GeneralAssembly.objects.filter(
            status=GeneralAssembly.Status.PUBLISHED
        ).count(),
        "online ballots": EncryptedBallot.objects.count(),
    }


class Command(BaseCommand):
    help = "Measure the hot paths (issues 6, 13 and 18) and write docs/BENCHMARKS.md."

    def add_arguments(self, parser):
        parser.add_argument("--period", default="2025-06", help="month of the runs (YYYY-MM)")
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs/BENCHMARKS.md"))
        parser.add_argument("--only", default="", help="comma-separated figure numbers")
        parser.add_argument("--renders", type=int, default=1000)
        parser.add_argument("--issues", type=int, default=400)
        parser.add_argument("--load-seconds", type=int, default=60)
        parser.add_argument("--portal-users", type=int, default=200, help="figure 4")
        parser.add_argument("--web-workers", type=int, default=2, help="figure 4: gunicorn's")
        parser.add_argument("--voters", type=int, default=100, help="figure 7")
        parser.add_argument("--ballots", type=int, default=45_000, help="figure 8")
        parser.add_argument("--note", action="append", default=[], help="a line for Notes")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmarks need PostgreSQL (set DATABASE_URL).")
        year, month = (int(part) for part in options["period"].split("-"))
        period = date(year, month, 1)
        only = {int(n) for n in options["only"].split(",") if n.strip()}
        wanted = lambda n: not only or n in only  # noqa: E731
        info, dataset = machine(), _dataset()
        self.stdout.write(f"Dataset: {dataset}")
        figures: dict[int, Figure] = {}
        portal_users, load_seconds = options["portal_users"], options["load_seconds"]
        web_workers = options["web_workers"]
        steps = [
            ((1, 5), lambda: cases.payroll_and_contributions(period)),
            ((2,), lambda: (cases.issuing_throughput(count=options["issues"]),)),
            ((3,), lambda: (cases.pdf_rendering(renders=options["renders"]),)),
            ((6,), lambda: (cases.admin_lists(),)),
            (
                (4,),
                lambda: (
                    load.portal_load(users=portal_users, seconds=load_seconds, workers=web_workers),
                ),
            ),
            ((7,), lambda: (voting.voters_load(users=options["voters"]),)),
            ((8,), lambda: (voting.tally_45000(count=options["ballots"]),)),
            ((9,), lambda: (dashboard.dashboard(),)),
            ((10,), lambda: (accounting.accounting_page(),)),
            ((11,), lambda: (cases.pdf_scaling(),)),
        ]
        for numbers, step in steps:
            if not any(wanted(n) for n in numbers):
                continue
            self.stdout.write(f"Measuring {', '.join(map(str, numbers))}…")
            try:
                for figure in step():
                    figures[figure.number] = figure
                    self.stdout.write(
                        f"  {figure.number}. {figure.name}: {figure.value:,.2f} {figure.unit} "
                        f"(target {figure.target}: {'met' if figure.met else 'NOT met'})"
                    )
            except Exception as error:
                for number in numbers:
                    figures[number] = Figure(
                        number, f"figure {number}", None, "", "", None,
                        notes=[f"failed: {type(error).__name__}: {error}"],
                    )  # fmt: skip
                self.stderr.write(f"  failed: {type(error).__name__}: {error}")
        info["speed at the end"] = python_speed()
        history = Path(settings.BASE_DIR) / "docs" / "benchmarks-history.md"
        report = markdown(
            info, dataset, [figures[n] for n in sorted(figures)], options["note"],
            history.read_text(encoding="utf-8") if history.exists() else "",
        )  # fmt: skip
        out = Path(options["out"])
        # The receipts' OCR figures are measured apart (manage.py bench_receipts): kept.
        receipts = kept_section(out.read_text(encoding="utf-8")) if out.exists() else ""
        out.write_text(report + ("\n" + receipts if receipts else ""), encoding="utf-8")
        self.stdout.write(report)
        self.stdout.write(self.style.SUCCESS(f"Written to {options['out']}"))
