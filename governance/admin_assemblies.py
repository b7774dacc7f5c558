"""Back-office of assemblies: prepare the agenda (board), convene and hand the tellers their
key, correct the roll, validate proxies, record attendance and paper totals (advisors), count
with the tellers' key (board). Every write goes through governance.services / tally.

An assembly, its agenda and the statutes' rules are cooperative-wide (core/scoping.py); the
proxies and participations are their members' office's.
Results are never shown here before they are published; sealed and clear ballots are not
registered at all: nobody needs to browse them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import AuditTrailMixin
from core.audit import audit_log
from core.roles import is_board
from core.scoping import COOPERATIVE_WIDE

from . import services
from .forms import AttendanceForm, KeyUploadForm, MemberNumberReasonForm, PaperTotalsForm
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
from .tally import assembly_tally

Status = GeneralAssembly.Status
FORM_PAGE = "admin/form_page.html"


def _service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


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
class GeneralAssemblyAdmin(OfficeScopedAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    office_path = COOPERATIVE_WIDE  # the whole cooperative's assembly
    list_display = ["title", "kind", "date", "status", "roll_size", "ballot_count"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline]
    fields = [
        "kind",
        "title",
        "date",
        "place",
        "online",
        "notice_date",
        "record_date",
        "voting_opens_at",
        "voting_closes_at",
        "status",
        "roll_size",
        "roll_sha256",
        "public_key",
        "ballot_count",
        "chain_head",
        "ballots_sha256",
        "bureau",
    ]
    frozen = [
        "status",
        "roll_size",
        "roll_sha256",
        "public_key",
        "ballot_count",
        "chain_head",
        "ballots_sha256",
        "bureau",
    ]

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
            created = services.assembly_create(by=request.user, **data)
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        fields = {name: data[name] for name in form.changed_data if name in data}
        services.assembly_change(assembly=obj, by=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        """Agenda items through the services: added at the end, changed while draft."""
        assembly = form.instance
        # What the admin's change message reads (save(commit=False) would set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in [f.instance for f in formset.deleted_forms if f.instance.pk]:
            services.agenda_item_delete(item=deleted, by=request.user)
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            data = inline_form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            item = inline_form.instance
            if item.pk is None:
                services.agenda_item_add(
                    assembly=assembly,
                    title=data["title"],
                    kind=data["kind"],
                    text=data.get("text", ""),
                    seats=data.get("seats") or 0,
                    by=request.user,
                )
            else:
                fields = {
                    k: data[k] for k in inline_form.changed_data if k in services.EDITABLE_FIELDS
                }
                fresh = AgendaItem.objects.get(pk=item.pk)
                services.agenda_item_change(item=fresh, by=request.user, **fields)

    def get_urls(self):
        def view(fn, route, name):
            return path(route, self.admin_site.admin_view(fn), name=f"governance_{name}")

        return [
            view(self.convene_view, "<int:pk>/convene/", "convene"),
            view(self.roll_correct_view, "<int:pk>/roll-correct/", "roll_correct"),
            view(self.attendance_view, "<int:pk>/attendance/", "attendance"),
            view(self.paper_view, "<int:pk>/paper/", "paper"),
            view(self.tally_view, "<int:pk>/tally/", "tally"),
        ] + super().get_urls()

    def _page(self, request, form, title, intro, submit, status=200):
        return render(
            request,
            FORM_PAGE,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "title": title,
                "intro": intro,
                "submit_label": submit,
            },
            status=status,
        )

    def _assembly(self, request, pk, *, board=False) -> GeneralAssembly:
        if not self.has_view_permission(request) or (board and not is_board(request.user)):
            raise PermissionDenied
        return get_object_or_404(GeneralAssembly, pk=pk)

    def _back(self, assembly):
        return redirect("admin:governance_generalassembly_change", assembly.pk)

    def convene_view(self, request, pk):
        assembly = self._assembly(request, pk, board=True)

        class ConfirmForm(forms.Form):
            confirm = forms.BooleanField(
                label=_("I will hand the key file to the tellers: the application keeps no copy"),
                required=True,
            )

        form = ConfirmForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                convened = services.assembly_convene(assembly=assembly, by=request.user)
            except ValidationError as error:
                _service_errors(form, error)
            else:
                response = HttpResponse(convened.key_file, content_type="text/plain")
                response["Content-Disposition"] = (
                    f'attachment; filename="tellers-key-assembly-{assembly.pk}.txt"'
                )
                response["Cache-Control"] = "no-store"
                return response
        intro = gettext(
            "Convening freezes the statutes' rules and the wording of every item, freezes the "
            "voter roll at the record date, sends the convocations and gives you the tellers' "
            "private key, once, as a file. Without it the ballots can never be counted."
        )
        return self._page(
            request,
            form,
            gettext("Convene %(title)s") % {"title": assembly.title},
            intro,
            gettext("Convene"),
            status=400 if request.method == "POST" else 200,
        )

    def roll_correct_view(self, request, pk):
        assembly = self._assembly(request, pk)
        form = MemberNumberReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.roll_correct(
                    assembly=assembly,
                    member=form.member,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                _service_errors(form, error)
            else:
                messages.success(request, gettext("Member added to the roll."))
                return self._back(assembly)
        return self._page(
            request,
            form,
            gettext("Correct the voter roll"),
            gettext(
                "Add a member forgotten on the frozen roll. The reason and the roll's new SHA-256 "
                "are recorded in the audit trail."
            ),
            gettext("Add to the roll"),
            status=400 if request.method == "POST" else 200,
        )

    def attendance_view(self, request, pk):
        assembly = self._assembly(request, pk)
        form = AttendanceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.attendance_record(assembly=assembly, member=form.member, by=request.user)
            except ValidationError as error:
                _service_errors(form, error)
            else:
                messages.success(
                    request, gettext("%(name)s is recorded present.") % {"name": form.member}
                )
                return redirect("admin:governance_attendance", assembly.pk)
        present = Participation.objects.filter(
            assembly=assembly, channel=Participation.Channel.IN_PERSON
        ).count()
        return self._page(
            request,
            form,
            gettext("Attendance in the room"),
            gettext(
                "%(n)s members recorded present. A member who voted online or by proxy can't be "
                "recorded present and voting."
            )
            % {"n": present},
            gettext("Record present"),
            status=400 if request.method == "POST" else 200,
        )

    def paper_view(self, request, pk):
        assembly = self._assembly(request, pk)
        targets = []
        for item in assembly.items.prefetch_related("candidates__member"):
            if item.kind == AgendaItem.Kind.ELECTION:
                targets += [(item, c) for c in item.candidates.all()]
            elif item.kind != AgendaItem.Kind.INFORMATION:
                targets.append((item, None))
        choice = request.GET.get("target", "")
        selected = next(
            (t for t in targets if f"{t[0].pk}-{getattr(t[1], 'pk', '')}" == choice), None
        )
        if selected is None:
            lines = format_html(
                "<ul>{}</ul>",
                format_html_join(
                    "",
                    '<li><a href="?target={}-{}">{}{}</a></li>',
                    (
                        (item.pk, getattr(c, "pk", ""), item, f" — {c}" if c else "")
                        for item, c in targets
                    ),
                ),
            )
            return render(
                request,
                FORM_PAGE,
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": gettext("Paper totals"),
                    "intro": lines,
                    "form": None,
                    "submit_label": "",
                    "method": "get",
                },
            )
        item, candidate = selected
        form = PaperTotalsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.paper_totals_enter(
                    item=item, candidate=candidate, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _service_errors(form, error)
            else:
                messages.success(request, gettext("Totals recorded."))
                return redirect("admin:governance_paper", assembly.pk)
        label = f"{item}" + (f" — {candidate}" if candidate else "")
        return self._page(
            request,
            form,
            gettext("Paper totals: %(item)s") % {"item": label},
            gettext(
                "The votes in the room for this item. They add to the online "
                "ballots when the vote is counted."
            ),
            gettext("Record"),
            status=400 if request.method == "POST" else 200,
        )

    def tally_view(self, request, pk):
        assembly = self._assembly(request, pk, board=True)
        form = KeyUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                assembly_tally(
                    assembly=assembly, key_file=form.cleaned_data["key"], by=request.user
                )
            except ValidationError as error:
                _service_errors(form, error)
            else:
                messages.success(request, gettext("Counted and published."))
                return self._back(assembly)
        page = self._page(
            request,
            form,
            gettext("Count the ballots"),
            gettext(
                "Give the tellers' key file. The ballots are opened once, counted with the paper "
                "totals, and the results published; the key is not kept."
            ),
            gettext("Count"),
            status=400 if request.method == "POST" else 200,
        )
        return page


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


class ResultInline(admin.TabularInline):
    model = ItemResult
    extra = 0
    can_delete = False
    fields = ["candidate", "votes_for", "votes_against", "abstentions", "blank", "outcome"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Never before publication, whoever asks.
        return super().get_queryset(request).filter(item__assembly__status=Status.PUBLISHED)


@admin.register(AgendaItem)
class AgendaItemAdmin(OfficeScopedAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    office_path = COOPERATIVE_WIDE  # the agenda is the same for every member
    list_display = ["__str__", "assembly", "kind"]
    list_filter = ["kind"]
    fields = ["assembly", "position", "title", "kind", "seats", "text", "rule", "mandate"]
    readonly_fields = fields
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
                services.candidate_add(
                    item=item,
                    member=data["member"],
                    by=request.user,
                    representative_name=data.get("representative_name", ""),
                    statement=data.get("statement", ""),
                )
            else:
                services.agenda_document_add(
                    item=item, title=data["title"], file=data["file"], by=request.user
                )
        for deleted in [f.instance for f in formset.deleted_forms if f.instance.pk]:
            if formset.model is ElectionCandidate:
                services.candidate_remove(candidate=deleted, by=request.user)
            else:
                services.agenda_document_remove(document=deleted, by=request.user)


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
                services.proxy_decide(
                    proxy=proxy, by=request.user, validate=validate, reason=reason
                )
                done += 1
            except (ValidationError, PermissionDenied) as error:
                messages.error(
                    request, f"{proxy}: {' '.join(getattr(error, 'messages', [str(error)]))}"
                )
        if done:
            messages.success(request, gettext("%(n)s proxies decided.") % {"n": done})


@admin.register(Participation)
class ParticipationAdmin(OfficeScopedAdminMixin, admin.ModelAdmin):
    """Who took part and how: never what they voted (that is nowhere to be linked)."""

    office_path = "member__office"
    list_display = ["member", "assembly", "channel", "day", "proxy_holder"]
    list_filter = ["assembly", "channel"]
    search_fields = ["member__last_name", "member__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
