from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from devtools.dataset.generate import DatasetError, generate, parse_scale


class Command(BaseCommand):
    help = (
        "Fill an empty (migrated) PostgreSQL database with a year that looks like Smart's "
        "2025 activity report: members, units, clients, invoices, contracts, work days, "
        "expense claims (docs/DATASET.md). The same seed gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            default="smart",
            help="'smart' (the report's size) or a fraction of it, e.g. 0.01.",
        )
        parser.add_argument("--year", type=int, default=2025, help="The year to generate.")
        parser.add_argument("--seed", type=int, default=1, help="The random seed.")

    def handle(self, *args, scale, year, seed, **options):
        try:
            counts = generate(scale=parse_scale(scale), year=year, seed=seed, log=self.stdout.write)
        except DatasetError as error:
            raise CommandError(str(error)) from error
        # The rows went in by COPY, without Django's signals: what the cache kept about the
        # database before (core.cached) is wrong now.
        cache.clear()
        for table, count in sorted(counts.items()):
            self.stdout.write(f"  {table}: {count:,}")
        self.stdout.write(self.style.SUCCESS("Dataset generated."))
