"""Back-office of assemblies: prepare the agenda (board), convene and hand the tellers their
key, correct the roll, validate proxies, record attendance and paper totals (advisors), count
with the tellers' key (board): those steps' pages are in governance/admin_bureau.py. Every
write goes through governance/services/ or governance/tally.py.

An assembly, its agenda and the statutes' rules are cooperative-wide (core/scoping.py); the
proxies and participations are their members' office's.
Results are never shown here before they are published; sealed and clear ballots are not
registered at all: nobody needs to browse them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import AuditTrailMixin, ReadOnlyAdmin
from core.audit import audit_log
from core.roles import is_board
from core.scoping import COOPERATIVE_WIDE

from .admin_bureau import AssemblyBureauAdmin
from .models import (
    AgendaDocument,
    AgendaItem,
    ElectionCandidate,
    GeneralAssembly,
    GovernancePolicy,
    ItemResult,
    Participation,
    Proxy,
)
from .services.assemblies import (
    ASSEMBLY_FIELDS,
    EDITABLE_FIELDS,
    agenda_document_add,
    agenda_document_remove,
    agenda_item_add,
    agenda_item_change,
    agenda_item_delete,
    assembly_change,
    assembly_create,
    candidate_add,
    candidate_remove,
)
from .services.proxies import proxy_decide

Status = GeneralAssembly.Status


@admin.register(GovernancePolicy)
class GovernancePolicyAdmin(OfficeScopedAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    office_path = COOPERATIVE_WIDE  # the statutes' rules
    list_display = [
        "valid_from",
        "valid_to",
        "mandate_years",
        "mandate_limit",
        "proxy_cap",
        "early_voting",
        "statute_quorum",
        "statute_majority",
    ]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_log(
                actor=request.user,
                action="policy_saved",
                obj=obj,
                changes={k: str(v) for k, v in form.cleaned_data.items()},
            )


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "kind", "seats", "text", "mandate", "edit_link"]
    readonly_fields = ["mandate", "edit_link"]
    show_change_link = True

    @admin.display(description=_("candidates and documents"))
    def edit_link(self, item):
        if not item.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:governance_agendaitem_change", args=[item.pk]),
            gettext("Candidates and documents"),
        )

    def _draft(self, obj):
        return obj is None or obj.status == Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and is_board(request.user)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and is_board(request.user)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and is_board(request.user)


@admin.register(GeneralAssembly)
class GeneralAssemblyAdmin(OfficeScopedAdminMixin, AuditTrailMixin, AssemblyBureauAdmin):
    office_path = COOPERATIVE_WIDE  # the whole cooperative's assembly
    list_display = ["title", "kind", "date", "status", "roll_size", "ballot_count"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline]
    # What the convening and the vote write: never typed in.
    frozen = (
        "status",
        "roll_size",
        "roll_sha256",
        "public_key",
        "ballot_count",
        "chain_head",
        "ballots_sha256",
        "bureau",
    )
    fields = (*ASSEMBLY_FIELDS, *frozen)

    def get_readonly_fields(self, request, obj=None):
        if obj is None or obj.status == Status.DRAFT:
            return self.frozen
        return self.fields

    def has_add_permission(self, request):
        return is_board(request.user)

    def has_change_permission(self, request, obj=None):
        return is_board(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return bool(obj and obj.status == Status.DRAFT and is_board(request.user))

    @admin.display(description=_("bureau"))
    def bureau(self, assembly):
        """The steps of the assembly, each where it can be done."""
        if not assembly.pk:
            return "—"
        links = []

        def link(name, label):
            links.append(
                format_html(
                    '<a class="button" href="{}">{}</a>',
                    reverse(f"admin:governance_{name}", args=[assembly.pk]),
                    label,
                )
            )

        if assembly.status == Status.DRAFT:
            link("convene", gettext("Convene and get the tellers' key"))
        if assembly.status in (Status.CONVENED, Status.VOTING_OPEN):
            link("roll_correct", gettext("Correct the roll"))
        if assembly.status in (Status.CONVENED, Status.VOTING_OPEN, Status.CLOSED) and (
            not assembly.tallied_at
        ):
            link("attendance", gettext("Record attendance"))
            link("paper", gettext("Enter paper totals"))
        if assembly.status == Status.CLOSED:
            link("tally", gettext("Count with the tellers' key"))
        return format_html(" ".join(["{}"] * len(links)), *links) if links else "—"

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.cleaned_data}
        if not change:
            created = assembly_create(by=request.user, **data)
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        fields = {name: data[name] for name in form.changed_data if name in data}
        assembly_change(assembly=obj, by=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        """Agenda items through the services: added at the end, changed while draft."""
        assembly = form.instance
        # What the admin's change message reads (save(commit=False) would set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in [f.instance for f in formset.deleted_forms if f.instance.pk]:
            agenda_item_delete(item=deleted, by=request.user)
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            data = inline_form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            item = inline_form.instance
            if item.pk is None:
                agenda_item_add(
                    assembly=assembly,
                    title=data["title"],
                    kind=data["kind"],
                    text=data.get("text", ""),
                    seats=data.get("seats") or 0,
                    by=request.user,
                )
            else:
                fields = {k: data[k] for k in inline_form.changed_data if k in EDITABLE_FIELDS}
                fresh = AgendaItem.objects.get(pk=item.pk)
                agenda_item_change(item=fresh, by=request.user, **fields)


class CandidateInline(admin.TabularInline):
    model = ElectionCandidate
    extra = 0
    fields = ["member", "representative_name", "statement"]
    autocomplete_fields = ["member"]


MAX_DOCUMENT_SIZE = 30 * 2**20  # an annual report with pictures


class DocumentForm(forms.ModelForm):
    class Meta:
        model = AgendaDocument
        fields = ["title", "file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and getattr(upload, "size", 0) > MAX_DOCUMENT_SIZE:
            raise forms.ValidationError(_("A document is 30 MB at most."))
        if upload and hasattr(upload, "read"):
            head = upload.read(5)
            upload.seek(0)
            if head != b"%PDF-":
                raise forms.ValidationError(_("Documents of the agenda are PDF files."))
        return upload


class DocumentInline(admin.TabularInline):
    model = AgendaDocument
    form = DocumentForm
    extra = 0
    fields = ["title", "file", "sha256"]
    readonly_fields = ["sha256"]


RESULT_FIELDS = ("candidate", "votes_for", "votes_against", "abstentions", "blank", "outcome")


class ResultInline(admin.TabularInline):
    model = ItemResult
    extra = 0
    can_delete = False
    fields = RESULT_FIELDS
    readonly_fields = RESULT_FIELDS

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Never before publication, whoever asks.
        return super().get_queryset(request).filter(item__assembly__status=Status.PUBLISHED)


ITEM_FIELDS = ("assembly", "position", "title", "kind", "seats", "text", "rule", "mandate")


@admin.register(AgendaItem)
class AgendaItemAdmin(OfficeScopedAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    office_path = COOPERATIVE_WIDE  # the agenda is the same for every member
    list_display = ["__str__", "assembly", "kind"]
    list_filter = ["kind"]
    fields = ITEM_FIELDS
    readonly_fields = ITEM_FIELDS
    inlines = [CandidateInline, DocumentInline, ResultInline]

    def _draft(self, obj):
        return obj is not None and obj.assembly.status == Status.DRAFT

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return is_board(request.user) and (obj is None or self._draft(obj))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        """Candidates and documents through the services (a draft assembly's only)."""
        item = form.instance
        # What the admin's change message reads (save(commit=False) would set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            data = inline_form.cleaned_data
            if not data or data.get("DELETE") or inline_form.instance.pk is not None:
                continue
            if formset.model is ElectionCandidate:
                candidate_add(
                    item=item,
                    member=data["member"],
                    by=request.user,
                    representative_name=data.get("representative_name", ""),
                    statement=data.get("statement", ""),
                )
            else:
                agenda_document_add(
                    item=item, title=data["title"], file=data["file"], by=request.user
                )
        for deleted in [f.instance for f in formset.deleted_forms if f.instance.pk]:
            if formset.model is ElectionCandidate:
                candidate_remove(candidate=deleted, by=request.user)
            else:
                agenda_document_remove(document=deleted, by=request.user)


@admin.register(Proxy)
class ProxyAdmin(OfficeScopedAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    """The advisors' queue of proxies to validate: those given by their office's members."""

    office_path = "giver__office"
    list_display = ["giver", "holder", "assembly", "status", "given_at", "decided_by"]
    list_filter = ["status", "assembly"]
    search_fields = ["giver__last_name", "holder__last_name", "giver__number", "holder__number"]
    readonly_fields = [
        "assembly",
        "giver",
        "holder",
        "status",
        "given_at",
        "decided_at",
        "decided_by",
        "reason",
    ]
    actions = ["validate_selected", "refuse_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Validate the selected proxies"))
    def validate_selected(self, request, queryset):
        self._decide(request, queryset, validate=True, reason="")

    @admin.action(description=_("Refuse the selected proxies (irregular)"))
    def refuse_selected(self, request, queryset):
        self._decide(
            request,
            queryset,
            validate=False,
            reason=gettext("Refused by an advisor: irregular proxy."),
        )

    def _decide(self, request, queryset, *, validate, reason):
        done = 0
        for proxy in queryset:
            try:
                proxy_decide(proxy=proxy, by=request.user, validate=validate, reason=reason)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                messages.error(
                    request, f"{proxy}: {' '.join(getattr(error, 'messages', [str(error)]))}"
                )
        if done:
            messages.success(request, gettext("%(n)s proxies decided.") % {"n": done})


@admin.register(Participation)
class ParticipationAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    """Who took part and how: never what they voted (that is nowhere to be linked)."""

    office_path = "member__office"
    list_display = ["member", "assembly", "channel", "day", "proxy_holder"]
    list_filter = ["assembly", "channel"]
    search_fields = ["member__last_name", "member__number"]
