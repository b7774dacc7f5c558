"""What clients owe a member (encours), for the home and unit pages, from the selectors."""

from django import template
from django.utils import timezone

from invoicing.models import Invoice
from invoicing.selectors import receivables_total

register = template.Library()


@register.simple_tag(takes_context=True)
def my_receivables(context) -> dict:
    """{% my_receivables as receivables %}: amount, overdue and invoices over all my units."""
    user = context["request"].user
    return receivables_total(on=timezone.localdate(), invoices=Invoice.objects.of_member_user(user))


@register.simple_tag
def unit_receivables(unit) -> dict:
    """{% unit_receivables unit as receivables %}: the same for one unit."""
    return receivables_total(on=timezone.localdate(), invoices=Invoice.objects.filter(unit=unit))
