"""The share register (append-only), its certificates and the transfers between members."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import format_day
from core.model_fields import optional_link, required_link, staff_link
from core.models import AppendOnlyModel

from .accounts import LANGUAGE_CHOICES
from .joining import MONEY
from .people import Member


class ShareRegisterEntry(AppendOnlyModel):
    """One operation of the share register. Append-only: a correction is a new entry.

    Each entry carries signed movements, so a member's position at a date is the sum of
    their entries dated on or before it: `shares` (shares held), `amount` (nominal value of
    the shares held, at their subscription price) and `paid_amount` (paid-up capital still
    in the cooperative: payments and transfers in add, transfers out and refunds take away).
    """

    class Operation(models.TextChoices):
        SUBSCRIPTION = "subscription", _("subscription")
        PAYMENT = "payment", _("payment")
        TRANSFER_OUT = "transfer_out", _("transfer out")
        TRANSFER_IN = "transfer_in", _("transfer in")
        REFUND = "refund", _("refund")
        CATEGORY_CHANGE = "category_change", _("category change")

    member = required_link(Member, _("member"), related_name="share_entries", db_index=False)
    operation = models.CharField(_("operation"), max_length=20, choices=Operation.choices)
    date = models.DateField(_("effective date"))
    shares = models.IntegerField(_("shares"), default=0)
    unit_price = models.DecimalField(_("unit price"), default=0, **MONEY)
    amount = models.DecimalField(_("nominal amount"), default=0, **MONEY)
    paid_amount = models.DecimalField(_("paid-up amount"), default=0, **MONEY)
    category = models.CharField(
        _("category"),
        max_length=1,
        choices=Member.Category.choices,
        help_text=_("The member's category after this operation."),
    )
    structured_reference = models.CharField(
        _("structured reference"), max_length=12, blank=True, db_index=True
    )
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    counterparty = optional_link(Member, _("other member"))
    related_entry = optional_link(
        "self",
        _("related entry"),
        help_text=_("The subscription a payment pays, or the transfer out of a transfer in."),
    )
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    recorded_by = staff_link(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("share register entry")
        verbose_name_plural = _("share register")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["member", "date", "id"]),
            models.Index(fields=["date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(operation="subscription", shares__gt=0, amount__gt=0, paid_amount=0)
                    | models.Q(operation="payment", shares=0, amount=0, paid_amount__gt=0)
                    | models.Q(
                        operation="transfer_out",
                        shares__lt=0,
                        amount__lt=0,
                        paid_amount=models.F("amount"),
                    )
                    | models.Q(
                        operation="transfer_in",
                        shares__gt=0,
                        amount__gt=0,
                        paid_amount=models.F("amount"),
                    )
                    | models.Q(operation="refund", shares__lt=0, amount__lt=0, paid_amount__lte=0)
                    | models.Q(operation="category_change", shares=0, amount=0, paid_amount=0)
                ),
                name="share_entry_signs_match_operation",
            ),
        ]

    def __str__(self):
        return f"{format_day(self.date)} {self.get_operation_display()} {self.shares:+d}"

    @property
    def refund(self):
        """The amount paid back by a refund entry (positive)."""
        return -self.paid_amount if self.operation == self.Operation.REFUND else 0


class ShareCertificate(models.Model):
    """A share certificate as the register stood on a date; the PDF is rendered by a task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")

    member = required_link(Member, _("member"), related_name="certificates")
    as_of = models.DateField(_("as of"))
    shares = models.PositiveIntegerField(_("shares held"))
    nominal_amount = models.DecimalField(_("nominal amount"), **MONEY)
    paid_up_amount = models.DecimalField(_("paid-up amount"), **MONEY)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(_("PDF"), upload_to="share-certificates/%Y/", blank=True)
    requested_by = staff_link(_("requested by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("share certificate")
        verbose_name_plural = _("share certificates")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.member} — {self.as_of}"


class ShareTransferRequest(models.Model):
    """A member (or an advisor for them) asks to transfer fully paid shares to another member;
    the board approves it (both sides then go to the register) or refuses it with a reason.
    Written by members.transfer_services only."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        CANCELLED = "cancelled", _("cancelled")

    from_member = required_link(
        Member, _("from member"), related_name="transfer_requests_out", db_index=False
    )
    to_member = required_link(Member, _("to member"), related_name="transfer_requests_in")
    shares = models.PositiveIntegerField(_("shares"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = staff_link(_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = staff_link(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    transfer_out_entry = optional_link(ShareRegisterEntry, _("transfer out entry"), one=True)
    transfer_in_entry = optional_link(ShareRegisterEntry, _("transfer in entry"), one=True)

    class Meta:
        verbose_name = _("share transfer request")
        verbose_name_plural = _("share transfer requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["from_member", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shares__gt=0), name="transfer_request_shares_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_member=models.F("to_member")),
                name="transfer_request_not_to_self",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="approved",
                        transfer_out_entry__isnull=False,
                        transfer_in_entry__isnull=False,
                    )
                    | (
                        ~models.Q(status="approved")
                        & models.Q(transfer_out_entry__isnull=True, transfer_in_entry__isnull=True)
                    )
                ),
                name="transfer_request_entries_when_approved",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused", refusal_reason=""),
                name="transfer_request_refusal_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.from_member} → {self.to_member}: {self.shares} ({self.get_status_display()})"
