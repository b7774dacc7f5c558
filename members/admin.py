"""Back-office for people: accounts, offices, legal entities and members (with their category
changes and resignations). The membership queues (applications, exits, refunds) are in
admin_queues, the share register and its reference data in admin_register, the board's
transfer requests in admin_transfers.

Advisors see the members of their office only; members are written through members.services,
the register through the *_services modules around members.register_services.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin
from core.admin_identifiers import IdentifierAdminMixin
from core.admin_kit import (
    NOTHING,
    AuditedSaveMixin,
    AuditTrailMixin,
    EstimatedCountPaginator,
    ReferenceDataAdmin,
    ServiceFormMixin,
    StaffRelatedFilter,
    SuperuserDeleteMixin,
    day_field,
    note_field,
    run_action_with_form,
)
from core.forms import not_in_the_future
from core.scoping import COOPERATIVE_WIDE
from core.validators import mask_identifier

from .admin_queues.exits import ExitRecordForm
from .admin_queues.roles import is_advisor
from .exit_services import member_exit
from .exports import FORMATS
from .models import (
    LegalEntity,
    Member,
    MemberExit,
    Office,
    User,
)
from .register_services import refund_for
from .selectors import member_shares
from .services import MEMBER_FIELDS, member_create, member_update
from .share_services import member_category_change


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
class OfficeAdmin(ReferenceDataAdmin):
    office_path = COOPERATIVE_WIDE  # the offices themselves: their names and cities
    list_display = ("name", "code", "city")
    search_fields = ("name", "code", "city")
    prepopulated_fields = {"code": ("name",)}


@admin.register(LegalEntity)
class LegalEntityAdmin(ReferenceDataAdmin):
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


class CategoryChangeForm(forms.Form):
    category = forms.ChoiceField(label=_("New category"), choices=Member.Category.choices)
    on = day_field(
        _("Effective date"),
        help_text=_("The date of the category change in the register."),
        past=True,
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=100,
        required=False,
        help_text=_("The board decision or the member's letter, e.g. CA-2026-03-12."),
    )
    reason = note_field(
        _("Reason"), help_text=_("Kept in the register and in the audit trail."), rows=2
    )


class ResignationForm(ExitRecordForm):
    """A resignation received by letter (or told to the advisor), recorded for the member."""

    reason = note_field(
        _("Reason"),
        help_text=_("e.g. the member's letter of 2026-03-02. Kept in the audit trail."),
        rows=2,
    )

    def clean_on(self):
        day = self.cleaned_data["on"]
        not_in_the_future(day)
        return day


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
    list_filter = (
        "status",
        "category",
        "is_organisation",
        "office",
        ("advisor", StaffRelatedFilter),
    )
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


# Registered on import, after the members (the queue shows its items in this order).
from . import admin_register, admin_transfers  # noqa: E402, F401
