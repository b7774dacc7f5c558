"""The funding agreements of a unit, for its page in the portal (income of the unit)."""

from django import template

from invoicing.funding import funding_of_units
from production_units.models import ProductionUnit

register = template.Library()


@register.simple_tag
def unit_funding(unit: ProductionUnit) -> list:
    """{% unit_funding unit as funding %}: the unit's funding agreements, latest first (the
    page's view checked that the unit is the member's)."""
    return list(funding_of_units(ProductionUnit.objects.filter(pk=unit.pk)))
