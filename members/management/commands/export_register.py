import csv
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members.pdf import render_register_pdf
from members.selectors import register_at

CSV_COLUMNS = [
    "member_number",
    "name",
    "category",
    "member_since",
    "left_on",
    "shares_held",
    "nominal_amount",
    "paid_up",
    "refunded",
    "paid_up_not_refunded",
    "unpaid",
]


def write_csv(rows, stream) -> None:
    """The register rows as CSV: amounts with a point, dates ISO 8601, one row per member."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        position = row.position
        writer.writerow(
            [
                row.number,
                row.name,
                row.category,
                row.member_since.isoformat() if row.member_since else "",
                row.left_on.isoformat() if row.left_on else "",
                position.held,
                f"{position.nominal:.2f}",
                f"{position.paid_up:.2f}",
                f"{position.refunded:.2f}",
                f"{position.refundable:.2f}",
                f"{position.unpaid:.2f}",
            ]
        )


class Command(BaseCommand):
    help = (
        "Export the share register as it stood at the end of a date (today by default), "
        "computed from its operations alone: CSV (to --out or standard output) or PDF "
        "(--out required)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="the register at this date")
        parser.add_argument("--format", choices=["csv", "pdf"], default="csv")
        parser.add_argument("--out", metavar="FILE", help="file to write")
        parser.add_argument(
            "--include-former",
            action="store_true",
            help="also the members who held shares before and hold none on that date",
        )
        parser.add_argument("--language", choices=["fr", "nl", "en"], default="fr")

    def handle(self, *args, **options):
        at = self._date(options["date"])
        rows = register_at(at, include_former=options["include_former"])
        out = options["out"]
        if options["format"] == "pdf":
            if not out:
                raise CommandError("A PDF needs --out FILE.", returncode=1)
            Path(out).write_bytes(render_register_pdf(at, language=options["language"], rows=rows))
        elif out:
            with Path(out).open("w", newline="", encoding="utf-8") as stream:
                write_csv(rows, stream)
        else:
            write_csv(rows, self.stdout)
        if out:
            self.stderr.write(f"{len(rows)} member(s) on {at.isoformat()} written to {out}")

    def _date(self, value: str | None) -> date:
        if not value:
            return timezone.localdate()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--date {value}: expected YYYY-MM-DD.", returncode=1) from None
