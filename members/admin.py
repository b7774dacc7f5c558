"""Back-office for people: accounts, offices, legal entities, members, the share policy and
membership documents, and the share register (read-only, with its exports and the board's
transfers). The membership queues (applications, exits, refunds) are in admin_queues.

Advisors see the members of their office only; members are written through members.services,
the register through members.share_services.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_identifiers import IdentifierAdminMixin
from core.admin_kit import (
    NOTHING,
    AuditedSaveMixin,
    AuditTrailMixin,
    EstimatedCountPaginator,
    ReadOnlyAdmin,
    ServiceFormMixin,
    SuperuserDeleteMixin,
    add_service_error,
    form_page,
    run_action_with_form,
)
from core.roles import is_board, sees_everything
from core.scoping import COOPERATIVE_WIDE
from core.validators import mask_identifier

from .admin_queues.exits import ExitRecordForm
from .admin_queues.roles import is_advisor
from .exit_services import member_exit
from .exports import FORMATS, member_extract_export, register_export
from .models import (
    LegalEntity,
    Member,
    MemberExit,
    MembershipDocument,
    Office,
    ShareCertificate,
    SharePolicy,
    ShareRegisterEntry,
    User,
)
from .register_services import refund_for
from .selectors import member_shares
from .services import MEMBER_FIELDS, member_create, member_update
from .share_services import member_category_change, shares_transfer


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(
    OfficeScopedAdminMixin, AuditTrailMixin, AuditedSaveMixin, SuperuserDeleteMixin, DjangoUserAdmin
):
    # The accounts of the members an advisor follows, and every staff account.
    office_path = "member__office"
    office_shared = Q(is_staff=True)
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "office")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "office", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "office")
    list_select_related = ("office",)
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    show_full_result_count = False


@admin.register(Office)
class OfficeAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    AuditedSaveMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    office_path = COOPERATIVE_WIDE  # the offices themselves: their names and cities
    list_display = ("name", "code", "city")
    search_fields = ("name", "code", "city")
    prepopulated_fields = {"code": ("name",)}


@admin.register(LegalEntity)
class LegalEntityAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    AuditedSaveMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    office_path = COOPERATIVE_WIDE  # the cooperative's legal entities, for every office
    list_display = ("name", "code", "enterprise_number", "vat_number", "city", "peppol_id")
    search_fields = ("name", "code", "enterprise_number")


class MemberForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail."),
    )

    class Meta:
        model = Member
        fields = ["user", *MEMBER_FIELDS]


def _not_in_the_future(day):
    if day > timezone.localdate():
        raise ValidationError(gettext("The date can't be in the future."))
    return day


class CategoryChangeForm(forms.Form):
    category = forms.ChoiceField(label=_("New category"), choices=Member.Category.choices)
    on = forms.DateField(
        label=_("Effective date"),
        initial=timezone.localdate,
        help_text=_("The date of the category change in the register."),
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=100,
        required=False,
        help_text=_("The board decision or the member's letter, e.g. CA-2026-03-12."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Kept in the register and in the audit trail."),
    )

    def clean_on(self):
        return _not_in_the_future(self.cleaned_data["on"])


class ResignationForm(ExitRecordForm):
    """A resignation received by letter (or told to the advisor), recorded for the member."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("e.g. the member's letter of 2026-03-02. Kept in the audit trail."),
    )

    def clean_on(self):
        return _not_in_the_future(self.cleaned_data["on"])


def category_change_preview(member: Member, data) -> str:
    new = Member.Category(data["category"])
    text = gettext("category %(old)s → %(new)s on %(day)s") % {
        "old": member.get_category_display(),
        "new": new.label,
        "day": data["on"].isoformat(),
    }
    if (new == Member.Category.A) != (member.category == Member.Category.A):
        text += " — " + (
            gettext("may open production units")
            if new == Member.Category.A
            else gettext("may no longer open production units")
        )
    return text


def resignation_preview(member: Member, data) -> str:
    position = member_shares(member=member)
    _nominal, refund = refund_for(position, position.held) if position.held else (0, 0)
    return gettext(
        "leaves on %(day)s; %(held)s share(s) held, %(refund)s € refunded to %(iban)s"
    ) % {
        "day": data["on"].isoformat(),
        "held": position.held,
        "refund": f"{refund:.2f}",
        "iban": mask_identifier(data.get("payout_iban") or member.iban) or NOTHING,
    }


