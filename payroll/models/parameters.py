"""Payroll parameters, as dated data: contract types and their values, the withholding tax
scales, the payroll policy, the expense categories."""

from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.dated import DatedModel
from core.dates import format_validity
from core.model_fields import required_link


class Digits(TypedDict):
    max_digits: int
    decimal_places: int


PERCENT: Digits = {"max_digits": 5, "decimal_places": 2}


MONEY: Digits = {"max_digits": 14, "decimal_places": 2}


RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))]


# The shown names of the contract types and expense categories the project creates, by code
# (the stored `name` is French, as the back-office writes it): shown in the reader's language.
# A type or category added in the back-office shows its stored name.
CONTRACT_TYPE_LABELS = {
    "employee-fixed-term": gettext_noop("Employee, fixed term"),
    "artist-fixed-term": gettext_noop("Artist (art. 1bis), fixed term"),
    "trainer-fixed-term": gettext_noop("Trainer, fixed term (non-profit)"),
    "student": gettext_noop("Student"),
    "open-ended": gettext_noop("Employee, open-ended"),
}
EXPENSE_CATEGORY_LABELS = {
    "travel": gettext_noop("Travel (public transport, train, taxi)"),
    "mileage": gettext_noop("Kilometres driven with a private vehicle"),
    "material": gettext_noop("Material and supplies"),
    "meals": gettext_noop("Meals and accommodation"),
    "communication": gettext_noop("Telephone and internet"),
    "training": gettext_noop("Training and documentation"),
    "other": gettext_noop("Other expenses"),
}


class JointCommittee(models.TextChoices):
    """The joint committee (commission paritaire / paritair comité) whose collective
    agreements apply to a contract: stored as its number, shown in the reader's language."""

    CP_200 = "200", _("JC 200 · Supplementary joint committee for employees")
    CP_304 = "304", _("JC 304 · Joint committee for the performing arts")
    CP_329_02 = "329.02", _("JC 329.02 · Socio-cultural sector (French and German communities)")


class WorkerCategory(models.TextChoices):
    """The worker category of the employer contributions (EmployerContributionRate), stored as
    its code, shown in the reader's language."""

    WHITE_COLLAR = "white-collar", _("White-collar employee")
    MANUAL = "manual-worker", _("Manual worker (108 %)")
    ARTIST = "artist-1bis", _("Artist (art. 1bis)")


class ContractType(models.Model):
    """A kind of work contract (fixed-term employee, artist art. 1bis, student…). Its values
    change over time: they are ContractTypeParameters rows with validity periods."""

    # The code of the open-ended employment (a CDI): its end is declared when it comes.
    OPEN_ENDED = "open-ended"

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    joint_committee = models.CharField(
        _("joint committee"),
        max_length=8,
        choices=JointCommittee.choices,
        default=JointCommittee.CP_200,
        help_text=_("Copied on each new contract of this type: a signed contract keeps its own."),
    )
    worker_category = models.CharField(
        _("worker category"),
        max_length=20,
        choices=WorkerCategory.choices,
        blank=True,
        null=True,
        help_text=_(
            "The payroll run charges the employer contributions of this category in force "
            "(base, rates, structural reduction). Empty: the flat employer charges rate of "
            "the parameters (students, the non-profit sector: not modelled)."
        ),
    )

    class Meta:
        verbose_name = _("contract type")
        verbose_name_plural = _("contract types")
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def is_open_ended(self) -> bool:
        return self.code == self.OPEN_ENDED

    @property
    def label(self) -> str:
        """The name in the active language (the stored name for a type added by hand)."""
        known = CONTRACT_TYPE_LABELS.get(self.code)
        return gettext(known) if known else self.name


