from django.core.management.base import BaseCommand, CommandError

from invoicing.chain import verify_chain
from invoicing.models import Invoice


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 chain of every series and year of issued documents and name "
        "the first broken link (exit code 1 when one is broken)."
    )

    def handle(self, *args, **options):
        chains = (
            Invoice.objects.issued()
            .values_list("series_id", "series__legal_entity__code", "series__code", "year")
            .distinct()
            .order_by("series__legal_entity__code", "series__code", "year")
        )
        broken = 0
        for series_id, entity, code, year in chains:
            failure = verify_chain(series_id, year)
            label = f"{entity}/{code}/{year}"
            if failure is None:
                self.stdout.write(f"{label}: OK")
                continue
            broken += 1
            invoice = failure.invoice
            self.stderr.write(
                f"{label}: BROKEN at {invoice.display_number} (id {invoice.pk}): {failure.problem}"
            )
        if broken:
            raise CommandError(f"{broken} chain(s) broken.", returncode=1)
        self.stdout.write(self.style.SUCCESS("Every invoice chain holds."))
