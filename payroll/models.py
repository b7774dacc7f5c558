"""Payroll parameters (dated), the employment costs the contribution run reads, and the
monthly contribution postings. Jobs, contracts, work days, payslips and expense claims come
with the rest of the work-and-pay issue."""

from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dated import DatedModel
from core.encryption import EncryptedIBANField, EncryptedNationalNumberField, LookupHashField
from core.models import AppendOnlyModel
from production_units.models import LedgerEntry, ProductionUnit


class Digits(TypedDict):
    max_digits: int
    decimal_places: int


PERCENT: Digits = {"max_digits": 5, "decimal_places": 2}
MONEY: Digits = {"max_digits": 14, "decimal_places": 2}
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
    payslip = models.ForeignKey(
        "Payslip",
        verbose_name=_("payslip"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employment_costs",
    )
    contract = models.ForeignKey(
        "Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employment_costs",
    )
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


# --- Work and pay: workers, jobs, declarations, work days, contracts, Dimona, payroll, payouts,
# expense claims, attestations. Services live in payroll/*_services.py; nothing here posts.


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
        return f"{self.valid_from} → {self.valid_to or '…'}"


class Worker(models.Model):
    """A person the cooperative employs: a member working in their own unit, or someone a unit
    holder invited (who gets a portal account without being a member)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="worker",
    )
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="worker",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email address"))
    national_number = EncryptedNationalNumberField(_("national register number"))
    national_number_hash = LookupHashField(source="national_number", unique=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    iban = EncryptedIBANField(_("IBAN"))
    iban_hash = LookupHashField(source="iban")
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class UnitWorker(models.Model):
    """A worker a unit may declare work for (its holder, or an invited worker)."""

    unit = models.ForeignKey(
        ProductionUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="workers"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="units"
    )
    is_holder = models.BooleanField(_("unit holder"), default=False)
    added_on = models.DateField(_("added on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit worker")
        verbose_name_plural = _("unit workers")
        constraints = [
            models.UniqueConstraint(fields=["unit", "worker"], name="unit_worker_once"),
        ]

    def __str__(self):
        return f"{self.unit_id} · {self.worker}"


class WorkerInvitation(models.Model):
    """A unit holder invites someone to work for the unit; accepting creates their account and
    their Worker record."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    unit = models.ForeignKey(
        ProductionUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="worker_invitations",
    )
    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_on = models.DateField(_("expires on"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )

    class Meta:
        verbose_name = _("worker invitation")
        verbose_name_plural = _("worker invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.unit_id}"


class DecisionFields(models.Model):
    """Who decided, when, and why (approval or refusal)."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True


class Job(DecisionFields):
    """A 3en1 job (prestation): the invoice to the client (a draft Invoice until validation),
    the work days of one worker under one contract type, the expenses to reimburse, and the
    split of the invoice total computed by payroll.split.job_split."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("to validate")
        VALIDATED = "validated", _("validated")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    unit = models.ForeignKey(
        ProductionUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="jobs"
    )
    client = models.ForeignKey(
        "invoicing.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="jobs",
    )  # fmt: skip
    description = models.CharField(_("description"), max_length=300)
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="jobs"
    )
    contract_type = models.ForeignKey(
        ContractType, verbose_name=_("contract type"), on_delete=models.PROTECT, related_name="+"
    )
    function = models.CharField(_("function"), max_length=100)
    invoice = models.OneToOneField(
        "invoicing.Invoice",
        verbose_name=_("invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="job",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The split as computed at submission and frozen at validation (payroll.split.JobSplit).
    turnover = models.DecimalField(_("invoice total excl. VAT"), default=0, **MONEY)
    expenses = models.DecimalField(_("expenses to reimburse"), default=0, **MONEY)
    split = models.JSONField(_("split"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "unit"])]

    def __str__(self):
        return f"{self.unit_id} · {self.description}"


class JobExpense(models.Model):
    """An expense of a job, reimbursed to the worker out of the invoice (not salary)."""

    job = models.ForeignKey(
        Job, verbose_name=_("job"), on_delete=models.CASCADE, related_name="expense_lines"
    )
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    receipt = models.FileField(_("receipt"), upload_to="receipts/jobs/%Y/", blank=True)

    class Meta:
        verbose_name = _("job expense")
        verbose_name_plural = _("job expenses")

    def __str__(self):
        return f"{self.description}: {self.amount} €"


class HeldReceipt(models.Model):
    """A receipt uploaded with a job form that was sent back without being saved (the "add a
    day" button of pages without JavaScript): kept here, under a token only its owner's form
    carries, until the job is saved (the file then becomes the expense's receipt)."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("receipt"), upload_to="receipts/jobs/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt held for a job form")
        verbose_name_plural = _("receipts held for job forms")

    def __str__(self):
        return self.name


class WorkDeclaration(DecisionFields):
    """Activité: work paid from the unit's balance. Refused when the balance can't cover the
    budget, unless an advisor approves the overdraft (recorded in overdraft_*)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("to validate")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    unit = models.ForeignKey(
        ProductionUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="work_declarations",
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="declarations"
    )
    contract_type = models.ForeignKey(
        ContractType, verbose_name=_("contract type"), on_delete=models.PROTECT, related_name="+"
    )
    function = models.CharField(_("function"), max_length=100)
    gross = models.DecimalField(
        _("gross salary"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    budget = models.DecimalField(
        _("budget drawn from the balance"),
        default=0,
        help_text=_("Gross × coefficient: gross, employer charges and employment contribution."),
        **MONEY,
    )
    split = models.JSONField(_("cost"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    overdraft_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overdraft approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    overdraft_approved_at = models.DateTimeField(_("overdraft approved at"), null=True, blank=True)
    overdraft_amount = models.DecimalField(_("overdraft approved"), default=0, **MONEY)
    overdraft_reason = models.TextField(_("overdraft reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work declaration")
        verbose_name_plural = _("work declarations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "unit"])]

    def __str__(self):
        return f"{self.unit_id} · {self.worker} · {self.gross} €"


class Contract(models.Model):
    """An employment contract of one worker for one period (one day or several), in the legal
    entity's name. Accepted by the worker in the portal before the work starts."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("to accept")
        ACCEPTED = "accepted", _("accepted")
        CANCELLED = "cancelled", _("cancelled")

    # The contracts whose days the payroll run pays (and attestations count).
    PAID_STATUSES = (Status.OFFERED, Status.ACCEPTED)

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    legal_entity = models.ForeignKey(
        "members.LegalEntity", verbose_name=_("employer"), on_delete=models.PROTECT,
        related_name="contracts",
    )  # fmt: skip
    unit = models.ForeignKey(
        ProductionUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="contracts"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="contracts"
    )
    contract_type = models.ForeignKey(
        ContractType, verbose_name=_("contract type"), on_delete=models.PROTECT, related_name="+"
    )
    function = models.CharField(_("function"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    days = models.PositiveSmallIntegerField(_("work days"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    gross = models.DecimalField(_("gross salary"), **MONEY)
    employer_charges = models.DecimalField(_("employer charges"), default=0, **MONEY)
    net_estimate = models.DecimalField(_("estimated net"), default=0, **MONEY)
    job = models.ForeignKey(
        Job, verbose_name=_("job"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="contracts",
    )  # fmt: skip
    declaration = models.ForeignKey(
        WorkDeclaration,
        verbose_name=_("work declaration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    accepted_at = models.DateTimeField(_("accepted by the worker at"), null=True, blank=True)
    past_start_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("start in the past approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    past_start_reason = models.TextField(_("reason for a start in the past"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="contracts/%Y/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["start_date", "unit"]),
            models.Index(fields=["worker", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="contract_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.reference


class WorkDay(models.Model):
    """One declared day of work of a worker for a unit. A worker works at most one declared
    day a date (across all units): the partial unique constraint says so."""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="work_days"
    )
    unit = models.ForeignKey(
        ProductionUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="work_days"
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("12"))],
    )
    function = models.CharField(_("function"), max_length=100)
    contract_type = models.ForeignKey(
        ContractType, verbose_name=_("contract type"), on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey(
        Job, verbose_name=_("job"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="work_days",
    )  # fmt: skip
    declaration = models.ForeignKey(
        WorkDeclaration,
        verbose_name=_("work declaration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="work_days",
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_days",
    )
    gross = models.DecimalField(_("gross of the day"), default=0, **MONEY)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("work day")
        verbose_name_plural = _("work days")
        ordering = ["date"]
        indexes = [
            models.Index(fields=["unit", "date"]),
            models.Index(fields=["date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date"],
                condition=Q(cancelled=False),
                name="one_declared_day_per_worker_and_date",
            ),
            models.CheckConstraint(
                condition=Q(job__isnull=True) | Q(declaration__isnull=True),
                name="work_day_from_job_or_declaration",
            ),
        ]

    def __str__(self):
        return f"{self.date} · {self.worker} · {self.hours} h"


class DimonaDeclaration(models.Model):
    """The Dimona record of a contract (IN at the start, OUT at the end), produced before the
    work starts and exported as a file for the ONSS channel (payroll.dimona)."""

    class Kind(models.TextChoices):
        IN = "IN", _("start (IN)")
        OUT = "OUT", _("end (OUT)")
        CANCEL = "CANCEL", _("cancellation")

    class Status(models.TextChoices):
        PENDING = "pending", _("to send")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="dimonas"
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    worker_national_number = EncryptedNationalNumberField(_("worker's national number"))
    worker_national_number_hash = LookupHashField(source="worker_national_number", db_index=True)
    employer_number = models.CharField(_("employer's enterprise number"), max_length=10)
    contract_type_code = models.CharField(_("contract type"), max_length=50)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.CharField(_("exported file"), max_length=300, blank=True)
    channel_reference = models.CharField(_("channel reference"), max_length=100, blank=True)
    message = models.TextField(_("channel message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Dimona declaration")
        verbose_name_plural = _("Dimona declarations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.kind} {self.contract_id} {self.start_date}"


class PayrollRun(models.Model):
    """The monthly payroll of a period: computed (payslips written), then closed (never
    recomputed)."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("computed")
        CLOSED = "closed", _("closed")

    period = models.DateField(_("period (first day of the month)"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COMPUTED
    )
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    totals = models.JSONField(_("totals"), default=dict, blank=True)

    class Meta:
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")
        ordering = ["-period"]

    def __str__(self):
        return f"{self.period:%Y-%m}"


class Payslip(models.Model):
    """One worker's pay for one month: gross → employee social security → withholding → net,
    with the employer charges; `lines` details it per contract and day."""

    run = models.ForeignKey(
        PayrollRun, verbose_name=_("payroll run"), on_delete=models.PROTECT,
        related_name="payslips",
    )  # fmt: skip
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="payslips"
    )
    period = models.DateField(_("period (first day of the month)"))
    days = models.PositiveSmallIntegerField(_("work days"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=0)
    gross = models.DecimalField(_("gross salary"), **MONEY)
    employee_social_security = models.DecimalField(_("employee social security"), **MONEY)
    taxable = models.DecimalField(_("taxable pay"), **MONEY)
    withholding = models.DecimalField(_("withholding tax"), **MONEY)
    net = models.DecimalField(_("net salary"), **MONEY)
    employer_charges = models.DecimalField(_("employer charges"), **MONEY)
    advances_paid = models.DecimalField(_("advances already paid"), default=0, **MONEY)
    # A negative balance is never paid out: it is carried to the worker's next payslip, which
    # deducts it (brought_forward) and points to the payslip it comes from (once: unique).
    brought_forward = models.DecimalField(_("negative balance brought forward"), default=0, **MONEY)
    brought_forward_from = models.OneToOneField(
        "self",
        verbose_name=_("brought forward from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
    )
    balance_due = models.DecimalField(_("balance to pay"), default=0, **MONEY)
    carried_forward = models.DecimalField(_("negative balance carried forward"), default=0, **MONEY)
    lines = models.JSONField(_("detail"), default=list, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="payslips/%Y/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["-period", "worker"]
        constraints = [
            models.UniqueConstraint(fields=["run", "worker"], name="one_payslip_per_worker_run"),
        ]
        indexes = [models.Index(fields=["worker", "period"])]

    def __str__(self):
        return f"{self.period:%Y-%m} · {self.worker}"


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
        return self.name


class ExpenseClaim(DecisionFields):
    """An expense note: money a worker spent for a unit (or a job), reimbursed with the next
    payout once an advisor approves it, and posted to the unit's ledger."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("to review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        REIMBURSED = "reimbursed", _("reimbursed")

    unit = models.ForeignKey(
        ProductionUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="expense_claims",
    )
    job = models.ForeignKey(
        Job, verbose_name=_("job"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="expense_claims",
    )  # fmt: skip
    worker = models.ForeignKey(
        Worker, verbose_name=_("claimant"), on_delete=models.PROTECT,
        related_name="expense_claims",
    )  # fmt: skip
    category = models.ForeignKey(
        ExpenseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    spent_on = models.DateField(_("date of the expense"))
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount incl. VAT"), **MONEY)
    vat = models.DecimalField(_("VAT"), default=0, **MONEY)
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    mileage_rate = models.DecimalField(
        _("rate per km"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    receipt = models.FileField(_("receipt"), upload_to="receipts/claims/%Y/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expense_claim",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "unit"]), models.Index(fields=["spent_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_claim_positive"),
            models.CheckConstraint(
                condition=Q(vat__gte=0) & Q(vat__lte=models.F("amount")),
                name="expense_claim_vat_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.spent_on} · {self.description}: {self.amount} €"


class PayoutBatch(models.Model):
    """A SEPA credit transfer file (pain.001) grouping payout lines, downloadable by staff."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("prepared")
        SENT = "sent", _("sent to the bank")

    reference = models.CharField(_("message id"), max_length=35, unique=True)
    execution_date = models.DateField(_("execution date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREPARED
    )
    total = models.DecimalField(_("total"), default=0, **MONEY)
    count = models.PositiveIntegerField(_("transfers"), default=0)
    file = models.FileField(_("pain.001 file"), upload_to="payouts/%Y/", blank=True)
    run = models.ForeignKey(
        PayrollRun, verbose_name=_("payroll run"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="payout_batches",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference


class PayoutLine(models.Model):
    """One credit transfer to make: a salary advance (3en1, within the salary delay), the
    balance of a payslip, an expense reimbursement, or a share refund."""

    class Kind(models.TextChoices):
        SALARY_ADVANCE = "advance", _("salary advance")
        SALARY_BALANCE = "salary", _("salary balance")
        EXPENSE = "expense", _("expense reimbursement")
        SHARE_REFUND = "share_refund", _("share refund")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    batch = models.ForeignKey(
        PayoutBatch, verbose_name=_("batch"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="lines",
    )  # fmt: skip
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="payouts",
    )  # fmt: skip
    beneficiary = models.CharField(_("beneficiary"), max_length=140)
    iban = EncryptedIBANField(_("IBAN"))
    iban_hash = LookupHashField(source="iban", db_index=True)
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    remittance = models.CharField(_("remittance information"), max_length=140)
    due_on = models.DateField(_("to pay by"))
    contract = models.OneToOneField(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="advance"
    )
    payslip = models.OneToOneField(
        Payslip, null=True, blank=True, on_delete=models.PROTECT, related_name="payout"
    )
    expense_claim = models.OneToOneField(
        ExpenseClaim, null=True, blank=True, on_delete=models.PROTECT, related_name="payout"
    )
    refund = models.OneToOneField(
        "members.RefundPayout", null=True, blank=True, on_delete=models.PROTECT,
        related_name="payout_line",
    )  # fmt: skip
    # The payslip that deducted this salary advance from its net (once).
    deducted_on = models.ForeignKey(
        Payslip, verbose_name=_("deducted on the payslip"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="advances_deducted",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["batch", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_positive"),
        ]

    def __str__(self):
        return f"{self.beneficiary}: {self.amount} €"


class Attestation(models.Model):
    """A PDF attestation a worker asked for in the portal, rendered by a task."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("employment attestation")
        YEARLY_INCOME = "income", _("yearly income summary")

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="attestations"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(_("PDF"), upload_to="attestations/%Y/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start} → {self.period_end}"