class ContractTypeParameters(DatedModel):
    """The values of a contract type from one day to another (rates in %)."""

    dated_scope = ("contract_type",)

    contract_type = required_link(
        ContractType, _("contract type"), related_name="parameters", db_index=False
    )
    employer_charges_rate = models.DecimalField(
        _("employer charges (%)"), validators=RATE_VALIDATORS, **PERCENT
    )
    employee_ss_rate = models.DecimalField(
        _("employee social security (%)"), validators=RATE_VALIDATORS, **PERCENT
    )
    employee_ss_base_percent = models.DecimalField(
        # xgettext:no-python-format
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
        return f"{self.contract_type} ({format_validity(self.valid_from, self.valid_to)})"

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
    """The key formula of the withholding tax (précompte professionnel, "formule-clé" of
    annex III to the royal decree implementing the income tax code) in force in a period:
    the yearly progressive brackets (WithholdingTaxBracket), the lump-sum professional
    expenses, the reduction for the tax-free sum, the marital quotient of scale II, the
    rounding, and the minimum rate for piece work. docs/payroll.md gives the steps."""

    class Rounding(models.TextChoices):
        HALF_UP = "half-up", _("to the nearest cent, half up")
        DOWN = "down", _("down to the cent")

    label = models.CharField(_("label"), max_length=200, blank=True)
    source = models.TextField(
        _("source"), blank=True, help_text=_("Where the figures of this period come from.")
    )
    piece_work_minimum_rate = models.DecimalField(
        _("piece-work minimum (%)"),
        default=Decimal("11.11"),
        validators=RATE_VALIDATORS,
        **PERCENT,
    )
    expenses_rate = models.DecimalField(
        _("lump-sum professional expenses (%)"),
        default=Decimal("0"),
        validators=RATE_VALIDATORS,
        help_text=_("Of the yearly taxable pay."),
        **PERCENT,
    )
    expenses_cap = models.DecimalField(
        _("lump-sum professional expenses: yearly cap"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
    )
    tax_free_reduction = models.DecimalField(
        _("reduction for the tax-free sum (yearly)"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Taken once from the yearly tax in scale I, twice in scale II."),
        **MONEY,
    )
    quotient_rate = models.DecimalField(
        _("marital quotient (%)"),
        default=Decimal("0"),
        validators=RATE_VALIDATORS,
        help_text=_("Scale II: the share of the yearly net taxable pay taxed apart."),
        **PERCENT,
    )
    quotient_cap = models.DecimalField(
        _("marital quotient: yearly cap"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
    )
    rounding = models.CharField(
        _("rounding of each step"),
        max_length=10,
        choices=Rounding.choices,
        default=Rounding.HALF_UP,
    )

    class Meta(DatedModel.Meta):
        verbose_name = _("withholding tax scale")
        verbose_name_plural = _("withholding tax scales")

    def __str__(self):
        return self.label or f"{format_validity(self.valid_from, self.valid_to)}"


class WithholdingTaxBracket(models.Model):
    """The yearly net taxable pay from `from_amount` to `to_amount` (empty: no end) is taxed
    at `rate` (progressive: each bracket taxes only its own slice)."""

    scale = models.ForeignKey(
        WithholdingTaxScale,
        verbose_name=_("scale"),
        on_delete=models.CASCADE,
        related_name="brackets",
        db_index=False,
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


class EmployerContributionRate(DatedModel):
    """The employer's social security contributions for a category of worker in a period:
    the base (100 % of gross, 108 % for manual workers and artists), the basic rate (wage
    moderation included), the annual holiday-pay contribution where the category's holiday
    pay goes through the holiday fund (ONVA), and whether the structural reduction applies.
    docs/payroll.md, "Employer contributions"."""

    dated_scope = ("category",)

    Category = WorkerCategory

    category = models.CharField(_("worker category"), max_length=20, choices=Category.choices)
    base_percent = models.DecimalField(
        # xgettext:no-python-format
        _("contribution base (% of gross)"),
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("200"))],
        **PERCENT,
    )
    basic_rate = models.DecimalField(
        _("basic employer contribution (%)"), validators=RATE_VALIDATORS, **PERCENT
    )
    holiday_pay_rate = models.DecimalField(
        _("annual holiday-pay contribution (%)"),
        default=Decimal("0"),
        validators=RATE_VALIDATORS,
        help_text=_("Manual workers and artists: paid to the holiday fund (ONVA)."),
        **PERCENT,
    )
    structural_reduction = models.BooleanField(_("structural reduction applies"), default=True)
    source = models.TextField(_("source"), blank=True)

    class Meta(DatedModel.Meta):
        verbose_name = _("employer contribution rate")
        verbose_name_plural = _("employer contribution rates")
        constraints = [
            *DatedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["category", "valid_from"], name="employer_rate_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} ({format_validity(self.valid_from, self.valid_to)})"


class StructuralReduction(DatedModel):
    """The parameters of the structural reduction of employer contributions (category 1, the
    private sector) for a quarter's reference wage S: F + α × (S0 − S) below S0, plus
    γ × (S2 − S) below S2 (the very low wages)."""

    flat_amount = models.DecimalField(_("flat amount F (a quarter)"), default=Decimal("0"), **MONEY)
    low_wage_threshold = models.DecimalField(_("low-wage threshold S0 (a quarter)"), **MONEY)
    low_wage_coefficient = models.DecimalField(
        _("low-wage coefficient α"), max_digits=6, decimal_places=4
    )
    very_low_wage_threshold = models.DecimalField(
        _("very-low-wage threshold S2 (a quarter)"), **MONEY
    )
    very_low_wage_coefficient = models.DecimalField(
        _("very-low-wage coefficient γ"), max_digits=6, decimal_places=4
    )
    source = models.TextField(_("source"), blank=True)

    class Meta(DatedModel.Meta):
        verbose_name = _("structural reduction")
        verbose_name_plural = _("structural reductions")

    def __str__(self):
        return f"{format_validity(self.valid_from, self.valid_to)}"


class PayrollPolicy(DatedModel):
    """The dated rules of work and pay that are not tied to a contract type."""

    salary_delay_working_days = models.PositiveSmallIntegerField(
        _("salary paid within (working days)"),
        default=7,
        help_text=_("3en1: the salary is paid this many working days after the work at most."),
    )
    expense_deadline_month = models.PositiveSmallIntegerField(
        _("expense deadline: month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    expense_deadline_day = models.PositiveSmallIntegerField(
        _("expense deadline: day"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Claims and purchases of a year are accepted until this day of the next year."),
    )
    mileage_rate = models.DecimalField(
        _("mileage allowance per km"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta(DatedModel.Meta):
        verbose_name = _("payroll policy")
        verbose_name_plural = _("payroll policies")

    def __str__(self):
        return f"{format_validity(self.valid_from, self.valid_to)}"


class ExpenseCategory(models.Model):
    """A kind of expense (data): travel, material, meals, mileage…"""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_mileage = models.BooleanField(_("mileage (per km)"), default=False)

    class Meta:
        verbose_name = _("expense category")
        verbose_name_plural = _("expense categories")
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (the stored name for a category added by hand)."""
        known = EXPENSE_CATEGORY_LABELS.get(self.code)
        return gettext(known) if known else self.name
