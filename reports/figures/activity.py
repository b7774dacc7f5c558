"""The economic acts the figures count, written once: which units were active in a period,
what they invoiced, and where a person lives."""

from __future__ import annotations

from django.db.models import Case, DecimalField, Exists, F, OuterRef, QuerySet, When
from django.utils.translation import gettext_noop as N_

from invoicing.models import Invoice
from payroll.models import WorkDay
from production_units.models import ProductionUnit

from .base import Period, Scope

UNIT_OFFICE, UNIT_SECTOR = "holder__office", "sector"
OF_UNIT_OFFICE, OF_UNIT_SECTOR = "unit__holder__office", "unit__sector"

# Net turnover of a document: an invoice adds its total excl. VAT, a credit note takes it off.
SIGNED_NET = Case(
    When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("net_total")),
    default=F("net_total"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def issued_in(period: Period, scope: Scope) -> QuerySet[Invoice]:
    """Invoices and credit notes issued during the period by the units in scope."""
    invoices = Invoice.objects.filter(status=Invoice.Status.ISSUED, issue_date__range=period.range)
    return scope.apply(invoices, OF_UNIT_OFFICE, OF_UNIT_SECTOR)


def worked_in(period: Period, scope: Scope) -> QuerySet[WorkDay]:
    """Declared work days (not cancelled) of the period in the units in scope."""
    days = WorkDay.objects.filter(cancelled=False, date__range=period.range)
    return scope.apply(days, OF_UNIT_OFFICE, OF_UNIT_SECTOR)


def active_units(period: Period, scope: Scope) -> QuerySet[ProductionUnit]:
    """Active units: at least one economic act in the period, i.e. an issued invoice or
    credit note, or a declared work day."""
    invoiced = Invoice.objects.filter(
        unit=OuterRef("pk"), status=Invoice.Status.ISSUED, issue_date__range=period.range
    )
    worked = WorkDay.objects.filter(unit=OuterRef("pk"), cancelled=False, date__range=period.range)
    units = ProductionUnit.objects.filter(Exists(invoiced) | Exists(worked))
    return scope.apply(units, UNIT_OFFICE, UNIT_SECTOR)


BRUSSELS, WALLONIA, FLANDERS, ABROAD = (
    N_("Brussels"),
    N_("Wallonia"),
    N_("Flanders"),
    N_("Abroad"),
)
REGIONS = (BRUSSELS, WALLONIA, FLANDERS, ABROAD)
# Belgian postal codes by region: 1000-1299 Brussels, 1300-1499 Walloon Brabant, 1500-3999
# Flemish Brabant, Antwerp, Limburg, 4000-7999 Wallonia, 8000-9999 Flanders.
_POSTAL_REGIONS = (
    (1000, 1300, BRUSSELS),
    (1300, 1500, WALLONIA),
    (1500, 4000, FLANDERS),
    (4000, 8000, WALLONIA),
    (8000, 10000, FLANDERS),
)


def region_of(country: str, postal_code: str) -> str:
    """The region of an address: abroad outside Belgium, else by postal code ("unknown"
    when a Belgian address has no usable postal code)."""
    if (country or "BE").upper() != "BE":
        return ABROAD
    digits = (postal_code or "").strip()[:4]
    if digits.isdigit():
        code = int(digits)
        for low, high, region in _POSTAL_REGIONS:
            if low <= code < high:
                return region
    return N_("unknown")
