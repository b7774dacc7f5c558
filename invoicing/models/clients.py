from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat as be_vat

from core.scoping import office_scoped
from core.validators import ISO_COUNTRIES, EnterpriseNumberField, EUVATField

from ..languages import default_client_language

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EU_COUNTRIES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


def _peppol_endpoint_problem(value: str) -> "StrOrPromise":
    """Why a Peppol participant identifier is unusable, or ''."""
    scheme, _sep, identifier = value.partition(":")
    if not (len(scheme) == 4 and scheme.isdigit()) or not identifier:
        return _("Write it as scheme:identifier, e.g. 0208:0403170701.")
    if scheme == "0208" and not be_vat.is_valid(identifier):
        return _("0208 identifiers are Belgian enterprise numbers: this one is not valid.")
    return ""


class ClientQuerySet(models.QuerySet):
    def of_member_user(self, user):
        """The clients attached to a unit this user holds."""
        return self.filter(units__holder__user=user).distinct()

    def to_verify(self):
        return self.filter(verified_at__isnull=True)

    def followed_by(self, user):
        """Clients of units held by members of the advisor's office (core.scoping)."""
        return office_scoped(self, user, "units__holder__office")


class Client(models.Model):
    """A client of the cooperative, attached to the units that invoice it."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        NON_PROFIT = "non_profit", _("non-profit")
        PUBLIC_BODY = "public_body", _("public body")
        PERSON = "person", _("private person")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"), max_length=2, default="BE", help_text=_("ISO code, e.g. BE, FR, US")
    )
    enterprise_number = EnterpriseNumberField(
        _("Belgian enterprise number"), blank=True, db_index=True
    )
    vat_number = EUVATField(_("EU VAT number"), blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16)
    city = models.CharField(_("city"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    peppol_endpoint = models.CharField(
        _("Peppol endpoint"),
        max_length=60,
        blank=True,
        help_text=_("scheme:identifier, e.g. 0208:0403170701"),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        blank=True,
        choices=settings.DOCUMENT_LANGUAGES,
        help_text=_(
            "The language of the documents, e-mails and reminders sent to this client. Empty: "
            "guessed from the country and, in Belgium, the postal code."
        ),
    )
    units = models.ManyToManyField(
        "production_units.ProductionUnit",
        verbose_name=_("units"),
        related_name="clients",
        blank=True,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["verified_at"])]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def clean(self):
        errors = {}
        self.country = (self.country or "").upper()
        if self.country not in ISO_COUNTRIES:
            errors["country"] = _(
                "“%(value)s” is not a country code: use the two-letter ISO code, e.g. BE."
            ) % {"value": self.country}
        is_business = self.kind != self.Kind.PERSON
        if self.country == "BE" and is_business and not self.enterprise_number:
            errors["enterprise_number"] = _(
                "A Belgian company, non-profit or public body needs its enterprise number."
            )
        if self.country != "BE" and self.enterprise_number:
            errors["enterprise_number"] = _("Only Belgian clients have an enterprise number.")
        if self.vat_number and self.vat_number[:2].upper() not in EU_COUNTRIES | {"EL"}:
            errors["vat_number"] = _("Only EU VAT numbers are accepted here.")
        elif self.vat_number and self.vat_number[:2].upper() != self.country.replace("GR", "EL"):
            errors["vat_number"] = _("The VAT number's country must be the client's country.")
        self.language = self.language or default_client_language(self.country, self.postal_code)
        if self.peppol_endpoint:
            problem = _peppol_endpoint_problem(self.peppol_endpoint)
            if problem:
                errors["peppol_endpoint"] = problem
        if self.country == "BE" and self.enterprise_number and not self.peppol_endpoint:
            self.peppol_endpoint = f"0208:{self.enterprise_number}"
        if errors:
            raise ValidationError(errors)
