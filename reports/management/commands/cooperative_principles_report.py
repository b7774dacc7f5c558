"""`manage.py cooperative_principles_report --year 2024 --out rapport-cnc.pdf`: the report to
the National Council for Cooperation (in French by default; --lang nl or en)."""

from reports.models import ReportDocument

from .activity_report import Command as ReportCommand


class Command(ReportCommand):
    help = "Write the report on the cooperative principles of a year as a PDF."
    kind = ReportDocument.Kind.PRINCIPLES
