from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members.exports import (
    FORMATS,
    REGISTER_COLUMNS,
    member_extract_export,
    register_export,
    register_write_csv,
)
from members.models import Member
from members.selectors import register_at

# Kept for callers of the first version of this command.
CSV_COLUMNS = REGISTER_COLUMNS
write_csv = register_write_csv


class Command(BaseCommand):
    help = (
        "Export the share register as it stood at the end of a date (today by default), "
        "computed from its operations alone: CSV (to --out or standard output), XLSX or PDF "
        "(--out required). With --member NUMBER, that member's register extract instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="the register at this date")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--out", metavar="FILE", help="file to write")
        parser.add_argument(
            "--include-former",
            action="store_true",
            help="also the members who held shares before and hold none on that date",
        )
        parser.add_argument("--language", choices=["fr", "nl", "en"], default="fr")
        parser.add_argument(
            "--member", metavar="NUMBER", type=int, help="one member's extract (by member number)"
        )

    def handle(self, *args, **options):
        at = self._date(options["date"])
        fmt, out = options["format"], options["out"]
        if fmt != "csv" and not out:
            raise CommandError(f"A {fmt.upper()} file needs --out FILE.", returncode=1)
        if options["member"] is not None:
            self._member_extract(options["member"], at, fmt, out)
            return
        rows = register_at(at, include_former=options["include_former"])
        if out is None:
            register_write_csv(rows, self.stdout)
            return
        export = register_export(at=at, fmt=fmt, language=options["language"], rows=rows)
        Path(out).write_bytes(export.content)
        self.stderr.write(f"{len(rows)} member(s) on {at.isoformat()} written to {out}")

    def _member_extract(self, number: int, at: date, fmt: str, out: str | None) -> None:
        member = Member.objects.filter(number=number).first()
        if member is None:
            raise CommandError(f"--member {number}: no member with this number.", returncode=1)
        export = member_extract_export(member=member, at=at, fmt=fmt)
        if out is None:
            self.stdout.write(export.content.decode("utf-8"), ending="")
            return
        Path(out).write_bytes(export.content)
        self.stderr.write(f"Extract of member {number} on {at.isoformat()} written to {out}")

    def _date(self, value: str | None) -> date:
        if not value:
            return timezone.localdate()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--date {value}: expected YYYY-MM-DD.", returncode=1) from None
