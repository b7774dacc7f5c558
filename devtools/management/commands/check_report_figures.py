from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from devtools.dataset.generate import DatasetError, parse_scale
from devtools.report_check import run


class Command(BaseCommand):
    help = (
        "Compare the board's dashboard figures for a year with the 2025 activity report's key "
        "figures (× the dataset's scale), within the tolerances of docs/DATASET.md. Exits with "
        "an error when a figure is outside its tolerance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2025, help="The year to check.")
        parser.add_argument(
            "--scale", default="smart", help="The dataset's scale: 'smart' or a fraction."
        )
        parser.add_argument(
            "--every-group",
            action="store_true",
            help="Show groups under 10 people too (small generated datasets only).",
        )

    def handle(self, *args, year, scale, every_group, **options):
        try:
            factor = Decimal(str(parse_scale(scale)))
        except DatasetError as error:
            raise CommandError(str(error)) from error
        with translation.override("en"):
            results = run(
                year=year, scale=factor, today=timezone.localdate(), every_group=every_group
            )
        self.stdout.write(
            f"{'figure':<52} {'source':<9} {'report':>14} {'dashboard':>14} "
            f"{'difference':>11} {'allowed':>9}"
        )
        for result in results:
            check = result.check
            unit = " pts" if check.kind == "share" else ""
            value = "missing" if result.value is None else f"{result.value:,.1f}"
            difference = "" if result.value is None else f"{result.value - result.target:+,.1f}"
            line = (
                f"{check.name:<52} {check.source:<9} {result.target:>14,.1f} {value:>14} "
                f"{difference:>11} {result.allowed:>5,.1f}{unit:<4}"
            )
            self.stdout.write(line if result.ok else self.style.ERROR(f"{line}  OUT"))
        outside = [result.check.name for result in results if not result.ok]
        if outside:
            raise CommandError(
                f"{len(outside)} of {len(results)} figures outside their tolerance: "
                + ", ".join(outside)
            )
        self.stdout.write(self.style.SUCCESS(f"All {len(results)} figures within tolerance."))
