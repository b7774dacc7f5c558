from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import parse_month
from core.exports import write_csv
from payroll.contributions.selectors import contribution_breakdown
from payroll.contributions.services import contributions_compute
from payroll.models import ContributionPosting

COLUMNS = [
    ("unit_code", gettext_lazy("unit")),
    ("unit_name", gettext_lazy("name")),
    ("tool", gettext_lazy("tool")),
    ("invoiced", gettext_lazy("invoiced excl. VAT")),
    ("credited", gettext_lazy("credited excl. VAT")),
    ("net_turnover", gettext_lazy("net turnover excl. VAT")),
    ("turnover_contribution", gettext_lazy("turnover contribution")),
    ("gross", gettext_lazy("gross salaries")),
    ("employer_charges", gettext_lazy("employer charges")),
    ("employment_contribution", gettext_lazy("employment contribution")),
    ("total", gettext_lazy("total contribution")),
]


class Command(BaseCommand):
    help = (
        "Post the mutual contribution of a closed month (turnover and employment pillars, one "
        "ledger entry per unit and pillar). Idempotent: a second run posts nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month, as YYYY-MM.")
        parser.add_argument(
            "--csv", metavar="FILE", help="Write the per-unit breakdown of the month as CSV."
        )

    def handle(self, *args, **options):
        try:
            month = parse_month(options["period"], field="period")
            result = contributions_compute(period=month)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        pillars = ContributionPosting.Pillar
        self.stdout.write(
            _(
                "%(period)s: %(posted)s entries posted (turnover %(turnover)s €, employment "
                "%(employment)s €); %(already)s were already posted."
            )
            % {
                "period": f"{month:%Y-%m}",
                "posted": len(result.posted),
                "turnover": result.total(pillars.TURNOVER),
                "employment": result.total(pillars.EMPLOYMENT),
                "already": result.already_posted,
            }
        )
        if path := options["csv"]:
            rows = write_breakdown(path, month)
            self.stdout.write(
                _("Breakdown of %(count)s units written to %(file)s.")
                % {"count": rows, "file": path}
            )


def write_breakdown(path: str, month) -> int:
    rows = contribution_breakdown(period=month)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        return write_csv(
            handle,
            [title for _name, title in COLUMNS],
            ([getattr(row, name) for name, _title in COLUMNS] for row in rows),
        )
