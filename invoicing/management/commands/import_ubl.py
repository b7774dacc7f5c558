from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invoicing.inbound import inbound_ubl_import
from invoicing.models import Purchase


class Command(BaseCommand):
    help = (
        "Import suppliers' UBL invoices as purchases: each is posted to the Activité unit its "
        "buyer reference names, or queued for an advisor. One line per file; exit code 1 "
        "when a file could not be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="UBL invoice files")

    def handle(self, *args, files, **options):
        failures = 0
        for name in files:
            try:
                data = Path(name).read_bytes()
                purchase = inbound_ubl_import(file_bytes=data, by=None)
            except OSError as exc:
                failures += 1
                self.stderr.write(f"{name}: ERROR: cannot read the file ({exc.strerror}).")
                continue
            except ValidationError as exc:
                failures += 1
                self.stderr.write(f"{name}: ERROR: {' '.join(exc.messages)}")
                continue
            label = f"{purchase.supplier_name} {purchase.supplier_invoice_number}"
            if purchase.status == Purchase.Status.POSTED:
                self.stdout.write(
                    f"{name}: posted to {purchase.unit.code}: {label}, "
                    f"{purchase.net_total} € excl. VAT"
                )
            else:
                self.stdout.write(f"{name}: queued for an advisor: {label}: {purchase.problem}")
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) not imported.", returncode=1)
