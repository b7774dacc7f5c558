"""When a member used the cooperative's services, for members' one-share-per-year prompt:
the years in which an invoice (not a credit note) of a production unit they hold was issued.
Registered with members.selectors.register_years_of_use in PortalConfig.ready: members sits
below invoicing and does not read invoices itself."""

from invoicing.models import Invoice
from members.models import Member


def invoiced_years(member: Member, before_year: int) -> list[int]:
    """The calendar years before `before_year` with an issued invoice of the member's units."""
    days = (
        Invoice.objects.filter(
            unit__holder=member,
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.ISSUED,
            issue_date__year__lt=before_year,
        )
        .dates("issue_date", "year")
        .order_by("issue_date")
    )
    return [day.year for day in days]
