"""Members: a person (or, in category C, an organisation) holding shares."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedIBANField, EncryptedNationalNumberField, LookupHashField
from core.model_fields import optional_link
from core.scoping import office_scoped

from .accounts import LANGUAGE_CHOICES, Office


class MemberQuerySet(models.QuerySet):
    def admitted_on(self, day):
        """Members on `day`: admitted on or before it and not gone (they leave on `left_on`)."""
        return self.filter(member_since__lte=day).filter(
            models.Q(left_on__gt=day) | models.Q(left_on__isnull=True, status=Member.Status.MEMBER)
        )

    def followed_by(self, user):
        """The members an advisor may see: their office's (core.scoping)."""
        return office_scoped(self, user, "office")


class Member(models.Model):
    """A sociétaire: a person (or, in category C, an organisation) holding shares."""

    class Category(models.TextChoices):
        A = "A", _("A — develops an activity")
        B = "B", _("B — support staff")
        C = "C", _("C — client, partner, investor, sympathiser")

    class Gender(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        OTHER = "X", _("other / not stated")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        MEMBER = "member", _("member")
        RESIGNED = "resigned", _("resigned")
        EXCLUDED = "excluded", _("excluded")
        DECEASED = "deceased", _("deceased")

    user = optional_link(settings.AUTH_USER_MODEL, _("account"), related_name="member", one=True)
    number = models.PositiveIntegerField(_("member number"), unique=True, null=True, blank=True)
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.MEMBER
    )
    is_organisation = models.BooleanField(_("organisation"), default=False)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    national_number = EncryptedNationalNumberField(_("national register number"), blank=True)
    national_number_hash = LookupHashField(source="national_number")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")
    iban = EncryptedIBANField(_("IBAN"), blank=True)
    iban_hash = LookupHashField(source="iban")
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="fr"
    )
    office = optional_link(Office, _("office"), related_name=None, db_index=False)
    advisor = optional_link(
        settings.AUTH_USER_MODEL,
        _("advisor"),
        related_name="advised_members",
        limit_choices_to={"is_staff": True},
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(
        _("left on"),
        null=True,
        blank=True,
        help_text=_("Resignation, exclusion or death: no longer a member from this day."),
    )
    may_open_units = models.BooleanField(
        _("may open production units"),
        default=False,
        help_text=_("Given to category A members when they are admitted."),
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["last_name", "first_name", "organisation_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_number_hash"],
                condition=~models.Q(national_number_hash=""),
                name="member_unique_national_number",
            ),
        ]
        indexes = [models.Index(fields=["office", "last_name"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.is_organisation:
            return self.organisation_name
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        errors = {}
        if self.is_organisation:
            if self.category != self.Category.C:
                errors["category"] = _("Only category C members can be organisations.")
            if not self.organisation_name:
                errors["organisation_name"] = _("An organisation needs a name.")
        else:
            if not self.first_name:
                errors["first_name"] = _("This field is required.")
            if not self.last_name:
                errors["last_name"] = _("This field is required.")
        if errors:
            raise ValidationError(errors)
