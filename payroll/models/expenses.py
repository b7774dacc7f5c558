"""Expense claims (notes de frais): filed by a worker for a unit, decided by an advisor."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import format_day
from production_units.models import LedgerEntry, ProductionUnit

from .parameters import MONEY, ExpenseCategory
from .work import DecisionFields, Job
from .workers import Worker


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
        return f"{format_day(self.spent_on)} · {self.description}: {self.amount} €"


class Receipt(models.Model):
    """A receipt a member dropped (photo, PDF or a supplier's UBL e-invoice), read in the
    background into a proposal, then filed as an expense claim through the claim's own rules.

    `read` keeps what the reading proposed (field → {value, confidence}); `filed` what the
    member filed from it: the advisor sees both, and what changed between them."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("being read")
        READ = "read", _("read: to check")
        UNREADABLE = "unreadable", _("not readable: to type")
        FILED = "filed", _("filed")

    class Method(models.TextChoices):
        PDF_TEXT = "pdf_text", _("text of the PDF")
        OCR = "ocr", _("OCR of the photo")
        UBL = "ubl", _("UBL e-invoice")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE,
        related_name="receipts", db_index=False,
    )  # fmt: skip
    file = models.FileField(_("file"), upload_to="receipts/scans/%Y/")
    content_type = models.CharField(_("file type"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    method = models.CharField(_("read from"), max_length=10, choices=Method.choices, blank=True)
    read = models.JSONField(_("what was read"), default=dict, blank=True)
    text = models.TextField(_("text read"), blank=True)
    read_seconds = models.FloatField(_("reading time (s)"), null=True, blank=True)
    problem = models.CharField(_("why it could not be read"), max_length=300, blank=True)
    filed = models.JSONField(_("what the member filed"), default=dict, blank=True)
    duplicates = models.JSONField(
        _("possible duplicates when filed"), default=list, blank=True,
        help_text=_("What the member was warned of before filing: the same file, or the same "
                    "supplier, date and total."),
    )  # fmt: skip
    claim = models.OneToOneField(
        ExpenseClaim, verbose_name=_("expense claim"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="scan",
    )  # fmt: skip
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "sha256"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self):
        return self.original_name or f"#{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