@admin.register(Member)
class MemberAdmin(
    OfficeScopedAdminMixin,
    IdentifierAdminMixin,
    AuditTrailMixin,
    ServiceFormMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    office_path = "office"
    form = MemberForm
    identifier_fields = identifier_search_fields = ("national_number", "iban")
    actions = ("change_category", "record_resignation")
    list_display = (
        "number",
        "name",
        "category",
        "status",
        "office",
        "advisor",
        "member_since",
    )
    list_display_links = ("number", "name")
    list_filter = ("status", "category", "is_organisation", "office", "advisor")
    list_select_related = ("office", "advisor")
    search_fields = ("number__exact", "last_name", "first_name", "organisation_name", "user__email")
    autocomplete_fields = ("user", "advisor")
    list_per_page = 25
    paginator = EstimatedCountPaginator
    # By member number (unique, indexed): the page reads 25 rows, not a sort of every member.
    ordering = ("number",)
    readonly_fields = ("number", "shares_summary")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("number", "user", "category", "status", "member_since")}),
        (
            _("Identity"),
            {
                "fields": (
                    "is_organisation",
                    "first_name",
                    "last_name",
                    "organisation_name",
                    "national_number",
                    "birth_date",
                    "gender",
                )
            },
        ),
        (
            _("Contact"),
            {"fields": ("street", "postal_code", "city", "country", "iban", "preferred_language")},
        ),
        (_("Follow-up"), {"fields": ("office", "advisor")}),
        (_("Shares"), {"fields": ("shares_summary",)}),
        (_("Why"), {"fields": ("reason",)}),
    )

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, member):
        return member.display_name

    def get_readonly_fields(self, request, obj=None):
        # The account of an existing member is linked once; relinking is not an edit.
        if obj is not None:
            return ("number", "user", "shares_summary")
        return ("number", "shares_summary")

    @admin.display(description=_("shares"))
    def shares_summary(self, member):
        if member is None or member.pk is None:
            return NOTHING
        position = member_shares(member=member)
        extract = reverse("admin:members_shareregisterentry_member_extract", args=[member.pk])
        entries = reverse("admin:members_shareregisterentry_changelist") + f"?member={member.pk}"
        links = [(f"{extract}?format={fmt}", fmt.upper()) for fmt in FORMATS]
        return format_html(
            '{} · {} · {} — <a href="{}">{}</a> · {} {}',
            gettext("%(held)s share(s) held") % {"held": position.held},
            gettext("paid up, not refunded: %(amount)s €") % {"amount": position.refundable},
            gettext("refunded: %(amount)s €") % {"amount": position.refunded},
            entries,
            gettext("register entries"),
            gettext("extract:"),
            format_html_join(" ", '<a href="{}">{}</a>', links),
        )

    def has_review_permission(self, request):
        return is_advisor(request.user)

    @admin.action(description=_("Change the category"), permissions=["review"])
    def change_category(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(status=Member.Status.MEMBER, left_on__isnull=True),
            form_class=CategoryChangeForm,
            title=gettext("Change the category of members"),
            intro=gettext(
                "The change is recorded in the share register on that date. Category A "
                "members may open production units; the others may not."
            ),
            describe=lambda member: member.get_category_display(),
            confirm=category_change_preview,
            apply=lambda member, data: member_category_change(
                member=member,
                category=data["category"],
                by=request.user,
                on=data["on"],
                decision_reference=data["decision_reference"],
                reason=data["reason"],
            ),
            done_message=ngettext_lazy(
                "%(count)d category changed.", "%(count)d categories changed.", "count"
            ),
        )

    @admin.action(description=_("Record a resignation"), permissions=["review"])
    def record_resignation(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(status=Member.Status.MEMBER, left_on__isnull=True),
            form_class=ResignationForm,
            title=gettext("Record the resignation of members"),
            intro=gettext(
                "Each member leaves on the effective date; the shares paid up and not yet "
                "refunded are refunded at their subscription price (never any share of the "
                "reserves) and wait as a payout. The member is told by e-mail."
            ),
            describe=lambda member: (
                gettext("%(held)s share(s) held") % {"held": member_shares(member=member).held}
            ),
            confirm=resignation_preview,
            apply=lambda member, data: member_exit(
                member=member,
                by=request.user,
                kind=MemberExit.Kind.RESIGNATION,
                on=data["on"],
                reason=data["reason"],
                payout_iban=data["payout_iban"],
            ),
            done_message=ngettext_lazy(
                "%(count)d resignation recorded.", "%(count)d resignations recorded.", "count"
            ),
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data if name in MEMBER_FIELDS}
            if fields or data.get("reason"):
                member_update(member=obj, by=request.user, reason=data.get("reason", ""), **fields)
            return
        fields = {name: data[name] for name in MEMBER_FIELDS if name in data}
        member = member_create(by=request.user, user=data.get("user"), **fields)
        obj.pk = member.pk
        obj.number = member.number
        obj._state.adding = False
        obj._state.db = member._state.db


