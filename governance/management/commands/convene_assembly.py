"""Convene a draft assembly and write the tellers' key file (the only copy)."""

import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.models import GeneralAssembly
from governance.services.roll import assembly_convene
from members.models import User


class Command(BaseCommand):
    help = "Convene an assembly: convene_assembly ID --key-out FILE --by EMAIL (a board member)."

    def add_arguments(self, parser):
        parser.add_argument("assembly_id", type=int)
        parser.add_argument("--key-out", required=True, help="Where to write the key file.")
        parser.add_argument("--by", required=True)

    def handle(self, *args, assembly_id, key_out, by, **options):
        assembly = GeneralAssembly.objects.filter(pk=assembly_id).first()
        user = User.objects.filter(email__iexact=by).first()
        if assembly is None or user is None:
            raise CommandError("Unknown assembly or account.")
        target = Path(key_out)
        if target.exists():
            raise CommandError(f"{target} exists: the key is never overwritten.")
        # The file is opened before convening: a key that can't be written is never made.
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise CommandError(f"Can't write {target}: {error}") from error
        with os.fdopen(fd, "w") as out:
            try:
                convened = assembly_convene(assembly=assembly, by=user)
            except ValidationError as error:
                out.close()
                target.unlink()
                raise CommandError(" ".join(error.messages)) from error
            out.write(convened.key_file)
        self.stdout.write(
            f"{convened.assembly} convened: {convened.assembly.roll_size} members on the roll "
            f"(SHA-256 {convened.assembly.roll_sha256}). Tellers' key written to {target}."
        )
