"""Back-office of the board: mandates, candidacies, cooptations, the ethics committee.

Who does what:
- the board (and superusers): record a cooptation on a vacant seat, end a mandate early,
  change an organisation's representative, refuse a candidacy as not admissible, name the
  ethics committee's members; each through a service, with a form and a reason;
- advisors: read only;
- the ethics committee (the accounts on a term in force): record cases and meetings, take a
  case in review, publish an opinion. A case's confidential text and a meeting's notes are
  shown to the committee only, never to the board, the advisors or the superusers (not in the
  list, the page, the search, nor as a filter of the list).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import (
    AddOnlyMixin,
    AuditTrailMixin,
    ReadOnlyAdmin,
    RefuseForm,
    ServiceFormMixin,
    day_field,
    note_field,
    reason_action,
    run_action_with_form,
)
from core.roles import is_board
from core.scoping import COOPERATIVE_WIDE
from members.models import Member

from .board_services import (
    EARLY_ENDS,
    candidacy_refuse,
    cooptation_record,
    mandate_end,
    representative_change,
)
from .ethics_services import (
    ethics_case_opinion_publish,
    ethics_case_receive,
    ethics_case_review,
    ethics_meeting_record,
    ethics_term_record,
    ethics_term_update,
    is_ethics_committee,
)
from .models import Candidacy, EthicsCase, EthicsCommitteeTerm, EthicsMeeting, Mandate

# --- mandates --------------------------------------------------------------------------------


class CooptationForm(forms.Form):
    member = forms.IntegerField(
        label=gettext_lazy("Member number of the co-opted member"), min_value=1
    )
    start = day_field(gettext_lazy("Sits from"))
    representative_name = forms.CharField(
        label=gettext_lazy("Represented by"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For a member organisation: the natural person who sits."),
    )
    reason = note_field(
        gettext_lazy("Board decision"),
        help_text=gettext_lazy("Reference or minutes of the board meeting; kept in the audit."),
        rows=2,
    )

    def clean_member(self):
        number = self.cleaned_data["member"]
        member = Member.objects.filter(number=number).first()
        if member is None:
            raise ValidationError(_("No member has this number."))
        return member


class MandateEndForm(forms.Form):
    on = day_field(
        gettext_lazy("Last day plus one"),
        help_text=gettext_lazy("The member is no longer on the board from this day."),
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Why"),
        choices=[
            (value, label) for value, label in Mandate.EndReason.choices if value in EARLY_ENDS
        ],
    )
    note = note_field(
        gettext_lazy("Note"),
        help_text=gettext_lazy(
            "Letter of resignation, decision of the assembly; kept in the audit."
        ),
        rows=2,
    )


class RepresentativeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New representative"), max_length=200)
    reason = note_field(
        gettext_lazy("Reason"),
        help_text=gettext_lazy("The organisation's letter; kept in the audit trail."),
        rows=2,
    )


def describe_mandate(mandate: Mandate) -> str:
    return _("%(how)s, %(start)s → %(end)s") % {
        "how": mandate.get_how_display(),
        "start": f"{mandate.start:%d/%m/%Y}",
        "end": f"{(mandate.ended_on or mandate.end):%d/%m/%Y}",
    }


class BoardDecisionsAdmin(ReadOnlyAdmin):
    """The board and superusers decide (admin actions); everyone who may view reads only."""

    def has_decide_permission(self, request):
        return board(request)


@admin.register(Mandate)
class MandateAdmin(OfficeScopedAdminMixin, AuditTrailMixin, BoardDecisionsAdmin):
    office_path = COOPERATIVE_WIDE  # the board and its committee are the whole cooperative's
    list_display = (
        "member",
        "representative_name",
        "how",
        "start",
        "end",
        "ended_on",
        "end_reason",
        "ratification",
    )
    list_filter = ("how", "ratification", "end_reason")
    list_select_related = ("member",)
    search_fields = (
        "member__number__exact",
        "member__last_name",
        "member__organisation_name",
        "representative_name",
    )
    ordering = ("-start", "member__last_name")
    actions = ("coopt_on_vacant_seat", "end_early", "change_representative")
    fields = (
        "member",
        "representative_name",
        "how",
        "start",
        "end",
        "elected_by",
        "replaces",
        "ratification",
        "ratified_by",
        "ended_on",
        "end_reason",
        "recorded_by",
    )
    readonly_fields = fields

    @admin.action(
        description=gettext_lazy("Fill this vacant seat by cooptation"), permissions=["decide"]
    )
    def coopt_on_vacant_seat(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.select_related("member"),
            form_class=CooptationForm,
            title=_("Co-opt a member on a vacant seat"),
            intro=_(
                "Choose the mandate that ended early. The co-opted member sits until the end of "
                "that mandate; the next ordinary assembly is asked to ratify the cooptation."
            ),
            describe=describe_mandate,
            single=True,
            apply=lambda mandate, data: cooptation_record(
                member=data["member"],
                replaces=mandate,
                start=data["start"],
                representative_name=data["representative_name"],
                by=request.user,
                reason=data["reason"],
            ),
            done_message=ngettext_lazy(
                "%(count)d cooptation recorded.", "%(count)d cooptations recorded.", "count"
            ),
        )

    @admin.action(
        description=gettext_lazy("End the mandate (resignation, revocation)"),
        permissions=["decide"],
    )
    def end_early(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(ended_on__isnull=True).select_related("member"),
            form_class=MandateEndForm,
            title=_("End a mandate before its term"),
            intro=_("An end of term is not recorded: the mandate ends on its own."),
            describe=describe_mandate,
            single=True,
            apply=lambda mandate, data: mandate_end(
                mandate=mandate,
                on=data["on"],
                reason=data["reason"],
                by=request.user,
                note=data["note"],
            ),
            confirm=lambda mandate, data: (
                _("%(name)s is no longer on the board from %(day)s.")
                % {"name": mandate.member.display_name, "day": f"{data['on']:%d/%m/%Y}"}
            ),
            done_message=ngettext_lazy(
                "%(count)d mandate ended.", "%(count)d mandates ended.", "count"
            ),
        )

    @admin.action(
        description=gettext_lazy("Change the organisation's representative"),
        permissions=["decide"],
    )
    def change_representative(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.select_related("member"),
            form_class=RepresentativeForm,
            title=_("Change the representative"),
            intro=_("The mandate stays the same; the change is kept in the audit trail."),
            describe=lambda mandate: mandate.representative_name or "—",
            single=True,
            apply=lambda mandate, data: representative_change(
                mandate=mandate, name=data["name"], by=request.user, reason=data["reason"]
            ),
            done_message=ngettext_lazy(
                "%(count)d representative changed.", "%(count)d representatives changed.", "count"
            ),
        )


@admin.register(Candidacy)
class CandidacyAdmin(OfficeScopedAdminMixin, AuditTrailMixin, BoardDecisionsAdmin):
    office_path = COOPERATIVE_WIDE  # the board and its committee are the whole cooperative's
    list_display = ("member", "representative_name", "year", "status", "filed_at")
    list_filter = ("year", "status")
    list_select_related = ("member",)
    search_fields = ("member__number__exact", "member__last_name", "member__organisation_name")
    ordering = ("-year", "filed_at")
    actions = ("refuse_not_admissible",)
    fields = ("member", "representative_name", "year", "status", "statement", "filed_at", "reason")
    readonly_fields = fields

    refuse_not_admissible = reason_action(
        gettext_lazy("Refuse as not admissible"),
        candidacy_refuse,
        "candidacy",
        permissions=["decide"],
        form_class=RefuseForm,
        rows=lambda queryset: queryset.select_related("member"),
        title=gettext_lazy("Refuse candidacies as not admissible"),
        intro=gettext_lazy("The candidate reads the reason in their portal."),
        describe=lambda candidacy: candidacy.get_status_display(),
        done_message=ngettext_lazy(
            "%(count)d candidacy refused.", "%(count)d candidacies refused.", "count"
        ),
    )


# --- the ethics committee ----------------------------------------------------------------------


@admin.register(EthicsCommitteeTerm)
class EthicsCommitteeTermAdmin(
    OfficeScopedAdminMixin, ServiceFormMixin, AuditTrailMixin, admin.ModelAdmin
):
    office_path = COOPERATIVE_WIDE  # the board and its committee are the whole cooperative's
    list_display = ("member", "start", "end", "user_access")
    list_select_related = ("member", "user_access")
    raw_id_fields = ("member", "user_access")
    fields = ("member", "start", "end", "user_access")

    def get_readonly_fields(self, request, obj=None):
        return ("member", "start") if obj is not None else ()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and board(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and board(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            ethics_term_update(
                term=obj, end=data.get("end"), user_access=data.get("user_access"), by=request.user
            )
            return
        term = ethics_term_record(
            member=data["member"],
            start=data["start"],
            end=data.get("end"),
            user_access=data.get("user_access"),
            by=request.user,
        )
        obj.pk = term.pk
        obj._state.adding = False
        obj._state.db = term._state.db


def _per_request(request, key: str, check) -> bool:
    """`check(user)` once per request (the admin asks for permissions many times a page)."""
    cache = request.__dict__.setdefault("_governance_checks", {})
    if key not in cache:
        cache[key] = check(request.user)
    return cache[key]


def board(request) -> bool:
    return _per_request(request, "board", is_board)


def committee(request) -> bool:
    return _per_request(request, "ethics_committee", is_ethics_committee)


class CommitteeOnlyMixin(AddOnlyMixin):
    """The committee writes; the others with the view permission see the list without what is
    confidential (`confidential` fields), and cannot filter on it either.

    The menu follows the model permissions (the `ethics` role, given with a term): no query
    for advisors. Adding, reading the confidential fields and the actions also need a term in
    force today (`committee`, once per request), checked again by the services."""

    confidential: tuple[str, ...] = ()

    def has_add_permission(self, request):
        # Superusers have every permission but are not the committee.
        return super().has_add_permission(request) and committee(request)

    def has_committee_permission(self, request):
        return self.has_add_permission(request)

    def add_view(self, request, form_url="", extra_context=None):
        if not committee(request):
            raise PermissionDenied(_("Only the ethics committee can do this."))
        return super().add_view(request, form_url, extra_context)

    def visible_fields(self, request, fields: list[str]) -> list[str]:
        if committee(request):
            return fields
        return [name for name in fields if name not in self.confidential]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in self.confidential and not committee(request):
            return False
        return super().lookup_allowed(lookup, value, request)


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=gettext_lazy("Opinion or recommendation"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70}),
        help_text=gettext_lazy(
            "Published to every member in the portal: it must not quote the confidential text."
        ),
    )


@admin.register(EthicsCase)
class EthicsCaseAdmin(
    OfficeScopedAdminMixin, CommitteeOnlyMixin, ServiceFormMixin, AuditTrailMixin, admin.ModelAdmin
):
    office_path = COOPERATIVE_WIDE  # the board and its committee are the whole cooperative's
    confidential = ("confidential_text",)
    list_display = ("received_on", "subject", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("subject",)
    ordering = ("-received_on", "-id")
    actions = ("take_in_review", "publish_opinion")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["received_on", "subject", "confidential_text"]
        fields = ["received_on", "subject", "confidential_text", "status", "opinion"]
        return self.visible_fields(request, [*fields, "published_at"])

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        case = ethics_case_receive(
            received_on=data["received_on"],
            subject=data["subject"],
            confidential_text=data["confidential_text"],
            by=request.user,
        )
        obj.pk = case.pk
        obj._state.adding = False
        obj._state.db = case._state.db

    @admin.action(description=gettext_lazy("Take in review"), permissions=["committee"])
    def take_in_review(self, request, queryset):
        done = 0
        for case in queryset:
            try:
                ethics_case_review(case=case, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{case}: {' '.join(error.messages)}", "error")
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d case(s) in review.") % {"count": done})

    @admin.action(description=gettext_lazy("Publish the opinion"), permissions=["committee"])
    def publish_opinion(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(published_at__isnull=True).defer("confidential_text"),
            form_class=OpinionForm,
            title=_("Publish the committee's opinion"),
            intro=_("Every member reads it in the portal, with the case's subject."),
            describe=lambda case: case.get_status_display(),
            single=True,
            apply=lambda case, data: ethics_case_opinion_publish(
                case=case, opinion=data["opinion"], by=request.user
            ),
            done_message=ngettext_lazy(
                "%(count)d opinion published.", "%(count)d opinions published.", "count"
            ),
        )


@admin.register(EthicsMeeting)
class EthicsMeetingAdmin(
    OfficeScopedAdminMixin, CommitteeOnlyMixin, ServiceFormMixin, AuditTrailMixin, admin.ModelAdmin
):
    office_path = COOPERATIVE_WIDE  # the board and its committee are the whole cooperative's
    confidential = ("notes",)
    list_display = ("date",)
    ordering = ("-date",)
    fields = ("date", "notes")

    def get_fields(self, request, obj=None):
        return self.visible_fields(request, ["date", "notes"])

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        meeting = ethics_meeting_record(day=data["date"], notes=data["notes"], by=request.user)
        obj.pk = meeting.pk
        obj._state.adding = False
        obj._state.db = meeting._state.db
