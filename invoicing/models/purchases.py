from django.db import models
from django.utils.translation import gettext_lazy as _

from core.model_fields import optional_link, staff_link


class PurchaseQuerySet(models.QuerySet):
    def to_match(self):
        return self.filter(status=Purchase.Status.TO_MATCH)


class Purchase(models.Model):
    """A supplier's invoice received as UBL, charged to an Activité unit."""

    class Status(models.TextChoices):
        TO_MATCH = "to_match", _("to match to a unit")
        POSTED = "posted", _("posted to the unit")
        REJECTED = "rejected", _("rejected")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    unit = optional_link("production_units.ProductionUnit", _("unit"), related_name="purchases")
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_vat_number = models.CharField(_("supplier's VAT number"), max_length=30, blank=True)
    supplier_invoice_number = models.CharField(_("supplier's invoice number"), max_length=100)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    net_total = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2)
    vat_total = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)
    total = models.DecimalField(_("total incl. VAT"), max_digits=14, decimal_places=2)
    ubl = models.FileField(_("UBL"), upload_to="purchases/%Y/")
    file_sha256 = models.CharField(max_length=64, unique=True)
    problem = models.TextField(_("why it could not be matched"), blank=True)
    created_by = staff_link()
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.supplier_name} {self.supplier_invoice_number}"
