from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from invoicing.reminders import reminders_send_due


class Command(BaseCommand):
    help = (
        "Send the payment reminders due (the daily beat task does the same). Running it twice "
        "the same day sends nothing more. Exit code 1 when a reminder could not be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="The day to run for (today).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be a date written YYYY-MM-DD.") from None
        run = reminders_send_due(today=today)
        for reminder in run.sent:
            invoice = reminder.invoice
            self.stdout.write(
                f"{invoice.display_number}: reminder +{reminder.step_days} days, "
                f"{reminder.amount_due} € due."
            )
        for invoice in run.without_email:
            self.stderr.write(f"{invoice.display_number}: the client has no email address.")
        for invoice, error in run.failed:
            self.stderr.write(f"{invoice.display_number}: not sent: {error}")
        self.stdout.write(
            f"{today}: {len(run.sent)} reminder(s) sent, {len(run.without_email)} without "
            f"email address, {len(run.failed)} failed."
        )
        if run.failed:
            raise CommandError(f"{len(run.failed)} reminder(s) not sent.", returncode=1)