# --- share policy and membership documents (dated reference data) ----------------------------


@admin.register(SharePolicy)
class SharePolicyAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    AuditedSaveMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    office_path = COOPERATIVE_WIDE  # dated parameters, for every office
    list_display = (
        "valid_from",
        "valid_to",
        "share_price",
        "minimum_shares",
        "one_share_per_year_rule",
    )
    ordering = ("-valid_from",)


@admin.register(MembershipDocument)
class MembershipDocumentAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    AuditedSaveMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    office_path = COOPERATIVE_WIDE  # the statutes and rules every applicant accepts
    list_display = ("kind", "version", "title", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("version", "title")


@admin.register(ShareCertificate)
class ShareCertificateAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    office_path = "member__office"
    list_display = ("member", "as_of", "shares", "nominal_amount", "paid_up_amount", "status")
    list_filter = ("status",)
    list_select_related = ("member",)
    search_fields = ("member__number__exact", "member__last_name")
    ordering = ("-id",)
    show_full_result_count = False


# --- the share register: read-only, exports, board transfers ---------------------------------


class MemberIdFilter(admin.SimpleListFilter):
    """?member=<id>: the target of the member page's link (members are too many to list)."""

    title = _("member")
    parameter_name = "member"

    def lookups(self, request, model_admin):
        # Only the member filtered on is listed (shown in the sidebar, so it can be cleared).
        value = self.value()
        if value and value.isdigit():
            member = visible_rows(request.user, Member).filter(pk=int(value)).first()
            if member is not None:
                return [(value, f"{member.number} {member}")]
        return ()

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(member_id=int(self.value()))
        return queryset


class RegisterAtForm(forms.Form):
    at = forms.DateField(
        label=_("The register at the end of"),
        initial=timezone.localdate,
        help_text=_("YYYY-MM-DD. The register as it stood that day, from its operations."),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[(fmt, fmt.upper()) for fmt in FORMATS], initial="xlsx"
    )
    include_former = forms.BooleanField(
        label=_("Also the members who no longer hold shares"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the PDF"),
        choices=[("fr", "Français"), ("nl", "Nederlands"), ("en", "English")],
        initial="fr",
        required=False,
    )

    def clean_at(self):
        day = self.cleaned_data["at"]
        if day > timezone.localdate():
            raise ValidationError(_("The date can't be in the future."))
        return day


class ExtractForm(forms.Form):
    at = forms.DateField(required=False)
    format = forms.ChoiceField(choices=[(fmt, fmt) for fmt in FORMATS], required=False)


class MemberNumberField(forms.IntegerField):
    """A member typed by their member number."""

    def clean(self, value):
        number = super().clean(value)
        if number is None:
            return None
        member = Member.objects.filter(number=number).first()
        if member is None:
            raise ValidationError(
                gettext("No member has the number %(number)s.") % {"number": number}
            )
        return member


class TransferForm(forms.Form):
    from_member = MemberNumberField(label=_("From member (number)"), min_value=1)
    to_member = MemberNumberField(label=_("To member (number)"), min_value=1)
    shares = forms.IntegerField(label=_("Shares"), min_value=1)
    on = forms.DateField(label=_("Date of the transfer"), initial=timezone.localdate)
    decision_reference = forms.CharField(
        label=_("Board decision reference"), max_length=100, help_text=_("e.g. CA-2026-03-12")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )


@admin.register(ShareRegisterEntry)
class ShareRegisterEntryAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    """The register is append-only: nobody adds, changes or deletes an entry here (the model
    and a PostgreSQL trigger refuse it too). Entries are written by the services only."""

    office_path = "member__office"
    list_display = (
        "date",
        "member_number",
        "member",
        "operation",
        "shares",
        "unit_price",
        "amount",
        "paid_amount",
        "category",
        "decision_reference",
        "counterparty",
        "recorded_by",
    )
    list_filter = ("operation", "category", "date", MemberIdFilter)
    list_select_related = ("member", "counterparty", "recorded_by")
    search_fields = (
        "member__number__exact",
        "member__last_name",
        "member__organisation_name",
        "=structured_reference",
        "decision_reference",
    )
    date_hierarchy = "date"
    ordering = ("-date", "-id")
    show_full_result_count = False

    @admin.display(description=_("number"), ordering="member__number")
    def member_number(self, entry):
        return entry.member.number

    def get_urls(self):
        own = [
            path(
                "register-at/",
                self.admin_site.admin_view(self.register_at_view),
                name="members_shareregisterentry_register_at",
            ),
            path(
                "transfer/",
                self.admin_site.admin_view(self.transfer_view),
                name="members_shareregisterentry_transfer",
            ),
            path(
                "member/<int:member_id>/extract/",
                self.admin_site.admin_view(self.member_extract_view),
                name="members_shareregisterentry_member_extract",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {}
        if sees_everything(request.user):
            extra["register_at_url"] = reverse("admin:members_shareregisterentry_register_at")
        if is_board(request.user):
            extra["transfer_url"] = reverse("admin:members_shareregisterentry_transfer")
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    def _page(self, request, **page):
        return form_page(self, request, **page)

    def register_at_view(self, request):
        """The whole register at a date, for the board: a download (CSV, XLSX or PDF)."""
        if not (self.has_view_permission(request) and sees_everything(request.user)):
            raise PermissionDenied
        if "at" not in request.GET:
            return self._page(
                request,
                form=RegisterAtForm(),
                title=gettext("The share register at a date"),
                intro=gettext("Every member holding shares at the end of that day."),
                submit_label=gettext("Download"),
                method="get",
            )
        form = RegisterAtForm(request.GET)
        if not form.is_valid():
            return self._page(
                request,
                form=form,
                title=gettext("The share register at a date"),
                intro="",
                submit_label=gettext("Download"),
                method="get",
                status=400,
            )
        data = form.cleaned_data
        export = register_export(
            at=data["at"],
            fmt=data["format"],
            include_former=data["include_former"],
            language=data["language"] or "fr",
        )
        return _download(export)

    def member_extract_view(self, request, member_id):
        """A member's register extract (their office's member for an advisor)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        member = visible_rows(request.user, Member).filter(pk=member_id).first()
        if member is None:
            raise Http404(gettext("No such member."))
        form = ExtractForm(request.GET)
        if not form.is_valid():
            return HttpResponse(
                " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400
            )
        at = form.cleaned_data["at"] or timezone.localdate()
        export = member_extract_export(
            member=member, at=at, fmt=form.cleaned_data["format"] or "pdf"
        )
        return _download(export)

    def transfer_view(self, request):
        """Record a transfer of shares decided by the board (both sides in the register)."""
        if not (self.has_view_permission(request) and is_board(request.user)):
            raise PermissionDenied
        title = gettext("Record a transfer of shares")
        intro = gettext(
            "Fully paid shares move from one member to another on a board decision, at the "
            "transferor's subscription price. Both sides are recorded in the register."
        )
        status = 200
        if request.method == "POST":
            form = TransferForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    shares_transfer(
                        from_member=data["from_member"],
                        to_member=data["to_member"],
                        shares=data["shares"],
                        by=request.user,
                        on=data["on"],
                        decision_reference=data["decision_reference"],
                        note=data["note"],
                    )
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    self.message_user(
                        request,
                        gettext("%(shares)s share(s) transferred from %(from)s to %(to)s.")
                        % {
                            "shares": data["shares"],
                            "from": data["from_member"],
                            "to": data["to_member"],
                        },
                    )
                    return redirect(
                        reverse("admin:members_shareregisterentry_changelist")
                        + f"?operation__exact={ShareRegisterEntry.Operation.TRANSFER_IN}"
                    )
            status = 400
        else:
            form = TransferForm()
        return self._page(
            request,
            form=form,
            title=title,
            intro=intro,
            submit_label=gettext("Record the transfer"),
            status=status,
        )


def _download(export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


from . import admin_transfers  # noqa: E402, F401  (registers the transfer requests queue)
