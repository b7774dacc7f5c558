import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch, Q

from invoicing.models import Invoice, InvoiceLine
from invoicing.ubl import build_ubl

NUMBER = re.compile(r"^(?P<series>[A-Za-z0-9]+)-(?P<year>\d{4})-(?P<number>\d{1,6})$")


def _issued_documents():
    return (
        Invoice.objects.issued()
        .select_related("series", "legal_entity", "credited_invoice__series")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=InvoiceLine.objects.select_related("exemption_reason").order_by(
                    "position"
                ),
            )
        )
        .order_by("legal_entity__code", "series__code", "year", "number")
    )


class Command(BaseCommand):
    help = (
        "Write the Peppol BIS Billing 3.0 UBL of issued invoices and credit notes, one file "
        "each, as DIR/<legal entity>/<number>.xml. Name documents by number (F-2026-000001) "
        "or export them --all. An unknown number is an error (exit code 1) and nothing is "
        "written."
    )

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", metavar="NUMBER", help="e.g. F-2026-000001")
        parser.add_argument("--out", required=True, metavar="DIR", help="folder to write to")
        parser.add_argument(
            "--all", action="store_true", dest="all_documents", help="every issued document"
        )
        parser.add_argument(
            "--entity", metavar="CODE", help="only the documents of this legal entity"
        )
        parser.add_argument(
            "--validate",
            action="store_true",
            help="check each file against the Peppol rules in PEPPOL_RULES_DIR (exit code 1 "
            "when one fails)",
        )

    def handle(self, *args, numbers, out, all_documents, entity, validate, **options):
        if all_documents == bool(numbers):
            raise CommandError("Name documents by number or use --all (not both).", returncode=1)
        out_dir = Path(out)
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(f"--out {out} is not a folder.", returncode=1)
        documents = _issued_documents()
        if entity:
            documents = documents.filter(legal_entity__code=entity)
        if numbers:
            documents = self._by_numbers(documents, numbers)
        if validate:
            # inside: the Peppol rules load Saxon (slow to start), only with --validate
            from invoicing import peppol

            if not peppol.rules_available():
                raise CommandError(
                    f"No Peppol validation artefacts in {peppol.rules_dir()}.", returncode=1
                )
        written, invalid = 0, 0
        for invoice in documents.iterator(chunk_size=500):
            xml = build_ubl(invoice)
            path = out_dir / invoice.legal_entity.code / f"{invoice.display_number}.xml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(xml)
            written += 1
            self.stdout.write(str(path))
            if validate:
                invalid += self._report_violations(path, xml)
        self.stdout.write(self.style.SUCCESS(f"{written} UBL file(s) written to {out_dir}."))
        if invalid:
            raise CommandError(f"{invalid} file(s) break the Peppol rules.", returncode=1)

    def _by_numbers(self, documents, numbers):
        wanted = Q(pk__in=[])
        malformed = []
        for text in numbers:
            match = NUMBER.match(text.strip())
            if match is None:
                malformed.append(text)
                continue
            wanted |= Q(
                series__code__iexact=match["series"],
                year=int(match["year"]),
                number=int(match["number"]),
            )
        if malformed:
            raise CommandError(
                f"Not a document number (expected like F-2026-000001): {', '.join(malformed)}",
                returncode=1,
            )
        documents = documents.filter(wanted)
        found = {
            f"{series.upper()}-{year}-{number:06d}"
            for series, year, number in documents.values_list("series__code", "year", "number")
        }
        unknown = [text for text in numbers if self._normalised(text) not in found]
        if unknown:
            raise CommandError(
                f"No issued invoice or credit note numbered: {', '.join(unknown)}. "
                "Nothing was written.",
                returncode=1,
            )
        return documents

    @staticmethod
    def _normalised(text: str) -> str:
        match = NUMBER.match(text.strip())
        if match is None:  # refused as malformed before
            return text
        return f"{match['series'].upper()}-{match['year']}-{int(match['number']):06d}"

    def _report_violations(self, path, xml) -> int:
        # inside: the Peppol rules load Saxon (slow to start), only with --validate
        from invoicing import peppol

        errors = peppol.validate_ubl(xml)
        for error in errors:
            self.stderr.write(f"{path}: {error}")
        return 1 if errors else 0
