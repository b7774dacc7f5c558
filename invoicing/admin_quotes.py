"""Back-office for quotes: read-only (members write them in the portal)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import (
    NOTHING,
    AuditTrailMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
)
from core.scoping import UNIT_OFFICE

from .admin_invoice_lists import LINE_FIELDS
from .models import Quote, QuoteLine


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = tuple(name for name in LINE_FIELDS if name != "exemption_reason")


@admin.register(Quote)
class QuoteAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = UNIT_OFFICE
    list_display = ("__str__", "status", "unit", "client", "total", "valid_until", "created_at")
    list_filter = ("status",)
    list_select_related = ("unit", "client")
    search_fields = ("=number", "client__name", "=unit__code")
    ordering = ("-id",)
    show_full_result_count = False
    inlines = (QuoteLineInline,)
    fields = (
        "number",
        "status",
        "unit",
        "client",
        "valid_until",
        "language",
        "note",
        "net_total",
        "vat_total",
        "total",
        "sent_at",
        "decided_at",
        "invoice_link",
        "created_by",
        "created_at",
    )
    readonly_fields = ("invoice_link",)

    @admin.display(description=gettext_lazy("invoice"))
    def invoice_link(self, quote):
        if quote.invoice_id is None:
            return NOTHING
        url = reverse("admin:invoicing_invoice_change", args=[quote.invoice_id])
        return format_html('<a href="{}">{}</a>', url, quote.invoice)
