"""Check an assembly's vote: the chain of sealed ballots (open or closed) and, once counted,
the counted ballots against the receipts and the published results. Exit 1 naming the first
mismatch."""

import sys

from django.core.management.base import BaseCommand, CommandError

from governance.models import GeneralAssembly
from governance.tally import verify_ballots


class Command(BaseCommand):
    help = "Verify the ballots of an assembly: verify_ballots ASSEMBLY_ID (exit 1 on a mismatch)."

    def add_arguments(self, parser):
        parser.add_argument("assembly_id", type=int)

    def handle(self, *args, assembly_id, **options):
        assembly = GeneralAssembly.objects.filter(pk=assembly_id).first()
        if assembly is None:
            raise CommandError(f"No assembly {assembly_id}.")
        problems = verify_ballots(assembly)
        if problems:
            self.stderr.write(f"{assembly}: MISMATCH: {problems[0]}")
            for problem in problems[1:]:
                self.stderr.write(f"  also: {problem}")
            sys.exit(1)
        counted = " and the count" if assembly.tallied_at else ""
        self.stdout.write(
            f"{assembly}: {assembly.ballot_count} ballots, the chain{counted} verified."
        )
