"""Pay: the monthly payroll runs and their payslips, the payout batches and lines, the
attestations."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import format_day
from core.encryption import EncryptedIBANField, LookupHashField
from core.model_fields import optional_link, required_link, staff_link

from .expenses import ExpenseClaim
from .parameters import MONEY
from .work import Contract
from .workers import Worker


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
    computed_by = staff_link(_("computed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = staff_link(_("closed by"))
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

    run = required_link(PayrollRun, _("payroll run"), related_name="payslips", db_index=False)
    worker = required_link(Worker, _("worker"), related_name="payslips", db_index=False)
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
    brought_forward_from = optional_link(
        "self", _("brought forward from"), related_name="carried_to", one=True
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
    run = optional_link(PayrollRun, _("payroll run"), related_name="payout_batches")
    created_by = staff_link(_("created by"))
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
    batch = optional_link(PayoutBatch, _("batch"), related_name="lines", db_index=False)
    worker = optional_link(Worker, _("worker"), related_name="payouts")
    beneficiary = models.CharField(_("beneficiary"), max_length=140)
    iban = EncryptedIBANField(_("IBAN"))
    iban_hash = LookupHashField(source="iban", db_index=True)
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    remittance = models.CharField(_("remittance information"), max_length=140)
    due_on = models.DateField(_("to pay by"))
    contract = optional_link(Contract, None, related_name="advance", one=True)
    payslip = optional_link(Payslip, None, related_name="payout", one=True)
    expense_claim = optional_link(ExpenseClaim, None, related_name="payout", one=True)
    refund = optional_link("members.RefundPayout", None, related_name="payout_line", one=True)
    # The payslip that deducted this salary advance from its net (once).
    deducted_on = optional_link(
        Payslip, _("deducted on the payslip"), related_name="advances_deducted"
    )
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

    worker = required_link(Worker, _("worker"), related_name="attestations")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(_("PDF"), upload_to="attestations/%Y/", blank=True)
    requested_by = required_link(settings.AUTH_USER_MODEL, _("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-created_at"]

    def __str__(self):
        period = f"{format_day(self.period_start)} → {format_day(self.period_end)}"
        return f"{self.get_kind_display()} {period}"
