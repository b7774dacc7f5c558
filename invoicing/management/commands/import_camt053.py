from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invoicing.payment_services import bank_statement_import


class Command(BaseCommand):
    help = (
        "Import camt.053 bank statements: each entry becomes a payment, matched to an invoice "
        "by structured reference, else by amount and client; the rest waits for an advisor. "
        "A bad file saves nothing (exit code 1); the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        bad = 0
        for name in files:
            try:
                data = Path(name).read_bytes()
            except OSError as exc:
                self.stderr.write(f"{name}: {exc.strerror or exc}")
                bad += 1
                continue
            try:
                result = bank_statement_import(file_bytes=data, by=None)
            except ValidationError as exc:
                self.stderr.write(f"{name}: nothing imported: {'; '.join(exc.messages)}")
                bad += 1
                continue
            if result.already_imported:
                self.stdout.write(f"{name}: already imported, nothing changed.")
                continue
            self.stdout.write(
                f"{name}: {', '.join(result.statements)}: {result.created} payment(s) created "
                f"({result.matched} matched, {result.unmatched} to match, {result.ignored} "
                f"set aside), {result.skipped_duplicates} already imported, "
                f"{result.not_booked} not booked."
            )
        if bad:
            raise CommandError(f"{bad} file(s) not imported.", returncode=1)
