"""Back-office queue of share transfer requests: the board approves them (decision reference
and date, then both sides go to the register) or refuses them with a reason.

Requests are made in the portal (or by an advisor through the service), never added here.
The board and the administrators see every request and decide; advisors see their office's
requests read-only (to answer a member), without the actions.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import (
    NOTHING,
    AuditTrailMixin,
    ReadOnlyAdmin,
    RefuseForm,
    advisor_queue_item,
    day_field,
    reason_action,
    run_action_with_form,
)
from core.roles import is_board

from .models import ShareTransferRequest
from .selectors import member_shares
from .transfer_services import (
    share_transfer_approve,
    share_transfer_refuse,
    shares_pending_transfer,
)

Status = ShareTransferRequest.Status


class TransferApproveForm(forms.Form):
    decision_reference = forms.CharField(
        label=gettext_lazy("Board decision reference"),
        max_length=100,
        help_text=gettext_lazy("e.g. CA-2026-03-12"),
    )
    on = day_field(
        gettext_lazy("Date of the transfer"),
        help_text=gettext_lazy("The date of both entries in the register."),
        past=True,
    )


def requested(queryset):
    """The transfer requests still waiting for a decision, with both members."""
    return queryset.filter(status=Status.REQUESTED).select_related("from_member", "to_member")


def describe(transfer: ShareTransferRequest) -> str:
    """What the board needs to decide: the transferor's fully paid shares and other requests."""
    position = member_shares(member=transfer.from_member)
    return _(
        "%(shares)s share(s); %(name)s holds %(held)s, %(paid)s fully paid, %(pending)s in "
        "other pending requests"
    ) % {
        "shares": transfer.shares,
        "name": transfer.from_member.display_name,
        "held": position.held,
        "paid": position.fully_paid_shares,
        "pending": shares_pending_transfer(member=transfer.from_member, exclude=transfer),
    }


@admin.register(ShareTransferRequest)
class ShareTransferRequestAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    # Requests come from the portal and are decided by actions: never added, edited or deleted.
    office_path = "from_member__office"  # the transferor's office
    list_display = (
        "requested_at",
        "from_number",
        "from_member",
        "to_number",
        "to_member",
        "shares",
        "status",
        "decision_reference",
        "transfer_date",
    )
    list_display_links = ("requested_at",)
    list_filter = ("status",)
    list_select_related = ("from_member", "to_member", "transfer_out_entry")
    search_fields = (
        "from_member__number__exact",
        "to_member__number__exact",
        "from_member__last_name",
        "to_member__last_name",
        "decision_reference",
    )
    ordering = ("-requested_at", "-id")
    show_full_result_count = False
    actions = ("approve_selected", "refuse_with_reason")
    fields = (
        "from_member",
        "to_member",
        "shares",
        "note",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_reference",
        "refusal_reason",
        "register_entries",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("from_member", "to_member", "transfer_out_entry", "transfer_in_entry")
        )

    def has_decide_permission(self, request):
        return is_board(request.user)

    @admin.display(description=gettext_lazy("from no."), ordering="from_member__number")
    def from_number(self, transfer):
        return transfer.from_member.number

    @admin.display(description=gettext_lazy("to no."), ordering="to_member__number")
    def to_number(self, transfer):
        return transfer.to_member.number

    @admin.display(description=gettext_lazy("date of the transfer"))
    def transfer_date(self, transfer):
        entry = transfer.transfer_out_entry
        return entry.date if entry is not None else NOTHING

    @admin.display(description=gettext_lazy("register entries"))
    def register_entries(self, transfer):
        if transfer.transfer_out_entry_id is None:
            return NOTHING
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse(
                "admin:members_shareregisterentry_change", args=[transfer.transfer_out_entry_id]
            ),
            _("transfer out"),
            reverse(
                "admin:members_shareregisterentry_change", args=[transfer.transfer_in_entry_id]
            ),
            _("transfer in"),
        )

    @admin.action(description=gettext_lazy("Approve (board decision)"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            requested(queryset),
            form_class=TransferApproveForm,
            title=_("Approve the share transfers"),
            intro=_(
                "Each transfer is recorded in the register on that date, both sides, at the "
                "transferor's subscription price. Only fully paid shares can be transferred."
            ),
            describe=describe,
            apply=lambda transfer, data: share_transfer_approve(
                request=transfer,
                by=request.user,
                decision_reference=data["decision_reference"],
                on=data["on"],
            ),
            done_message=ngettext_lazy(
                "%(count)d transfer approved.", "%(count)d transfers approved.", "count"
            ),
        )

    refuse_with_reason = reason_action(
        gettext_lazy("Refuse with a reason"),
        share_transfer_refuse,
        "request",
        permissions=["decide"],
        form_class=RefuseForm,
        rows=requested,
        title=gettext_lazy("Refuse the share transfers"),
        intro=gettext_lazy("The member sees the reason in their portal."),
        describe=describe,
        done_message=ngettext_lazy(
            "%(count)d transfer refused.", "%(count)d transfers refused.", "count"
        ),
    )


# On the admin index of the board: the transfer requests waiting for a decision.
transfers_to_decide = advisor_queue_item(
    gettext_lazy("Share transfers to decide"),
    ShareTransferRequest,
    status=Status.REQUESTED,
    allowed=is_board,
    scoped=False,
)
