from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartcoop.validators import (
    BICField,
    EnterpriseNumberField,
    EUVATField,
    IBANField,
    NationalNumberField,
)

LANGUAGE_CHOICES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]


class EmailUserManager(UserManager):
    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account: members log in by email; staff users may work in an office."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    office = models.ForeignKey(
        "members.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("For advisors: the office whose members they follow."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


class Office(models.Model):
    """One of the cooperative's offices (data, not code)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=100)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LegalEntity(models.Model):
    """A legal entity of the cooperative: an invoice series and an employer belong to one."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    enterprise_number = EnterpriseNumberField(_("enterprise number"), unique=True)
    vat_number = EUVATField(_("VAT number"), blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="BE")
    iban = IBANField(_("IBAN"))
    bic = BICField(_("BIC"))
    peppol_id = models.CharField(
        _("Peppol identifier"), max_length=50, help_text=_("e.g. 0208:0450010021")
    )

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MemberQuerySet(models.QuerySet):
    def followed_by(self, user):
        """The members an advisor may see: their office's; all for superusers."""
        if user.is_superuser:
            return self
        if user.office_id is None:
            return self.none()
        return self.filter(office_id=user.office_id)


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

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member",
    )
    number = models.PositiveIntegerField(_("member number"), unique=True, null=True, blank=True)
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.MEMBER
    )
    is_organisation = models.BooleanField(_("organisation"), default=False)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    national_number = NationalNumberField(_("national register number"), blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")
    iban = IBANField(_("IBAN"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="fr"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("advisor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advised_members",
        limit_choices_to={"is_staff": True},
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["last_name", "first_name", "organisation_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_number"],
                condition=~models.Q(national_number=""),
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
        from django.core.exceptions import ValidationError

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
