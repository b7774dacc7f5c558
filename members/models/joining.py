"""Joining: the share policy, the membership documents, applications and the documents each
applicant accepted."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dated import DatedQuerySet
from core.dates import format_validity
from core.encryption import EncryptedIBANField, EncryptedNationalNumberField, LookupHashField
from core.model_fields import optional_link, required_link, staff_link
from core.models import AppendOnlyModel

from .accounts import LANGUAGE_CHOICES, Office
from .people import Member

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class SharePolicy(models.Model):
    """The dated parameters of shares: price, minimum, and the one-share-per-year rule."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    share_price = models.DecimalField(_("share price"), **MONEY)
    minimum_shares = models.PositiveIntegerField(_("minimum shares at joining"), default=1)
    one_share_per_year_rule = models.BooleanField(
        _("one share per year of use of the services"),
        default=True,
        help_text=_(
            "When on, a member who used the services last year without the matching number "
            "of shares is asked to subscribe one more."
        ),
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("share policy")
        verbose_name_plural = _("share policies")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_price__gt=0), name="share_policy_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_shares__gte=1), name="share_policy_minimum_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="share_policy_valid_to_after_from",
            ),
        ]

    def __str__(self):
        return f"{format_validity(self.valid_from, self.valid_to)}: {self.share_price} €"

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        if self.valid_from:
            others = SharePolicy.objects.exclude(pk=self.pk).filter(
                models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from)
            )
            if self.valid_to:
                others = others.filter(valid_from__lte=self.valid_to)
            if others.exists():
                raise ValidationError(
                    {"valid_from": _("This period overlaps another share policy.")}
                )


class MembershipDocument(models.Model):
    """A version of a document accepted when joining (statutes, internal rules, user contract)."""

    class Kind(models.TextChoices):
        STATUTES = "statutes", _("statutes")
        INTERNAL_RULES = "internal_rules", _("internal rules")
        USER_CONTRACT = "user_contract", _("shared-enterprise user contract")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="membership-documents/", blank=True)
    url = models.CharField(
        _("address"), max_length=500, blank=True, help_text=_("Where the text can be read.")
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership document")
        verbose_name_plural = _("membership documents")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="document_unique_version"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version}"


class MembershipApplication(models.Model):
    """A person's request to join: identity, category, shares subscribed, then a decision."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    class Source(models.TextChoices):
        PORTAL = "portal", _("portal")
        PAPER = "paper", _("received on paper")

    user = optional_link(
        settings.AUTH_USER_MODEL, _("account"), related_name="membership_applications"
    )
    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    national_number = EncryptedNationalNumberField(_("national register number"))
    national_number_hash = LookupHashField(source="national_number")
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Member.Gender.choices)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="BE")
    iban = EncryptedIBANField(_("IBAN"))
    iban_hash = LookupHashField(source="iban")
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="fr"
    )
    category = models.CharField(
        _("category requested"), max_length=1, choices=Member.Category.choices
    )
    planned_activity = models.TextField(_("planned activity"), blank=True)
    office = optional_link(Office, _("office"), related_name=None)
    shares = models.PositiveIntegerField(_("shares subscribed"))
    share_price = models.DecimalField(_("share price"), **MONEY)
    structured_reference = models.CharField(
        _("structured reference"), max_length=12, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    submitted_on = models.DateField(
        _("submitted on"), help_text=_("The day the application was made (a letter's date).")
    )
    source = models.CharField(
        _("received through"), max_length=8, choices=Source.choices, default=Source.PORTAL
    )
    paid_amount = models.DecimalField(_("amount received"), default=0, **MONEY)
    paid_on = models.DateField(_("last payment received on"), null=True, blank=True)
    decided_by = staff_link(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    member = optional_link(Member, _("member"), related_name="application", one=True)

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-submitted_at"]),
            models.Index(fields=["national_number_hash"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shares__gte=1), name="application_shares_min"
            ),
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0), name="application_paid_not_negative"
            ),
            # Two open applications for one person would make two members: the database
            # refuses it even when both are submitted at the same moment.
            models.UniqueConstraint(
                fields=["national_number_hash"],
                condition=models.Q(status="submitted"),
                name="application_one_open_per_national_number",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(status="submitted"),
                name="application_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    @property
    def amount_due(self):
        return self.shares * self.share_price


class DocumentAcceptance(AppendOnlyModel):
    """Who accepted which version of a membership document, and when."""

    document = required_link(MembershipDocument, _("document"), related_name="acceptances")
    application = optional_link(MembershipApplication, _("application"), related_name="acceptances")
    member = optional_link(Member, _("member"), related_name="document_acceptances")
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document acceptance")
        verbose_name_plural = _("document acceptances")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(member__isnull=False),
                name="acceptance_has_a_person",
            ),
        ]

    def __str__(self):
        return f"{self.document} {self.accepted_at:%Y-%m-%d %H:%M}"
