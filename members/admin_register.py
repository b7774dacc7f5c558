"""Back-office of the share register and its reference data: the share policy and the
membership documents (dated), the certificates, and the register itself (read-only, at a date,
its exports, member extracts and the board's transfers)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_kit import (
    ReadOnlyAdmin,
    ReferenceDataAdmin,
    day_field,
    form_page,
    note_field,
)
from core.forms import add_service_errors
from core.roles import is_board, sees_everything
from core.scoping import COOPERATIVE_WIDE

from .exports import FORMATS, member_extract_export, register_export
from .models import (
    Member,
    MembershipDocument,
    ShareCertificate,
    SharePolicy,
    ShareRegisterEntry,
)
from .share_services import shares_transfer


@admin.register(SharePolicy)
class SharePolicyAdmin(ReferenceDataAdmin):
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
class MembershipDocumentAdmin(ReferenceDataAdmin):
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
    at = day_field(
        _("The register at the end of"),
        help_text=_("YYYY-MM-DD. The register as it stood that day, from its operations."),
        past=True,
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
    on = day_field(_("Date of the transfer"))
    decision_reference = forms.CharField(
        label=_("Board decision reference"), max_length=100, help_text=_("e.g. CA-2026-03-12")
    )
    note = note_field(_("Note"), required=False, rows=2)


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
                    add_service_errors(form, error)
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
