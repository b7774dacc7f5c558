"""`manage.py activity_report --year 2025 --lang fr --out rapport.pdf`: the key-figure pages
of the activity report, from the dashboards' snapshots (each missing section computed)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from reports.document_services import report_pdf
from reports.documents import LANGUAGES
from reports.models import ReportDocument


class Command(BaseCommand):
    help = "Write the key-figure pages of the activity report of a year as a PDF."
    kind = ReportDocument.Kind.ACTIVITY
    languages = LANGUAGES  # the first is the default

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--lang", choices=self.languages, default=self.languages[0])
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if not 2000 <= options["year"] <= today.year:
            self.stderr.write(f"No figures for {options['year']}.")
            raise SystemExit(2)
        pdf = report_pdf(
            kind=self.kind,
            year=options["year"],
            language=options["lang"],
            today=today,
        )
        options["out"].write_bytes(pdf)
        self.stdout.write(f"{options['out']}: {len(pdf)} bytes")
