from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dated import DatedQuerySet
from core.dates import format_validity
from core.model_fields import optional_link, required_link, staff_link
from core.scoping import UNIT_OFFICE, office_scoped

from .clients import Client


class InvoicingPolicy(models.Model):
    """Dated parameters of invoicing: payment term and when an advisor must approve."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    payment_term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=10)
    reminder_days = models.CharField(
        _("reminder steps (days after the due date)"),
        max_length=50,
        default="7,21,35",
        validators=[RegexValidator(r"^\d+(,\d+)*$", _("Days separated by commas, e.g. 7,21,35."))],
    )
    approval_threshold = models.DecimalField(
        _("approval threshold excl. VAT"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Invoices above this amount go to an advisor before they are issued."),
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoicing policy")
        verbose_name_plural = _("invoicing policies")
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{format_validity(self.valid_from, self.valid_to)}"

    @property
    def reminder_steps(self) -> list[int]:
        return sorted(int(day) for day in self.reminder_days.split(",") if day)


class VatCategory(models.TextChoices):
    """UNCL5305 codes used by EN 16931."""

    STANDARD = "S", _("standard rate")
    ZERO = "Z", _("zero rate")
    EXEMPT = "E", _("exempt")
    REVERSE_CHARGE = "AE", _("reverse charge")
    INTRA_EU = "K", _("intra-EU supply")
    EXPORT = "G", _("export outside the EU")
    NOT_SUBJECT = "O", _("not subject to VAT")


EXEMPT_CATEGORIES = {"E", "AE", "K", "G", "O"}


class VatRate(models.Model):
    """A VAT rate allowed on invoices in a period (data, not code)."""

    category = models.CharField(_("VAT category"), max_length=2, choices=VatCategory.choices)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["category", "-rate"]

    def __str__(self):
        return f"{self.category} {self.rate} %"


class VatExemptionReason(models.Model):
    """A legal reason for an invoice line without VAT (VATEX code + text)."""

    category = models.CharField(_("VAT category"), max_length=2, choices=VatCategory.choices)
    code = models.CharField(_("VATEX code"), max_length=30, blank=True)
    text = models.CharField(_("legal mention"), max_length=300)

    class Meta:
        verbose_name = _("VAT exemption reason")
        verbose_name_plural = _("VAT exemption reasons")
        ordering = ["category", "code"]

    def __str__(self):
        return f"{self.category} · {self.text}"


class InvoiceSeries(models.Model):
    """A numbering series of a legal entity (numbers restart each year)."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoices")
        CREDIT_NOTE = "credit_note", _("credit notes")

    legal_entity = required_link(
        "members.LegalEntity", None, related_name="invoice_series", db_index=False
    )
    code = models.CharField(_("code"), max_length=8)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reference_prefix = models.CharField(
        _("structured reference prefix"),
        max_length=2,
        unique=True,
        help_text=_("Two digits that start the structured references of this series."),
    )

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "code"], name="series_unique_code"),
            models.UniqueConstraint(fields=["legal_entity", "kind"], name="series_unique_kind"),
        ]

    def __str__(self):
        return f"{self.legal_entity.code}/{self.code}"


class InvoiceQuerySet(models.QuerySet):
    def of_member_user(self, user):
        return self.filter(unit__holder__user=user)

    def issued(self):
        return self.filter(status=Invoice.Status.ISSUED)

    def to_approve(self):
        return self.filter(status=Invoice.Status.PENDING_APPROVAL)

    def followed_by(self, user):
        """Invoices of the units of the advisor's office (core.scoping)."""
        return office_scoped(self, user, UNIT_OFFICE)


class FrozenError(Exception):
    """Raised when code tries to change an issued document."""


# Fields that make up an issued document; nothing may change them once issued.
FROZEN_FIELDS = [
    "kind", "unit_id", "client_id", "legal_entity_id", "series_id", "year", "number",
    "issue_date", "due_date", "supply_date", "supply_period_end", "currency", "buyer_reference",
    "order_reference", "note",
    "language", "structured_reference", "net_total", "vat_total", "total", "credited_invoice_id",
    "seller", "buyer", "presentation", "hash", "previous_hash", "issued_at", "issued_by_id",
]  # fmt: skip


