"""Payroll parameters (dated), the employment costs the contribution run reads, and the
monthly contribution postings. Jobs, contracts, work days, payslips and expense claims come
with the rest of the work-and-pay issue."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from production_units.models import DatedModel, LedgerEntry, ProductionUnit
from smartcoop.models import AppendOnlyModel

PERCENT = {"max_digits": 5, "decimal_places": 2}
MONEY = {"max_digits": 14, "decimal_places": 2}
RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))]


class ContractType(models.Model):
    """A kind of work contract (fixed-term employee, artist art. 1bis, student…). Its values
    change over time: they are ContractTypeParameters rows with validity periods."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("contract type")
        verbose_name_plural = _("contract types")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ContractTypeParameters(DatedModel):
    """The values of a contract type from one day to another (rates in %)."""

    dated_scope = ("contract_type",)

    contract_type = models.ForeignKey(
        ContractType,
        verbose_name=_("contract type"),
        on_delete=models.PROTECT,
        related_name="parameters",
    )
    employer_charges_rate = models.DecimalField(
        _("employer charges (%)"), validators=RATE_VALIDATORS, **PERCENT
    )
    employee_ss_rate = models.DecimalField(
        _("employee social security (%)"), validators=RATE_VALIDATORS, **PERCENT
    )
    employee_ss_base_percent = models.DecimalField(
        _("social security base (% of gross)"),
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("200"))],
        help_text=_("100 for employees, 108 for manual workers and artists."),
        **PERCENT,
    )
    employment_coefficient = models.DecimalField(
        _("employment coefficient"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_(
            "Employment budget = gross × coefficient: it pays the gross, the employer charges "
            "and the employment contribution to the mutual fund."
        ),
    )
    minimum_daily_gross = models.DecimalField(
        _("minimum daily gross"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    piece_work = models.BooleanField(
        _("piece work"),
        default=False,
        help_text=_("Withholding tax is at least the scale's piece-work minimum."),
    )

    class Meta(DatedModel.Meta):
        verbose_name = _("contract type parameters")
        verbose_name_plural = _("contract type parameters")
        ordering = ["contract_type", "-valid_from"]
        constraints = [
            *DatedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["contract_type", "valid_from"], name="contract_parameters_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(employer_charges_rate__gte=0, employer_charges_rate__lt=100)
                & Q(employee_ss_rate__gte=0, employee_ss_rate__lt=100)
                & Q(employee_ss_base_percent__gt=0)
                & Q(employment_coefficient__gte=1)
                & Q(minimum_daily_gross__gte=0),
                name="contract_parameters_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.contract_type} ({self.valid_from} → {self.valid_to or '…'})"

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        charges, coefficient = self.employer_charges_rate, self.employment_coefficient
        if charges is not None and coefficient is not None and coefficient < 1 + charges / 100:
            errors.setdefault("employment_coefficient", []).append(
                _(
                    "The coefficient must cover the gross and the employer charges: "
                    "at least %(minimum)s."
                )
                % {"minimum": 1 + charges / 100}
            )
        if errors:
            raise ValidationError(errors)


class WithholdingTaxScale(DatedModel):
    """The withholding tax scale (précompte professionnel) in force in a period: its brackets,
    and the minimum rate for piece work."""

    label = models.CharField(_("label"), max_length=200, blank=True)
    piece_work_minimum_rate = models.DecimalField(
        _("piece-work minimum (%)"),
        default=Decimal("11.11"),
        validators=RATE_VALIDATORS,
        **PERCENT,
    )

    class Meta(DatedModel.Meta):
        verbose_name = _("withholding tax scale")
        verbose_name_plural = _("withholding tax scales")

    def __str__(self):
        return self.label or f"{self.valid_from} → {self.valid_to or '…'}"


class WithholdingTaxBracket(models.Model):
    """Taxable pay from `from_amount` (included) to `to_amount` (excluded, empty: no end)
    is withheld at `rate`."""

    scale = models.ForeignKey(
        WithholdingTaxScale,
        verbose_name=_("scale"),
        on_delete=models.CASCADE,
        related_name="brackets",
    )
    from_amount = models.DecimalField(
        _("from (included)"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    to_amount = models.DecimalField(_("to (excluded)"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("rate (%)"), validators=RATE_VALIDATORS, **PERCENT)

    class Meta:
        verbose_name = _("withholding tax bracket")
        verbose_name_plural = _("withholding tax brackets")
        ordering = ["scale", "from_amount"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "from_amount"], name="bracket_unique_start"),
            models.CheckConstraint(
                condition=Q(to_amount__isnull=True) | Q(to_amount__gt=models.F("from_amount")),
                name="bracket_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.from_amount} → {self.to_amount or '…'}: {self.rate} %"


class EmploymentCost(AppendOnlyModel):
    """The gross salary and employer charges of one work day (or one payslip line) charged to
    a unit. Written by the payroll run; the employment pillar of the contribution run reads
    it with the contract type's coefficient in force on `work_date`. A correction is a new
    row with negative amounts."""

    unit = models.ForeignKey(
        ProductionUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="employment_costs",
    )
    contract_type = models.ForeignKey(
        ContractType, verbose_name=_("contract type"), on_delete=models.PROTECT, related_name="+"
    )
    work_date = models.DateField(_("work date"))
    gross = models.DecimalField(_("gross salary"), **MONEY)
    employer_charges = models.DecimalField(
        _("employer charges"),
        help_text=_("What the cooperative owes, after reductions: a reduction feeds the fund."),
        **MONEY,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employment cost")
        verbose_name_plural = _("employment costs")
        ordering = ["-work_date", "-id"]
        indexes = [models.Index(fields=["work_date", "unit"])]

    def __str__(self):
        return f"{self.work_date} {self.unit_id}: {self.gross} €"


class ContributionRun(models.Model):
    """One row per period: the lock that serialises runs of the month, and the source of
    their ledger entries and audit events."""

    period = models.DateField(_("period (first day of the month)"), unique=True)
    created_at = models.DateTimeField(_("first run at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first run by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

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

    run = models.ForeignKey(
        ContributionRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="postings"
    )
    unit = models.ForeignKey(
        ProductionUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="contribution_postings",
    )
    pillar = models.CharField(_("pillar"), max_length=10, choices=Pillar.choices)
    period = models.DateField(_("period (first day of the month)"))
    base = models.DecimalField(
        _("base"), help_text=_("Net turnover excl. VAT, or gross salaries."), **MONEY
    )
    amount = models.DecimalField(_("contribution"), **MONEY)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("ledger entry"),
        on_delete=models.PROTECT,
        related_name="contribution_posting",
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
