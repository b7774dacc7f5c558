from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.dated import DatedModel
from core.dates import format_day, format_validity
from core.model_fields import optional_link, required_link, staff_link
from core.models import AppendOnlyModel
from core.scoping import office_scoped

from .ledger_labels import ledger_label

MONEY = models.DecimalField(max_digits=14, decimal_places=2)
ZERO = models.Value(0, output_field=MONEY)


class Sector(models.Model):
    """Sector of activity (the 12 sectors of the yearly report), as data."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_artistic = models.BooleanField(_("artistic sector"), default=False)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProductionUnitQuerySet(models.QuerySet):
    def held_by(self, user):
        """The units whose holder is this user's member profile."""
        return self.filter(holder__user=user)

    def followed_by(self, user):
        """The units an advisor may see: those of their office's members (core.scoping)."""
        return office_scoped(self, user, "holder__office")

    def with_balance(self):
        """Annotate `balance`: the sum of the unit's ledger entries (0 when none)."""
        return self.annotate(
            balance=Coalesce(Sum("ledger_entries__amount"), ZERO, output_field=MONEY)
        )

    def active(self):
        return self.filter(status=ProductionUnit.Status.ACTIVE)


class ProductionUnit(models.Model):
    """An autonomous economic unit inside the shared enterprise."""

    class Tool(models.TextChoices):
        THREE_IN_ONE = "3en1", _("3en1")
        ACTIVITY = "activite", _("Activité")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    tool = models.CharField(_("tool"), max_length=10, choices=Tool.choices)
    holder = required_link("members.Member", _("holder"), related_name="units")
    sector = required_link(Sector, _("sector"), related_name=None)
    legal_entity = required_link("members.LegalEntity", _("legal entity"), related_name="units")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = ProductionUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("production unit")
        verbose_name_plural = _("production units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="unit_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="unit_closed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"


class LedgerEntry(AppendOnlyModel):
    """One euro movement of a unit. Append-only: a correction is a new entry."""

    class Kind(models.TextChoices):
        TURNOVER = "turnover", _("turnover")
        TURNOVER_CONTRIBUTION = "turnover_contribution", _("turnover contribution")
        EMPLOYMENT_COST = "employment_cost", _("employment cost")
        EMPLOYMENT_CONTRIBUTION = "employment_contribution", _("employment contribution")
        EXPENSE = "expense", _("expense reimbursement")
        PURCHASE = "purchase", _("purchase")
        LOAN_DISBURSEMENT = "loan_disbursement", _("loan disbursement")
        LOAN_REPAYMENT = "loan_repayment", _("loan repayment")
        ADJUSTMENT = "adjustment", _("manual adjustment")

    unit = required_link(ProductionUnit, _("unit"), related_name="ledger_entries", db_index=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    booked_on = models.DateField(_("date"))
    label = models.CharField(_("label"), max_length=200)
    # What the label says, as a code of production_units.ledger_labels and its values: shown
    # in the reader's language. `label` keeps the text as written (entries without a code,
    # from before codes or typed by an advisor, show it).
    # Database defaults too: batch writers that COPY rows (core.bulk) may leave them out.
    label_code = models.CharField(_("label code"), max_length=40, blank=True, db_default="")
    label_params = models.JSONField(_("label values"), default=dict, blank=True, db_default={})
    source_type = optional_link(ContentType, None, db_index=False)
    source_id = models.CharField(max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = staff_link(_("recorded by"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-booked_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "-booked_on", "-id"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
        ]

    def __str__(self):
        return f"{format_day(self.booked_on)} {self.get_kind_display()} {self.amount} €"

    @property
    def display_label(self) -> str:
        """The label in the reader's language (production_units.ledger_labels)."""
        return ledger_label(self.label_code, self.label_params, fallback=self.label)


class ContributionRate(DatedModel):
    """The turnover pillar of the mutual contribution: a percentage of turnover excl. VAT,
    chosen by the date of the invoice or credit note."""

    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))],
    )
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta(DatedModel.Meta):
        verbose_name = _("mutual contribution rate")
        verbose_name_plural = _("mutual contribution rates")
        constraints = [
            *DatedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lt=100), name="contribution_rate_between_0_and_100"
            ),
        ]

    def __str__(self):
        return f"{self.rate} % ({format_validity(self.valid_from, self.valid_to)})"
