from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dated import DatedModel
from core.dates import format_day, format_validity
from core.encryption import EncryptedIBANField, LookupHashField
from core.model_fields import optional_link, required_link, staff_link

from .invoices import Invoice


class BankStatement(models.Model):
    """An imported bank statement (camt.053). Importing the same one twice changes nothing."""

    identifier = models.CharField(_("statement identifier"), max_length=100)
    account_iban = models.CharField(_("account"), max_length=34)
    file_sha256 = models.CharField(max_length=64, unique=True)
    statement_date = models.DateField(_("date"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = staff_link()
    entry_count = models.PositiveIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_iban", "identifier"], name="statement_unique_identifier"
            )
        ]

    def __str__(self):
        return f"{self.account_iban} {self.identifier}"


class PaymentQuerySet(models.QuerySet):
    def unmatched(self):
        return self.filter(status=Payment.Status.UNMATCHED)


class Payment(models.Model):
    """Money received (positive) or refunded (negative) for an invoice; unmatched until an
    invoice is found for it."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("manual entry")
        CAMT053 = "camt053", _("bank statement")

    class Status(models.TextChoices):
        MATCHED = "matched", _("matched")
        UNMATCHED = "unmatched", _("to match")
        IGNORED = "ignored", _("not an invoice payment")

    invoice = optional_link(Invoice, _("invoice"), related_name="payments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("date"))
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_iban = EncryptedIBANField(_("payer's account"), blank=True)
    payer_iban_hash = LookupHashField(source="payer_iban", db_index=True)
    communication = models.CharField(_("communication"), max_length=300, blank=True)
    statement = optional_link(BankStatement, None, related_name="payments")
    bank_reference = models.CharField(
        _("bank reference"),
        max_length=100,
        blank=True,
        help_text=_("The bank's own reference of the entry: the same entry is imported once."),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = staff_link()
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_reference"],
                condition=~models.Q(bank_reference=""),
                name="payment_unique_bank_reference",
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="payment_not_zero"),
            models.CheckConstraint(
                condition=models.Q(status="matched", invoice__isnull=False)
                | ~models.Q(status="matched"),
                name="payment_matched_has_invoice",
            ),
        ]
        indexes = [models.Index(fields=["status", "-received_on"])]

    def __str__(self):
        return f"{format_day(self.received_on)} {self.amount} €"


class Reminder(models.Model):
    """A payment reminder sent for an overdue invoice, at one of the policy's steps."""

    invoice = required_link(Invoice, None, related_name="reminders", db_index=False)
    step_days = models.PositiveSmallIntegerField(_("days after the due date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    amount_due = models.DecimalField(_("amount due"), max_digits=14, decimal_places=2)
    # Claimed from a business client (law of 2 August 2002): interest to the day of the
    # reminder, and the fixed indemnity; zero for a private person.
    late_interest = models.DecimalField(
        _("late-payment interest"), max_digits=14, decimal_places=2, default=0
    )
    indemnity = models.DecimalField(
        _("fixed indemnity"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["invoice", "step_days"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step_days"], name="reminder_once_per_step")
        ]

    def __str__(self):
        return f"{self.invoice} +{self.step_days}"


class LatePaymentRate(DatedModel):
    """The interest rate of the law of 2 August 2002 on late payment in commercial
    transactions (reference rate, published by the SPF Finances each half-year) and the
    fixed indemnity per invoice, for the period they are in force."""

    rate = models.DecimalField(_("yearly rate (%)"), max_digits=5, decimal_places=2)
    indemnity = models.DecimalField(
        _("fixed indemnity per invoice (€)"), max_digits=8, decimal_places=2, default=40
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta(DatedModel.Meta):
        verbose_name = _("late-payment rate")
        verbose_name_plural = _("late-payment rates")

    def __str__(self):
        return f"{self.rate} % ({format_validity(self.valid_from, self.valid_to)})"
