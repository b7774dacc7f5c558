"""Count a closed assembly with the tellers' key file and publish its results."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.models import GeneralAssembly, ItemResult
from governance.tally import assembly_tally
from members.models import User


class Command(BaseCommand):
    help = "Count a closed assembly: tally_assembly ID --key FILE --by EMAIL (a board member)."

    def add_arguments(self, parser):
        parser.add_argument("assembly_id", type=int)
        parser.add_argument("--key", required=True, help="The tellers' key file.")
        parser.add_argument("--by", required=True, help="E-mail of the board member counting.")

    def handle(self, *args, assembly_id, key, by, **options):
        assembly = GeneralAssembly.objects.filter(pk=assembly_id).first()
        if assembly is None:
            raise CommandError(f"No assembly {assembly_id}.")
        user = User.objects.filter(email__iexact=by).first()
        if user is None:
            raise CommandError(f"No account {by}.")
        try:
            key_file = Path(key).read_bytes()
        except OSError as error:
            raise CommandError(f"Can't read the key file: {error}") from error
        try:
            assembly = assembly_tally(assembly=assembly, key_file=key_file, by=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finally:
            del key_file
        self.stdout.write(f"{assembly}: {assembly.ballot_count} ballots counted online.")
        for result in (
            ItemResult.objects.filter(item__assembly=assembly)
            .select_related("item", "candidate__member")
            .order_by("item__position", "-votes_for")
        ):
            who = f" — {result.candidate}" if result.candidate_id else ""
            self.stdout.write(
                f"{result.item.position}. {result.item.title}{who}: for {result.votes_for}, "
                f"against {result.votes_against}, abstentions {result.abstentions}, "
                f"blank {result.blank} → {result.outcome}"
            )