class Invoice(models.Model):
    """An invoice or a credit note: a draft until issued, then frozen and hash-chained."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING_APPROVAL = "pending_approval", _("awaiting approval")
        REJECTED = "rejected", _("rejected")
        ISSUED = "issued", _("issued")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    unit = required_link(
        "production_units.ProductionUnit", _("unit"), related_name="invoices", db_index=False
    )
    client = required_link(Client, _("client"), related_name="invoices", db_index=False)
    legal_entity = required_link(
        "members.LegalEntity", _("legal entity"), related_name=None, db_index=False
    )
    series = optional_link(InvoiceSeries, _("series"), related_name=None)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # The date of the supply (the tax point a VAT invoice must state), or the first day of
    # the service period when supply_period_end is set; the issue date when left empty.
    supply_date = models.DateField(_("date of supply"), null=True, blank=True)
    supply_period_end = models.DateField(
        _("end of the service period"),
        null=True,
        blank=True,
        help_text=_("For services over a period: its last day (the date of supply is its first)."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    structured_reference = models.CharField(
        _("structured reference"), max_length=12, blank=True, db_index=True
    )
    net_total = models.DecimalField(
        _("total excl. VAT"), max_digits=14, decimal_places=2, default=0
    )
    vat_total = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(_("total incl. VAT"), max_digits=14, decimal_places=2, default=0)
    credited_invoice = optional_link("self", _("credited invoice"), related_name="credit_notes")
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    buyer = models.JSONField(_("buyer"), default=dict, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = staff_link(_("issued by"))
    presentation = models.JSONField(
        _("presentation"),
        default=dict,
        blank=True,
        help_text=_("The unit's layout, colour, logo and texts as they were when it was issued."),
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    reminders_paused = models.BooleanField(_("reminders paused"), default=False)
    created_by = staff_link(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    pdf = models.FileField(_("PDF"), upload_to="invoices/pdf/%Y/", blank=True)
    ubl = models.FileField(_("UBL"), upload_to="invoices/ubl/%Y/", blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "series", "year", "number"],
                name="invoice_unique_number",
            ),
            models.CheckConstraint(
                condition=models.Q(status="issued", number__isnull=False, hash__gt="")
                | ~models.Q(status="issued"),
                name="invoice_issued_has_number_and_hash",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="invoice", credited_invoice__isnull=True)
                | models.Q(kind="credit_note", credited_invoice__isnull=False),
                name="credit_note_references_invoice",
            ),
            models.CheckConstraint(
                condition=models.Q(supply_period_end__isnull=True)
                | models.Q(
                    supply_date__isnull=False, supply_period_end__gte=models.F("supply_date")
                ),
                name="invoice_supply_period_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "-issue_date"]),
            models.Index(fields=["client", "-issue_date"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(
                fields=["issue_date"],
                condition=models.Q(status="issued"),
                name="invoice_issued_by_date",
            ),
        ]

    def __str__(self):
        if self.number:
            return self.display_number
        return f"{self.get_kind_display()} ({_('draft')} #{self.pk})"

    def save(self, *args, **kwargs):
        if getattr(self, "_loaded_status", None) == self.Status.ISSUED:
            if self.status != self.Status.ISSUED:
                raise FrozenError("An issued invoice can't leave the issued state.")
            changed = [
                name for name, old in self._loaded_frozen.items() if getattr(self, name) != old
            ]
            if changed:
                raise FrozenError(f"An issued invoice can't change: {', '.join(changed)}.")
        super().save(*args, **kwargs)
        self._loaded_status = self.status
        self._loaded_frozen = {name: getattr(self, name) for name in FROZEN_FIELDS}

    def delete(self, *args, **kwargs):
        if self.status == self.Status.ISSUED or getattr(self, "_loaded_status", None) == (
            self.Status.ISSUED
        ):
            raise FrozenError("An issued invoice can't be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.status
        instance._loaded_frozen = {
            name: getattr(instance, name)
            for name in FROZEN_FIELDS
            if name.removesuffix("_id") in field_names or name in field_names
        }
        return instance

    @property
    def display_number(self) -> str:
        if not self.number or self.series is None:
            return ""
        return f"{self.series.code}-{self.year}-{self.number:06d}"

    @property
    def supply_period(self) -> tuple[date, date] | None:
        """(first day, last day) when the document covers a service period, else None."""
        if (
            self.supply_date
            and self.supply_period_end
            and self.supply_period_end > self.supply_date
        ):
            return self.supply_date, self.supply_period_end
        return None

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


class UnitCode(models.TextChoices):
    """UN/ECE recommendation 20 codes."""

    PIECE = "C62", _("unit")
    HOUR = "HUR", _("hour")
    DAY = "DAY", _("day")
    LUMP_SUM = "LS", _("lump sum")
    KILOMETRE = "KMT", _("kilometre")


class DocumentLine(models.Model):
    """What a line of an invoice, a credit note or a quote holds."""

    UnitCode = UnitCode

    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_code = models.CharField(
        _("unit"), max_length=3, choices=UnitCode.choices, default=UnitCode.PIECE
    )
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=14, decimal_places=4)
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=21)
    exemption_reason = optional_link(VatExemptionReason, _("exemption reason"))
    net_amount = models.DecimalField(_("amount excl. VAT"), max_digits=14, decimal_places=2)

    class Meta:
        abstract = True

    def __str__(self):
        return self.description


class InvoiceLine(DocumentLine):
    """One line of an invoice. Frozen with its invoice."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", db_index=False
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="line_unique_position"),
        ]

    def save(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id, status=Invoice.Status.ISSUED).exists():
            raise FrozenError("The lines of an issued invoice can't change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id, status=Invoice.Status.ISSUED).exists():
            raise FrozenError("The lines of an issued invoice can't change.")
        return super().delete(*args, **kwargs)


class InvoiceLayout(models.TextChoices):
    """The layouts a unit chooses from; each prints every legal mention (the PDF test)."""

    CLASSIC = "classic", _("classic")
    MODERN = "modern", _("modern")
    COMPACT = "compact", _("compact")


# The texts a unit writes for each document language (InvoiceBranding.texts[language]).
BRANDING_TEXTS = {
    "introduction": 1000,
    "closing": 1000,
    "email_subject": 200,
    "email_message": 2000,
}
# What the e-mail's subject and message may hold, filled when the mail is written.
EMAIL_PLACEHOLDERS = ("number", "total", "due_date")


class InvoiceBranding(models.Model):
    """A unit's personalisation of its documents. The cooperative's legal mentions stay."""

    unit = models.OneToOneField(
        "production_units.ProductionUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="branding",
    )
    layout = models.CharField(
        _("layout"), max_length=10, choices=InvoiceLayout.choices, default=InvoiceLayout.CLASSIC
    )
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    accent_color = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1d5c63",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1d5c63."), code="invalid")
        ],
    )
    texts = models.JSONField(
        _("texts per language"),
        default=dict,
        blank=True,
        help_text=_("Introduction, closing, e-mail subject and message, per document language."),
    )
    language = models.CharField(
        _("document language"),
        max_length=2,
        blank=True,
        choices=settings.DOCUMENT_LANGUAGES,
        help_text=_("Used when the client has no language."),
    )

    class Meta:
        verbose_name = _("document personalisation")
        verbose_name_plural = _("document personalisations")

    def __str__(self):
        return str(self.unit)

    def text(self, language: str, name: str) -> str:
        """The unit's text `name` (BRANDING_TEXTS) in `language`, '' when not written."""
        value = (self.texts or {}).get(language, {}).get(name, "")
        return value if isinstance(value, str) else ""


class RecurringInvoice(models.Model):
    """An invoice to repeat: on each `next_date` a new draft is made from `template` (its
    client, lines and references) for the member to check and submit; then the date moves
    one month or one year on. Stopped by the member (`active` off)."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("every month")
        YEARLY = "yearly", _("every year")

    template = required_link(Invoice, _("invoice repeated"), related_name="recurrences")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    next_date = models.DateField(_("next draft on"))
    active = models.BooleanField(_("active"), default=True)
    created_by = staff_link(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring invoice")
        verbose_name_plural = _("recurring invoices")
        ordering = ["next_date", "pk"]
        indexes = [models.Index(fields=["active", "next_date"])]

    def __str__(self):
        return f"{self.template} · {self.get_frequency_display()}"
