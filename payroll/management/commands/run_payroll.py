from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.calendar import parse_month
from payroll.pay.payroll_run import payroll_late_days, payroll_run_close, payroll_run_compute


class Command(BaseCommand):
    help = (
        "Compute the payroll of a month that is over (payslips, employment costs, ledger "
        "postings, salary payouts), then close it with --close. A computed period is not "
        "computed again; a closed one is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month, as YYYY-MM.")
        parser.add_argument("--close", action="store_true", help="Close the period once computed.")

    def handle(self, *args, **options):
        try:
            month = parse_month(options["period"], field="period")
            run = payroll_run_compute(period=month)
            if options["close"]:
                run = payroll_run_close(run=run, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        totals = run.totals or {}
        self.stdout.write(
            _(
                "%(period)s: %(payslips)s payslips, gross %(gross)s €, net %(net)s €, "
                "balance to pay %(balance)s € (%(status)s)."
            )
            % {
                "period": f"{month:%Y-%m}",
                "payslips": totals.get("payslips", 0),
                "gross": totals.get("gross", "0.00"),
                "net": totals.get("net", "0.00"),
                "balance": totals.get("balance_due", "0.00"),
                "status": run.get_status_display(),
            }
        )
        late = payroll_late_days(run=run).count()
        if late:
            self.stderr.write(
                _(
                    "%(count)s work days of %(period)s are on no payslip yet (declared after "
                    "the run): the next payroll run pays them as arrears."
                )
                % {"count": late, "period": f"{month:%Y-%m}"}
            )
