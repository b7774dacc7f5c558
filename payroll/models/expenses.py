"""Expense claims (notes de frais): filed by a worker for a unit, decided by an advisor."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        return f"{self.spent_on} · {self.description}: {self.amount} €"
