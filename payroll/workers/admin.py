"""Back-office of payroll: workers, who works for which unit, invitations, declared days.

Scoped by office through the unit (an advisor sees the workers of the units of their
office's members). Rows change through services only: ending a link and revoking an
invitation are actions; workers are created from a member file or by accepting an invitation,
work days by jobs and declarations.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_identifiers import IdentifierAdminMixin, masked
from core.admin_kit import (
    AuditTrailMixin,
    ReadOnlyMixin,
    apply_each,
    each_action,
)
from core.scoping import UNIT_OFFICE, WORKER_OFFICE
from payroll.models import UnitWorker, WorkDay, Worker, WorkerInvitation

from .invitation_services import worker_invitation_revoke
from .worker_services import unit_worker_end


class UnitWorkerInline(ReadOnlyMixin, admin.TabularInline):
    model = UnitWorker
    fields = ("unit", "is_holder", "added_on", "ended_on")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        # A worker of units of several offices: each advisor sees the units of theirs.
        return visible_rows(request.user, UnitWorker, super().get_queryset(request))


@admin.register(Worker)
class WorkerAdmin(
    OfficeScopedAdminMixin, IdentifierAdminMixin, AuditTrailMixin, ReadOnlyMixin, admin.ModelAdmin
):
    office_path = WORKER_OFFICE
    identifier_fields = identifier_search_fields = ("national_number", "iban")
    masked_national_number = masked("national_number", gettext_lazy("national register number"))
    masked_iban = masked("iban", gettext_lazy("IBAN"))
    list_display = ("last_name", "first_name", "email", "masked_national_number", "member", "user")
    list_select_related = ("member", "user")
    search_fields = ("last_name", "first_name", "email", "user__email")
    search_help_text = gettext_lazy("A name, an email address or a national register number.")
    show_full_result_count = False
    inlines = (UnitWorkerInline,)
    fields = (
        "first_name",
        "last_name",
        "email",
        "masked_national_number",
        "birth_date",
        "masked_iban",
        "street",
        "postal_code",
        "city",
        "country",
        "withholding_scale",
        "member",
        "user",
        "created_at",
    )
    readonly_fields = fields


@admin.register(UnitWorker)
class UnitWorkerAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyMixin, admin.ModelAdmin):
    office_path = UNIT_OFFICE
    list_display = ("worker", "unit", "is_holder", "added_on", "ended_on")
    list_filter = ("is_holder", ("ended_on", admin.EmptyFieldListFilter))
    list_select_related = ("worker", "unit")
    search_fields = ("worker__last_name", "worker__first_name", "worker__email", "=unit__code")
    show_full_result_count = False
    fields = list_display
    readonly_fields = fields
    actions = ("end_links",)

    def has_end_permission(self, request):
        return request.user.has_perm("payroll.change_unitworker")

    @admin.action(description=gettext_lazy("Stop declaring work for them"), permissions=["end"])
    def end_links(self, request, queryset):
        apply_each(
            self,
            request,
            queryset.select_related("unit__holder", "worker"),
            apply=lambda link: unit_worker_end(unit=link.unit, worker=link.worker, by=request.user),
            done_message=ngettext_lazy(
                "%(count)d worker no longer works for the unit.",
                "%(count)d workers no longer work for their unit.",
                "count",
            ),
        )


@admin.register(WorkerInvitation)
class WorkerInvitationAdmin(
    OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyMixin, admin.ModelAdmin
):
    office_path = UNIT_OFFICE
    list_display = (
        "email",
        "first_name",
        "last_name",
        "unit",
        "status",
        "expires_on",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("unit",)
    search_fields = ("email", "last_name", "first_name", "=unit__code")
    date_hierarchy = "created_at"
    show_full_result_count = False
    # The token is the key of the invitee's link: never shown.
    fields = (
        "unit",
        "email",
        "first_name",
        "last_name",
        "status",
        "invited_by",
        "created_at",
        "expires_on",
        "accepted_at",
        "worker",
    )
    readonly_fields = fields
    actions = ("revoke",)

    def has_revoke_permission(self, request):
        return request.user.has_perm("payroll.change_workerinvitation")

    revoke = each_action(
        gettext_lazy("Revoke (pending ones)"),
        worker_invitation_revoke,
        "invitation",
        permissions=["revoke"],
        rows=lambda queryset: queryset.select_related("unit__holder"),
        done_message=ngettext_lazy(
            "%(count)d invitation revoked.", "%(count)d invitations revoked.", "count"
        ),
    )


@admin.register(WorkDay)
class WorkDayAdmin(OfficeScopedAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    office_path = UNIT_OFFICE
    list_display = ("date", "worker", "unit", "hours", "function", "contract_type", "cancelled")
    # By unit: search its code (a filter listing every unit would be too long).
    list_filter = ("cancelled", "contract_type", "date")
    list_select_related = ("worker", "unit", "contract_type")
    search_fields = ("worker__last_name", "worker__first_name", "=unit__code", "function")
    date_hierarchy = "date"
    show_full_result_count = False
    fields = (
        "date",
        "worker",
        "unit",
        "hours",
        "function",
        "contract_type",
        "job",
        "declaration",
        "contract",
        "gross",
        "cancelled",
    )
    readonly_fields = fields
