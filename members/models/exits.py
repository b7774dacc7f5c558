"""Leaving: a member's exit and the refunds waiting to be paid."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedIBANField, LookupHashField
from core.model_fields import optional_link, required_link, staff_link

from .joining import MONEY, MembershipApplication
from .people import Member
from .register import ShareRegisterEntry


class MemberExit(models.Model):
    """How and when a member left: resignation, exclusion (board) or death.

    A resignation asked for in the portal waits here (requested) until an advisor records it.
    """

    class Kind(models.TextChoices):
        RESIGNATION = "resignation", _("resignation")
        EXCLUSION = "exclusion", _("exclusion")
        DEATH = "death", _("death")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        RECORDED = "recorded", _("recorded")

    member = required_link(Member, _("member"), related_name="exit", one=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = staff_link(_("recorded by"))
    refund_entry = optional_link(ShareRegisterEntry, _("refund entry"), one=True)

    class Meta:
        verbose_name = _("member exit")
        verbose_name_plural = _("member exits")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()}"


class RefundPayout(models.Model):
    """Money the cooperative owes back (shares refunded, an application's payment returned),
    waiting to be paid by a credit transfer (pain.001)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PAID = "paid", _("paid")

    member = optional_link(Member, _("member"), related_name="refund_payouts")
    application = optional_link(
        MembershipApplication, _("application"), related_name="refund_payouts"
    )
    entry = optional_link(ShareRegisterEntry, _("register entry"), related_name="payout", one=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    beneficiary = models.CharField(_("beneficiary"), max_length=200)
    iban = EncryptedIBANField(_("IBAN"))
    iban_hash = LookupHashField(source="iban", db_index=True)
    remittance = models.CharField(_("remittance information"), max_length=140)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund payout")
        verbose_name_plural = _("refund payouts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(status="pending", paid_on__isnull=True)
                | models.Q(status="paid", paid_on__isnull=False),
                name="payout_paid_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.beneficiary} {self.amount} € ({self.get_status_display()})"
