"""Back-office for the sending of issued documents (e-mail, Peppol): read-only, with a
"send again" for the failed ones (invoicing.sending)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.scoping import UNIT_OFFICE, through

from .admin_actions import apply_each, invoices_matching
from .admin_invoices import enqueue_sending
from .models import Invoice, Transmission


@admin.register(Transmission)
class TransmissionAdmin(OfficeScopedAdminMixin, admin.ModelAdmin):
    office_path = through("invoice", UNIT_OFFICE)
    list_display = (
        "invoice",
        "channel",
        "status",
        "attempts",
        "recipient",
        "created_at",
        "sent_at",
        "last_error_start",
    )
    list_filter = ("channel", "status")
    list_select_related = ("invoice__series",)
    search_fields = ("recipient", "=external_id")
    search_help_text = gettext_lazy("A document number, a structured reference or a recipient.")
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("send_failed_again",)
    fields = (
        "invoice",
        "channel",
        "status",
        "attempts",
        "recipient",
        "external_id",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        found = invoices_matching(Invoice.objects.all(), search_term)
        if found is not None:
            return queryset.filter(invoice__in=found.values("pk")), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("invoicing.change_transmission")

    @admin.display(description=gettext_lazy("last error"))
    def last_error_start(self, transmission):
        return (transmission.last_error or "")[:80]

    @admin.action(description=gettext_lazy("Send again (failed ones)"), permissions=["resend"])
    def send_failed_again(self, request, queryset):
        def resend(transmission):
            if transmission.status != Transmission.Status.FAILED:
                raise ValidationError(_("Only a failed transmission is sent again."))
            enqueue_sending(transmission.invoice, channels=[transmission.channel])

        apply_each(
            self,
            request,
            queryset.select_related("invoice__series"),
            apply=resend,
            done_message=ngettext_lazy(
                "%(count)d transmission queued again.",
                "%(count)d transmissions queued again.",
                "count",
            ),
        )
