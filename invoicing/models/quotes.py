from django.db import models
from django.utils.translation import gettext_lazy as _

from core.model_fields import optional_link, required_link, staff_link

from .clients import Client
from .invoices import DocumentLine, Invoice


class QuoteQuerySet(models.QuerySet):
    def of_member_user(self, user):
        return self.filter(unit__holder__user=user)


class Quote(models.Model):
    """A quote (devis) sent to a client; once accepted it can become an invoice."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")
        INVOICED = "invoiced", _("invoiced")

    unit = required_link("production_units.ProductionUnit", _("unit"), related_name="quotes")
    client = required_link(Client, _("client"), related_name="quotes")
    number = models.CharField(_("number"), max_length=30, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    net_total = models.DecimalField(
        _("total excl. VAT"), max_digits=14, decimal_places=2, default=0
    )
    vat_total = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(_("total incl. VAT"), max_digits=14, decimal_places=2, default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or refused at"), null=True, blank=True)
    invoice = optional_link(Invoice, _("invoice"), related_name="quote", one=True)
    pdf = models.FileField(_("PDF"), upload_to="quotes/%Y/", blank=True)
    created_by = staff_link()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number or f"{_('quote')} #{self.pk}"


class QuoteLine(DocumentLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", db_index=False)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "position"], name="quote_line_unique_position"
            ),
        ]
