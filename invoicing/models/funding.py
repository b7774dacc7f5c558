"""Funding agreements: a subsidy or grant a unit receives."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import format_day
from core.model_fields import optional_link, required_link
from production_units.models import LedgerEntry, ProductionUnit


def period_error(start: date | None, end: date | None) -> str:
    """What is wrong with a funding's period (it ends before it starts), or ""."""
    if start and end and end < start:
        return gettext("The period ends on %(end)s, before it starts (%(start)s).") % {
            "end": format_day(end),
            "start": format_day(start),
        }
    return ""


class FundingAgreement(models.Model):
    """A subsidy or grant a unit receives from a funder (a public body, a foundation): income
    of the unit, credited to its ledger when an advisor records it, and counted in the
    turnover pillar of the mutual contribution of the month it is received, as an invoice's
    net total is (payroll.contributions.services). Never changed once recorded."""

    unit = required_link(
        ProductionUnit, _("unit"), related_name="funding_agreements", db_index=False
    )
    funder = models.CharField(_("funder"), max_length=200)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The funder's file number.")
    )
    amount = models.DecimalField(
        _("amount excl. VAT"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    received_on = models.DateField(
        _("received on"), help_text=_("Counts in the mutual contribution of this month.")
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    document = models.FileField(
        _("agreement document"), upload_to="funding/%Y/", blank=True, max_length=200
    )
    ledger_entry = optional_link(LedgerEntry, _("ledger entry"), related_name="+", one=True)
    created_by = required_link(settings.AUTH_USER_MODEL, _("recorded by"), related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("funding agreement")
        verbose_name_plural = _("funding agreements")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["received_on"]),
            models.Index(fields=["unit", "received_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="funding_period_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.funder} {self.reference}".strip()

    def clean(self):
        error = period_error(self.period_start, self.period_end)
        if error:
            raise ValidationError({"period_end": error})
