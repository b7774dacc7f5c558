"""The queue of exits: record a death, an exclusion (board) or a resignation; process the
resignations members asked for."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import (
    NOTHING,
    AddOnlyMixin,
    AuditTrailMixin,
    ServiceFormMixin,
    advisor_queue_item,
    day_field,
    money,
    note_field,
    run_action_with_form,
)
from core.roles import is_board, require_board

from ..exit_services import member_exit
from ..models import (
    Member,
    MemberExit,
)
from .roles import is_advisor


class ExitRecordForm(forms.Form):
    on = day_field(
        gettext_lazy("Effective date"), help_text=gettext_lazy("No longer a member from this day.")
    )
    payout_iban = forms.CharField(
        label=gettext_lazy("Pay the refund to (IBAN)"),
        max_length=34,
        required=False,
        help_text=gettext_lazy("Empty: the member's IBAN."),
    )
    reason = note_field(gettext_lazy("Note"), required=False, rows=2)


class MemberExitForm(forms.ModelForm):
    """Record an exit directly: a death, an exclusion (board), a resignation by letter."""

    effective_on = forms.DateField(
        label=gettext_lazy("Effective date"),
        help_text=gettext_lazy("No longer a member from then."),
    )
    payout_iban = forms.CharField(
        label=gettext_lazy("Pay the refund to (IBAN)"),
        max_length=34,
        required=False,
        help_text=gettext_lazy("Heirs, a new account… Empty: the member's IBAN."),
    )

    class Meta:
        model = MemberExit
        fields = ["member", "kind", "effective_on", "decision_reference", "reason"]


@admin.register(MemberExit)
class MemberExitAdmin(
    AddOnlyMixin, OfficeScopedAdminMixin, AuditTrailMixin, ServiceFormMixin, admin.ModelAdmin
):
    office_path = "member__office"
    form = MemberExitForm
    list_display = (
        "member_number",
        "member",
        "office",
        "kind",
        "status",
        "requested_at",
        "effective_on",
        "refund",
        "decision_reference",
    )
    list_display_links = ("member_number", "member")
    list_filter = ("status", "kind", "member__office")
    list_select_related = ("member__office", "refund_entry")
    search_fields = ("member__number__exact", "member__last_name", "member__organisation_name")
    ordering = ("-id",)
    show_full_result_count = False
    autocomplete_fields = ("member",)
    actions = ("record_resignation",)
    readonly_fields = ("status", "requested_at", "recorded_by", "refund")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__office", "refund_entry")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["member", "kind", "effective_on", "decision_reference", "reason", "payout_iban"]
        return [
            "member",
            "kind",
            "status",
            "requested_at",
            "effective_on",
            "decision_reference",
            "reason",
            "recorded_by",
            "refund",
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = Member.objects.followed_by(request.user).filter(
                status=Member.Status.MEMBER
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # An exit is recorded (add) or processed (action), never edited or deleted (AddOnlyMixin).
    def has_add_permission(self, request):
        return is_advisor(request.user) or is_board(request.user)

    def has_review_permission(self, request):
        return is_advisor(request.user)

    @admin.display(description=gettext_lazy("number"), ordering="member__number")
    def member_number(self, record):
        return record.member.number

    @admin.display(description=gettext_lazy("office"))
    def office(self, record):
        return record.member.office or NOTHING

    @admin.display(description=gettext_lazy("refund"))
    def refund(self, record):
        return money(record.refund_entry.refund) if record.refund_entry_id else NOTHING

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if data["kind"] == MemberExit.Kind.EXCLUSION:
            require_board(request.user)
        record = member_exit(
            member=data["member"],
            by=request.user,
            kind=data["kind"],
            on=data["effective_on"],
            decision_reference=data.get("decision_reference", ""),
            reason=data.get("reason", ""),
            payout_iban=data.get("payout_iban", ""),
        )
        obj.pk = record.pk
        obj._state.adding = False
        obj._state.db = record._state.db

    @admin.action(description=gettext_lazy("Record the resignation"), permissions=["review"])
    def record_resignation(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(status=MemberExit.Status.REQUESTED).select_related("member"),
            form_class=ExitRecordForm,
            title=_("Record the resignations"),
            intro=_(
                "Each member leaves on the effective date; the shares paid up and not yet "
                "refunded are refunded at their subscription price (never any share of the "
                "reserves) and wait as a payout."
            ),
            describe=lambda record: str(record.get_kind_display()),
            apply=lambda record, data: member_exit(
                member=record.member,
                by=request.user,
                kind=record.kind,
                on=data["on"],
                reason=data["reason"] or record.reason,
                payout_iban=data["payout_iban"],
            ),
            done_message=ngettext_lazy(
                "%(count)d exit recorded.", "%(count)d exits recorded.", "count"
            ),
        )


resignations_to_record = advisor_queue_item(
    gettext_lazy("Resignations to record"), MemberExit, status=MemberExit.Status.REQUESTED
)
