"""Back-office for people: accounts, offices, legal entities and members.

Advisors see the members of their office only; members are written through members.services.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smartcoop.admin import (
    AuditedSaveMixin,
    AuditTrailMixin,
    QueueItem,
    ServiceFormMixin,
    SuperuserDeleteMixin,
    advisor_queue_item,
)

from .models import LegalEntity, Member, Office, User
from .services import MEMBER_FIELDS, member_create, member_update


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
class UserAdmin(AuditTrailMixin, AuditedSaveMixin, SuperuserDeleteMixin, DjangoUserAdmin):
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

    def get_queryset(self, request):
        """Advisors see staff accounts and the accounts of the members they follow."""
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        followed = Member.objects.followed_by(request.user).values("pk")
        return queryset.filter(Q(is_staff=True) | Q(member__in=followed))


@admin.register(Office)
class OfficeAdmin(AuditTrailMixin, AuditedSaveMixin, SuperuserDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "code", "city")
    search_fields = ("name", "code", "city")
    prepopulated_fields = {"code": ("name",)}


@admin.register(LegalEntity)
class LegalEntityAdmin(AuditTrailMixin, AuditedSaveMixin, SuperuserDeleteMixin, admin.ModelAdmin):
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


@admin.register(Member)
class MemberAdmin(AuditTrailMixin, ServiceFormMixin, SuperuserDeleteMixin, admin.ModelAdmin):
    form = MemberForm
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
    date_hierarchy = "member_since"
    autocomplete_fields = ("user", "advisor")
    readonly_fields = ("number",)
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
        (_("Why"), {"fields": ("reason",)}),
    )

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, member):
        return member.display_name

    def get_queryset(self, request):
        return Member.objects.followed_by(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The account of an existing member is linked once; relinking is not an edit.
        if obj is not None:
            return ("number", "user")
        return ("number",)

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


@advisor_queue_item
def applicants_to_review(request):
    if not request.user.has_perm("members.view_member"):
        return None
    count = Member.objects.followed_by(request.user).filter(status=Member.Status.APPLICANT).count()
    url = reverse("admin:members_member_changelist") + f"?status__exact={Member.Status.APPLICANT}"
    return QueueItem(label=_("Membership applications to review"), count=count, url=url)
