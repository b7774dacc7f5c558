"""Accounts and the cooperative's own structure: users, offices, legal entities, API tokens."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from core.model_fields import optional_link
from core.validators import (
    BICField,
    EnterpriseNumberField,
    EUVATField,
    IBANField,
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


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox's token relation
    """An account: members log in by email; staff users may work in an office."""

    username = None  # type: ignore[assignment]  # the email is the login
    email = models.EmailField(_("email address"), unique=True)
    office = optional_link(
        "members.Office",
        _("office"),
        related_name="staff",
        help_text=_("For advisors: the office whose members they follow."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # The back-office's filters by advisor or actor list the staff accounts by email
            # on every list page: about 90 of 45,000 accounts at Smart's size.
            models.Index(fields=["email"], condition=Q(is_staff=True), name="user_staff_by_email"),
        ]

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
    court_registry = models.CharField(
        _("register of legal entities (court)"),
        max_length=60,
        blank=True,
        help_text=_(
            "The enterprise court of the registered office, printed after RLE (RPM/RPR) on "
            "every document, e.g. Bruxelles."
        ),
    )
    onss_number = models.CharField(
        _("employer's ONSS number"),
        max_length=20,
        blank=True,
        help_text=_("The employer's registration number at the social security (ONSS/RSZ)."),
    )
    signatory = models.CharField(
        _("signatory of the attestations"),
        max_length=200,
        blank=True,
        help_text=_("Who signs the employment attestations, with their function."),
    )

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its SHA-512 digest is stored, it expires, and its
    owner names, lists and revokes it in the portal (settings.KNOX_TOKEN_MODEL)."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name or _('API token')} ({self.user})"
