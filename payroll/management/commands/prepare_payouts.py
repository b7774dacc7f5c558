from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from payroll.models import PayoutLine
from payroll.pay.payouts import next_banking_day, payout_batch_prepare, payout_lines_from_refunds


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(name)s: expected a date as YYYY-MM-DD.") % {"name": name}) from None


class Command(BaseCommand):
    help = (
        "Prepare a SEPA credit transfer batch (pain.001) of every payout line due by a date "
        "and not batched yet. Pending share refunds are picked up first. Idempotent: a line "
        "is batched once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--due-by", required=True, help="Lines due on or before, YYYY-MM-DD.")
        parser.add_argument(
            "--execution-date",
            help="When the bank executes the transfers (default: the next banking day).",
        )
        parser.add_argument(
            "--kind",
            action="append",
            choices=PayoutLine.Kind.values,
            help="Only lines of this kind (repeat for several).",
        )

    def handle(self, *args, **options):
        due_by = _day(options["due_by"], "--due-by")
        execution_date = (
            _day(options["execution_date"], "--execution-date")
            if options["execution_date"]
            else next_banking_day(timezone.localdate())
        )
        try:
            refunds = payout_lines_from_refunds(by=None)
            batch = payout_batch_prepare(
                due_by=due_by, execution_date=execution_date, by=None, kinds=options["kind"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if refunds:
            self.stdout.write(
                _("%(count)s share refund(s) added to the payouts.") % {"count": refunds}
            )
        if batch is None:
            self.stdout.write(_("Nothing is due by %(day)s: no batch prepared.") % {"day": due_by})
            return
        self.stdout.write(
            _("Batch %(reference)s: %(count)s transfer(s), %(total)s €, executed on %(day)s.")
            % {
                "reference": batch.reference,
                "count": batch.count,
                "total": batch.total,
                "day": batch.execution_date,
            }
        )
