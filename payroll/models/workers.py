"""The people a unit employs: workers, their link to units, and the invitations that bring
them in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedIBANField, EncryptedNationalNumberField, LookupHashField
from core.model_fields import optional_link, required_link
from production_units.models import ProductionUnit


class Worker(models.Model):
    """A person the cooperative employs: a member working in their own unit, or someone a unit
    holder invited (who gets a portal account without being a member)."""

    user = optional_link(
        settings.AUTH_USER_MODEL, _("user account"), related_name="worker", one=True
    )
    member = optional_link("members.Member", _("member"), related_name="worker", one=True)
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

    class WithholdingScale(models.TextChoices):
        # The scales of the withholding tax's key formula (docs/payroll.md).
        ISOLATED = "I", _("Scale I: single, or spouse with own income")
        SOLE_EARNER = "II", _("Scale II: spouse without own professional income")

    withholding_scale = models.CharField(
        _("withholding tax scale"),
        max_length=2,
        choices=WithholdingScale.choices,
        default=WithholdingScale.ISOLATED,
        db_default=WithholdingScale.ISOLATED,  # rows written by COPY (the dataset) get it too
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class UnitWorker(models.Model):
    """A worker a unit may declare work for (its holder, or an invited worker)."""

    unit = required_link(ProductionUnit, _("unit"), related_name="workers", db_index=False)
    worker = required_link(Worker, _("worker"), related_name="units")
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

    unit = required_link(ProductionUnit, _("unit"), related_name="worker_invitations")
    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = required_link(settings.AUTH_USER_MODEL, _("invited by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_on = models.DateField(_("expires on"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    worker = optional_link(Worker, _("worker"), related_name="invitations")

    class Meta:
        verbose_name = _("worker invitation")
        verbose_name_plural = _("worker invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.unit_id}"
