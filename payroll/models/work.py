"""Work: 3en1 jobs (with their expenses and held receipts), Activité declarations, the
contracts they become, the declared work days and the Dimona declarations."""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import format_day
from core.encryption import EncryptedNationalNumberField, LookupHashField
from core.model_fields import optional_link, required_link, staff_link
from production_units.models import ProductionUnit

from .parameters import MONEY, ContractType, JointCommittee
from .workers import Worker

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def place_of_work_field(help_text: "StrOrPromise") -> models.CharField:
    """Where the work is done, as the member gave it (blank: the default `help_text` says)."""
    return models.CharField(_("place of work"), max_length=300, blank=True, help_text=help_text)


class DecisionFields(models.Model):
    """Who decided, when, and why (approval or refusal)."""

    decided_by = staff_link(_("decided by"))
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

    unit = required_link(ProductionUnit, _("unit"), related_name="jobs")
    client = required_link("invoicing.Client", _("client"), related_name="jobs")
    description = models.CharField(_("description"), max_length=300)
    worker = required_link(Worker, _("worker"), related_name="jobs")
    contract_type = required_link(ContractType, _("contract type"))
    function = models.CharField(_("function"), max_length=100)
    place_of_work = place_of_work_field(_("Empty: at the client's."))
    invoice = optional_link("invoicing.Invoice", _("invoice"), related_name="job", one=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The split as computed at submission and frozen at validation (payroll.split.JobSplit).
    turnover = models.DecimalField(_("invoice total excl. VAT"), default=0, **MONEY)
    expenses = models.DecimalField(_("expenses to reimburse"), default=0, **MONEY)
    split = models.JSONField(_("split"), default=dict, blank=True)
    created_by = required_link(settings.AUTH_USER_MODEL, _("created by"))
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

    unit = required_link(ProductionUnit, _("unit"), related_name="work_declarations")
    worker = required_link(Worker, _("worker"), related_name="declarations")
    contract_type = required_link(ContractType, _("contract type"))
    function = models.CharField(_("function"), max_length=100)
    place_of_work = place_of_work_field(_("Empty: the unit holder's address."))
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
    overdraft_approved_by = staff_link(_("overdraft approved by"))
    overdraft_approved_at = models.DateTimeField(_("overdraft approved at"), null=True, blank=True)
    overdraft_amount = models.DecimalField(_("overdraft approved"), default=0, **MONEY)
    overdraft_reason = models.TextField(_("overdraft reason"), blank=True)
    created_by = required_link(settings.AUTH_USER_MODEL, _("created by"))
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

    # The contract statuses whose days attestations count (not cancelled). The payroll run
    # pays only those of `paid_q`: an offered contract's pay is held (`held_q`).
    PAID_STATUSES = (Status.OFFERED, Status.ACCEPTED)

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    legal_entity = required_link("members.LegalEntity", _("employer"), related_name="contracts")
    unit = required_link(ProductionUnit, _("unit"), related_name="contracts")
    worker = required_link(Worker, _("worker"), related_name="contracts", db_index=False)
    contract_type = required_link(ContractType, _("contract type"))
    function = models.CharField(_("function"), max_length=100)
    joint_committee = models.CharField(
        _("joint committee"), max_length=8, choices=JointCommittee.choices, blank=True
    )
    place_of_work = place_of_work_field(
        _("As the member gave it; empty: at the client's (3en1) or the unit holder's address.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    days = models.PositiveSmallIntegerField(_("work days"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    gross = models.DecimalField(_("gross salary"), **MONEY)
    employer_charges = models.DecimalField(_("employer charges"), default=0, **MONEY)
    net_estimate = models.DecimalField(_("estimated net"), default=0, **MONEY)
    job = optional_link(Job, _("job"), related_name="contracts")
    declaration = optional_link(WorkDeclaration, _("work declaration"), related_name="contracts")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    accepted_at = models.DateTimeField(_("accepted by the worker at"), null=True, blank=True)
    past_start_approved_by = staff_link(_("start in the past approved by"))
    past_start_reason = models.TextField(_("reason for a start in the past"), blank=True)
    # An advisor's override: the payroll run pays an offered contract the worker has not
    # accepted (payroll.work.contract_services.contract_pay_release).
    pay_released_by = staff_link(_("pay released without acceptance by"))
    pay_released_at = models.DateTimeField(
        _("pay released without acceptance at"), null=True, blank=True
    )
    pay_release_reason = models.TextField(_("reason for paying without acceptance"), blank=True)
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

    @staticmethod
    def paid_q(prefix: str = "") -> Q:
        """The contracts whose days the payroll run pays: accepted by the worker, or offered
        and released by an advisor. `prefix`: the path to the contract ("contract__")."""
        offered = {f"{prefix}status": Contract.Status.OFFERED}
        released = Q(**offered, **{f"{prefix}pay_released_at__isnull": False})
        return Q(**{f"{prefix}status": Contract.Status.ACCEPTED}) | released

    @staticmethod
    def held_q(prefix: str = "") -> Q:
        """The contracts whose pay the payroll run holds: offered, not accepted by the worker,
        not released by an advisor."""
        offered = {f"{prefix}status": Contract.Status.OFFERED}
        return Q(**offered, **{f"{prefix}pay_released_at__isnull": True})


class WorkDay(models.Model):
    """One declared day of work of a worker for a unit. A worker works at most one declared
    day a date (across all units): the partial unique constraint says so."""

    worker = required_link(Worker, _("worker"), related_name="work_days")
    unit = required_link(ProductionUnit, _("unit"), related_name="work_days", db_index=False)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("12"))],
    )
    function = models.CharField(_("function"), max_length=100)
    contract_type = required_link(ContractType, _("contract type"))
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
    contract = optional_link(Contract, _("contract"), related_name="work_days")
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
        return f"{format_day(self.date)} · {self.worker} · {self.hours} h"


class DimonaDeclaration(models.Model):
    """The Dimona record of a contract: IN before the work starts, OUT when the employment ends
    before its planned end (or an open-ended one ends), CANCEL when a contract is cancelled
    before it starts; exported as a file for the ONSS channel (payroll.work.dimona). An OUT or
    a CANCEL names the IN it is about. A refused declaration sent again is a new row
    (`retry_of`): the history keeps both. One live (not refused, not withdrawn) declaration of
    each kind per contract: a second OUT can't be recorded."""

    class Kind(models.TextChoices):
        IN = "IN", _("start (IN)")
        OUT = "OUT", _("end (OUT)")
        CANCEL = "CANCEL", _("cancellation")

    class Status(models.TextChoices):
        PENDING = "pending", _("to send")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn: not needed")

    # The statuses of a declaration that no longer stands: another of its kind may follow.
    CLOSED = (Status.REFUSED, Status.WITHDRAWN)

    contract = required_link(Contract, _("contract"), related_name="dimonas")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    in_declaration = models.ForeignKey(
        "self",
        verbose_name=_("IN declaration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    retry_of = models.OneToOneField(
        "self",
        verbose_name=_("sends again"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retry",
    )
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
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind"],
                condition=~Q(status__in=["refused", "withdrawn"]),
                name="one_live_dimona_of_each_kind_per_contract",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.contract_id} {format_day(self.start_date)}"
