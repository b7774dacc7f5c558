"""What the monthly contribution run reads and writes: the employment costs charged to units, the
runs and their postings (one per unit, pillar and month)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import format_day
from core.model_fields import optional_link, required_link, staff_link
from core.models import AppendOnlyModel
from production_units.models import LedgerEntry, ProductionUnit

from .parameters import MONEY, ContractType


class EmploymentCost(AppendOnlyModel):
    """The gross salary and employer charges of one work day (or one payslip line) charged to
    a unit. Written by the payroll run; the employment pillar of the contribution run reads
    it with the contract type's coefficient in force on `work_date`. A correction is a new
    row with negative amounts."""

    unit = required_link(ProductionUnit, _("unit"), related_name="employment_costs")
    contract_type = required_link(ContractType, _("contract type"))
    work_date = models.DateField(_("work date"))
    gross = models.DecimalField(_("gross salary"), **MONEY)
    employer_charges = models.DecimalField(
        _("employer charges"),
        help_text=_("What the cooperative owes, after reductions: a reduction feeds the fund."),
        **MONEY,
    )
    payslip = optional_link("Payslip", _("payslip"), related_name="employment_costs")
    contract = optional_link("Contract", _("contract"), related_name="employment_costs")
    period = models.DateField(
        _("charged with the month of"),
        null=True,
        blank=True,
        help_text=_(
            "The month whose contribution run charges this cost: the month of the payroll run "
            "that paid it (arrears are charged with the month that pays them). Empty: the "
            "month of the work date."
        ),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employment cost")
        verbose_name_plural = _("employment costs")
        ordering = ["-work_date", "-id"]
        indexes = [
            models.Index(fields=["work_date", "unit"]),
            models.Index(fields=["period", "work_date"], name="employment_cost_period"),
        ]

    def __str__(self):
        return f"{format_day(self.work_date)} {self.unit_id}: {self.gross} €"


class ContributionRun(models.Model):
    """One row per period: the lock that serialises runs of the month, and the source of
    their ledger entries and audit events."""

    period = models.DateField(_("period (first day of the month)"), unique=True)
    created_at = models.DateTimeField(_("first run at"), auto_now_add=True)
    created_by = staff_link(_("first run by"))

    class Meta:
        verbose_name = _("contribution run")
        verbose_name_plural = _("contribution runs")
        ordering = ["-period"]

    def __str__(self):
        return f"{self.period:%Y-%m}"


class ContributionPosting(AppendOnlyModel):
    """The mutual contribution of one unit, pillar and month, as posted to its ledger (the
    entry is −amount). Unique: a second run of the month posts nothing; a posting is final."""

    class Pillar(models.TextChoices):
        TURNOVER = "turnover", _("turnover")
        EMPLOYMENT = "employment", _("employment")

    run = required_link(ContributionRun, _("run"), related_name="postings")
    unit = required_link(
        ProductionUnit, _("unit"), related_name="contribution_postings", db_index=False
    )
    pillar = models.CharField(_("pillar"), max_length=10, choices=Pillar.choices)
    period = models.DateField(_("period (first day of the month)"))
    base = models.DecimalField(
        _("base"), help_text=_("Net turnover excl. VAT, or gross salaries."), **MONEY
    )
    amount = models.DecimalField(_("contribution"), **MONEY)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ledger_entry = required_link(
        LedgerEntry, _("ledger entry"), related_name="contribution_posting", one=True
    )

    class Meta:
        verbose_name = _("contribution posting")
        verbose_name_plural = _("contribution postings")
        ordering = ["-period", "unit", "pillar"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "pillar", "period"], name="contribution_once_per_unit_pillar_month"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="contribution_not_zero"),
        ]
        indexes = [models.Index(fields=["period", "unit"])]

    def __str__(self):
        return f"{self.period:%Y-%m} {self.unit_id} {self.pillar}: {self.amount} €"
