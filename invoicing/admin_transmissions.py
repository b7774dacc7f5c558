"""Back-office for the sending of issued documents (e-mail, Peppol): read-only, with the
stuck ones listed (a filter and an item of the advisor's queue) and a "send again" that
replays them through the same task (invoicing.sending)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import (
    ReadOnlyAdmin,
    advisor_queue_item,
    each_action,
)
from core.scoping import UNIT_OFFICE, through

from .admin_actions import invoices_matching
from .models import Invoice, Transmission
from .sending import transmission_replay


def stuck_transmissions():
    """Not sent, and given up or overdue by OUTBOX_STALE_SECONDS (docs/operations.md)."""
    before = timezone.now() - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    return Transmission.objects.stuck(before=before)


class StuckFilter(admin.SimpleListFilter):
    title = gettext_lazy("stuck")
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", _("Stuck: given up, or overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=stuck_transmissions().values("pk"))
        return queryset


@admin.register(Transmission)
class TransmissionAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    office_path = through("invoice", UNIT_OFFICE)
    list_display = (
        "invoice",
        "channel",
        "status",
        "attempts",
        "recipient",
        "created_at",
        "sent_at",
        "next_attempt_at",
        "last_error_start",
    )
    list_filter = (StuckFilter, "channel", "status")
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
        "claimed_at",
        "next_attempt_at",
        "sent_at",
    )
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        found = invoices_matching(Invoice.objects.all(), search_term)
        if found is not None:
            return queryset.filter(invoice__in=found.values("pk")), False
        return super().get_search_results(request, queryset, search_term)

    def has_resend_permission(self, request):
        return request.user.has_perm("invoicing.change_transmission")

    @admin.display(description=gettext_lazy("last error"))
    def last_error_start(self, transmission):
        return (transmission.last_error or "")[:80]

    send_failed_again = each_action(
        gettext_lazy("Send again (failed or stuck ones)"),
        transmission_replay,
        "transmission",
        permissions=["resend"],
        rows=lambda queryset: queryset.select_related("invoice__series"),
        done_message=ngettext_lazy(
            "%(count)d transmission queued again.",
            "%(count)d transmissions queued again.",
            "count",
        ),
    )


transmissions_stuck = advisor_queue_item(
    gettext_lazy("Documents not sent (stuck)"),
    Transmission,
    rows=lambda user: Transmission.objects.filter(pk__in=stuck_transmissions().values("pk")),
    query="stuck=yes",
)
