"""Back-office queues of membership: applications to decide, resignations and other exits to
record, refunds to pay. Advisors see their office's; the board and the administrators see
every office. Every action calls one service per row; what a service refuses is shown.

Who does what (the roles are groups, core/roles.py):
- advisors (and administrators): approve or refuse applications, record payments, record
  resignations and deaths, mark refunds paid;
- the board: exclusions and share transfers (board decisions).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_identifiers import IdentifierAdminMixin, masked
from core.admin_kit import (
    AuditTrailMixin,
    QueueItem,
    ServiceFormMixin,
    add_service_error,
    advisor_queue_item,
)
from core.encryption import lookup_hash
from core.money import cents
from core.roles import is_board, require_board

from .forms import MembershipApplicationForm
from .models import (
    MONEY,
    DocumentAcceptance,
    Member,
    MemberExit,
    MembershipApplication,
    RefundPayout,
)
from .selectors import share_policy_on
from .services import (
    application_apply,
    application_approve,
    application_refuse,
    application_still_due,
)
from .share_services import (
    member_exit,
    normalise_reference,
    refund_payout_mark_paid,
    share_payment_record,
)

SELECTION_LIMIT = 200
NOTHING = "—"


# --- roles ---------------------------------------------------------------------------------


def is_advisor(user) -> bool:
    """Advisors and administrators: they process the membership queues."""
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm("members.change_member"))
    )


def money(amount) -> str:
    return f"{cents(amount):.2f} €" if amount is not None else NOTHING


# --- actions with an intermediate page -------------------------------------------------------


def _names_a_field_of(form, error: ValidationError) -> bool:
    return hasattr(error, "error_dict") and any(name in form.fields for name in error.error_dict)


def _report(model_admin, request, done: int, problems, done_message) -> None:
    if done:
        model_admin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for obj, texts in problems:
        model_admin.message_user(request, f"{obj}: {' '.join(texts)}", messages.ERROR)
    if not done and not problems:
        model_admin.message_user(request, _("Nothing was changed."), messages.WARNING)


def run_action_with_form(
    model_admin,
    request,
    queryset: QuerySet,
    *,
    form_class: type[forms.Form],
    title: str,
    apply: Callable,
    done_message,
    intro: str = "",
    describe: Callable | None = None,
    single: bool = False,
    form_kwargs: Callable | None = None,
    confirm: Callable | None = None,
):
    """An action's intermediate page: the chosen rows and a form; once posted back valid
    ("apply"), `apply(obj, cleaned_data)` (one service call) for each row.

    A refusal naming a field of the form shows the page again (400) with the message; any
    other refusal is reported for its row and the others go on. `single`: the action needs
    exactly one row (a payment is recorded for one application). `form_kwargs(objects)`:
    what the form needs to check the chosen rows. `confirm(obj, cleaned_data)`: the valid
    form first shows a confirmation page saying what will happen to each row; only its
    "confirm" button applies.
    """
    limit = 1 if single else SELECTION_LIMIT
    objects = list(queryset[: limit + 1])
    if len(objects) > limit:
        message = (
            _("Choose one row for this action.")
            if single
            else _("Choose at most %(limit)s rows for this action.") % {"limit": limit}
        )
        model_admin.message_user(request, message, messages.WARNING)
        return None
    extra = form_kwargs(objects) if form_kwargs else {}
    confirming = False
    if "apply" in request.POST:
        form = form_class(request.POST, **extra)
        if form.is_valid() and confirm is not None and "confirmed" not in request.POST:
            confirming = True
        elif form.is_valid():
            done, problems = 0, []
            for obj in objects:
                try:
                    apply(obj, form.cleaned_data)
                except ValidationError as error:
                    if _names_a_field_of(form, error):
                        add_service_error(form, error)
                        break
                    problems.append((obj, error.messages))
                except PermissionDenied as error:
                    problems.append((obj, [str(error) or _("Not allowed.")]))
                else:
                    done += 1
            if form.is_valid():
                _report(model_admin, request, done, problems, done_message)
                return None
    else:
        form = form_class(**extra)
    if confirming:
        rows = [(obj, confirm(obj, form.cleaned_data)) for obj in objects]
    else:
        rows = [(obj, describe(obj) if describe else "") for obj in objects]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": model_admin.model._meta,
        "rows": rows,
        "confirming": confirming,
        "form": form,
        "media": model_admin.media + form.media,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, "admin/members/action_form.html", context, status=status)


class ApproveForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Decision date"),
        initial=timezone.localdate,
        help_text=gettext_lazy("The applicant is a member from this day."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=gettext_lazy("Kept in the audit trail."),
    )
    approve_unpaid = forms.BooleanField(
        label=gettext_lazy("Approve even though money is still due"),
        required=False,
        help_text=gettext_lazy(
            "An application is approved once its shares are fully paid, unless you say why."
        ),
    )
    unpaid_reason = forms.CharField(
        label=gettext_lazy("Why approve before full payment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=gettext_lazy("Kept with the decision and in the audit trail."),
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unpaid = [
            (application, application_still_due(application))
            for application in applications
            if application_still_due(application) > 0
        ]

    def clean(self):
        data = super().clean()
        reason = (data.get("unpaid_reason") or "").strip()
        if not data.get("approve_unpaid"):
            data["unpaid_reason"] = ""
            if self.unpaid:
                self.add_error(
                    "approve_unpaid",
                    _(
                        "Not fully paid: %(applications)s. Approve them once paid, or tick "
                        "this box and say why."
                    )
                    % {"applications": still_due_list(self.unpaid)},
                )
        elif not reason:
            self.add_error(
                "unpaid_reason", _("Say why you approve before the shares are fully paid.")
            )
        return data


def still_due_list(unpaid) -> str:
    return "; ".join(
        _("%(name)s, %(due)s still due") % {"name": name_of(application), "due": money(due)}
        for application, due in unpaid
    )


def name_of(application: MembershipApplication) -> str:
    return f"{application.first_name} {application.last_name}"


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Kept with the decision and in the audit trail."),
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Amount received (€)"), **MONEY)
    paid_on = forms.DateField(label=gettext_lazy("Received on"), initial=timezone.localdate)
    bank_reference = forms.CharField(
        label=gettext_lazy("Bank reference"), max_length=100, required=False
    )

    def clean_paid_on(self):
        day = self.cleaned_data["paid_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date can't be in the future."))
        return day


class ExitRecordForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Effective date"),
        initial=timezone.localdate,
        help_text=gettext_lazy("No longer a member from this day."),
    )
    payout_iban = forms.CharField(
        label=gettext_lazy("Pay the refund to (IBAN)"),
        max_length=34,
        required=False,
        help_text=gettext_lazy("Empty: the member's IBAN."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class PaidOnForm(forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), initial=timezone.localdate)


# --- membership applications -------------------------------------------------------------------


def _with_due(queryset):
    due = ExpressionWrapper(F("shares") * F("share_price"), output_field=DecimalField(**MONEY))
    return queryset.annotate(due=due)


class PaymentStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("payment")
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return [
            ("paid", gettext_lazy("fully paid")),
            ("partly", gettext_lazy("partly paid")),
            ("unpaid", gettext_lazy("not paid")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "paid":
            return _with_due(queryset).filter(paid_amount__gte=F("due"))
        if value == "partly":
            return _with_due(queryset).filter(paid_amount__gt=0, paid_amount__lt=F("due"))
        if value == "unpaid":
            return queryset.filter(paid_amount=0)
        return queryset


def payment_state(application: MembershipApplication) -> str:
    if application.paid_amount >= application.amount_due:
        return str(_("fully paid"))
    if application.paid_amount > 0:
        return _("partly paid: %(paid)s of %(due)s") % {
            "paid": money(application.paid_amount),
            "due": money(application.amount_due),
        }
    return str(_("not paid"))


def payment_state_and_due(application: MembershipApplication) -> str:
    """The payment state, and what is still due when something is."""
    due = application_still_due(application)
    if due <= 0:
        return payment_state(application)
    return _("%(state)s — %(due)s still due") % {
        "state": payment_state(application),
        "due": money(due),
    }


def application_duplicates(application: MembershipApplication) -> tuple[list, list]:
    """Members and other applications with the same national number or email address."""
    same = Q(national_number_hash=lookup_hash(application.national_number))
    members = Member.objects.filter(same | Q(user__email__iexact=application.email))
    applications = MembershipApplication.objects.filter(
        same | Q(email__iexact=application.email)
    ).exclude(pk=application.pk)
    return list(members.order_by("number")[:20]), list(applications.order_by("-id")[:20])


class PaperApplicationForm(MembershipApplicationForm):
    submitted_on = forms.DateField(
        label=gettext_lazy("Date of the application"),
        initial=timezone.localdate,
        help_text=gettext_lazy("The date of the letter or form received."),
    )

    def clean_submitted_on(self):
        day = self.cleaned_data["submitted_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date can't be in the future."))
        return day


def form_page(
    model_admin, request, *, form, title, intro="", submit_label, method="post", status=200
):
    """A back-office page with one form (templates/admin/members/form_page.html)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": model_admin.model._meta,
        "form": form,
        "media": model_admin.media + form.media,
        "submit_label": submit_label,
        "method": method,
    }
    return TemplateResponse(request, "admin/members/form_page.html", context, status=status)


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(
    OfficeScopedAdminMixin, IdentifierAdminMixin, AuditTrailMixin, admin.ModelAdmin
):
    office_path = "office"
    # Categories B and C choose no office: every advisor handles those.
    office_shared = Q(office__isnull=True)
    identifier_fields = identifier_search_fields = ("national_number", "iban")
    masked_national_number = masked("national_number", gettext_lazy("national register number"))
    masked_iban = masked("iban", gettext_lazy("IBAN"))
    list_display = (
        "reference_display",
        "name",
        "email",
        "category",
        "office",
        "shares",
        "amount_due_display",
        "paid_amount",
        "status",
        "submitted_on",
    )
    list_display_links = ("reference_display", "name")
    list_filter = ("status", PaymentStateFilter, "source", "office", "category", "submitted_on")
    list_select_related = ("office",)
    search_fields = ("last_name", "first_name", "email")
    search_help_text = gettext_lazy(
        "A name, an email address, a national register number or a structured reference "
        "(+++900/0000/01234+++)."
    )
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("approve_selected", "refuse_with_reason", "record_payment")
    fieldsets = (
        (
            None,
            {"fields": ("status", "reference_display", "source", "submitted_on", "submitted_at")},
        ),
        (
            gettext_lazy("Identity"),
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "email",
                    "user",
                    "masked_national_number",
                    "birth_date",
                    "gender",
                    "street",
                    "postal_code",
                    "city",
                    "country",
                    "masked_iban",
                    "preferred_language",
                )
            },
        ),
        (
            gettext_lazy("Request"),
            {"fields": ("category", "planned_activity", "office", "shares", "share_price")},
        ),
        (
            gettext_lazy("Payment"),
            {"fields": ("amount_due_display", "paid_amount", "paid_on", "payment_state_display")},
        ),
        (gettext_lazy("Checks"), {"fields": ("documents_accepted", "possible_duplicates")}),
        (
            gettext_lazy("Decision"),
            {"fields": ("decided_by", "decided_on", "decided_at", "reason", "member_link")},
        ),
    )
    readonly_fields = (
        "reference_display",
        "amount_due_display",
        "payment_state_display",
        "documents_accepted",
        "possible_duplicates",
        "member_link",
        "masked_national_number",
        "masked_iban",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("office")

    def get_urls(self):
        from django.urls import path

        own = [
            path(
                "paper/",
                self.admin_site.admin_view(self.paper_view),
                name="members_membershipapplication_paper",
            )
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {}
        if is_advisor(request.user):
            extra["paper_url"] = reverse("admin:members_membershipapplication_paper")
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    def paper_view(self, request):
        """Enter an application received on paper: the portal's form and service, dated on
        the letter, marked as received on paper; the applicant gets the payment
        instructions by e-mail."""
        from .views import documents_in_force

        if not is_advisor(request.user):
            raise PermissionDenied
        today = timezone.localdate()
        form = PaperApplicationForm(
            request.POST or None, documents=documents_in_force(today), policy=share_policy_on(today)
        )
        page = {
            "title": _("Enter a paper application"),
            "intro": _(
                "The same checks as the portal's form (national register number, IBAN, "
                "duplicates). The application waits in the queue like the others."
            ),
            "submit_label": _("Record the application"),
        }
        if request.method != "POST":
            return form_page(self, request, form=form, **page)
        if form.is_valid():
            try:
                application = application_apply(
                    by=request.user,
                    source=MembershipApplication.Source.PAPER,
                    on=form.cleaned_data["submitted_on"],
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                self.message_user(
                    request,
                    _("The paper application of %(name)s is recorded.")
                    % {"name": name_of(application)},
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:members_membershipapplication_change", args=[application.pk])
                )
        return form_page(self, request, form=form, status=400, **page)

    def get_search_results(self, request, queryset, search_term):
        reference = normalise_reference(search_term)
        if reference:
            return queryset.filter(structured_reference=reference), False
        digits = "".join(char for char in search_term if char.isdigit())
        if len(digits) == 11 and not any(char.isalpha() for char in search_term):
            return queryset.filter(national_number_hash=lookup_hash(digits)), False
        return super().get_search_results(request, queryset, search_term)

    # Applications come from the portal and are decided through the actions only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return is_advisor(request.user)

    # Columns and fields

    @admin.display(description=gettext_lazy("structured reference"))
    def reference_display(self, application):
        value = application.structured_reference
        return f"+++{value[:3]}/{value[3:7]}/{value[7:]}+++" if len(value) == 12 else NOTHING

    @admin.display(description=gettext_lazy("name"), ordering="last_name")
    def name(self, application):
        return f"{application.first_name} {application.last_name}"

    @admin.display(description=gettext_lazy("amount due"))
    def amount_due_display(self, application):
        return money(application.amount_due)

    @admin.display(description=gettext_lazy("payment"))
    def payment_state_display(self, application):
        return payment_state(application)

    @admin.display(description=gettext_lazy("documents accepted"))
    def documents_accepted(self, application):
        acceptances = DocumentAcceptance.objects.filter(application=application).select_related(
            "document"
        )
        rows = [
            (
                acceptance.document.get_kind_display(),
                acceptance.document.version,
                timezone.localtime(acceptance.accepted_at).strftime("%Y-%m-%d %H:%M:%S"),
            )
            for acceptance in acceptances.order_by("document__kind", "id")
        ]
        if not rows:
            return _("No document accepted.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} — {} {} · {}</li>", ((k, _("version"), v, t) for k, v, t in rows)
            ),
        )

    @admin.display(description=gettext_lazy("possible duplicates"))
    def possible_duplicates(self, application):
        members, applications = application_duplicates(application)
        if not members and not applications:
            return _("None found (same national register number or email address).")
        items = [
            (
                reverse("admin:members_member_change", args=[member.pk]),
                _("member %(number)s: %(name)s (%(status)s)")
                % {
                    "number": member.number,
                    "name": member.display_name,
                    "status": member.get_status_display(),
                },
            )
            for member in members
        ] + [
            (
                reverse("admin:members_membershipapplication_change", args=[other.pk]),
                _("application of %(day)s: %(name)s, %(email)s (%(status)s)")
                % {
                    "day": other.submitted_on.isoformat(),
                    "name": f"{other.first_name} {other.last_name}",
                    "email": other.email,
                    "status": other.get_status_display(),
                },
            )
            for other in applications
        ]
        return format_html(
            '<ul class="possible-duplicates">{}</ul>',
            format_html_join("", '<li><a href="{}">{}</a></li>', items),
        )

    @admin.display(description=gettext_lazy("member"))
    def member_link(self, application):
        if application.member_id is None:
            return NOTHING
        url = reverse("admin:members_member_change", args=[application.member_id])
        return format_html('<a href="{}">{}</a>', url, application.member)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.status == MembershipApplication.Status.SUBMITTED:
            context["queue_actions"] = [
                (name, label)
                for name, (_function, name_, label) in self.get_actions(request).items()
                if name in self.actions
            ]
            context["changelist_url"] = reverse("admin:members_membershipapplication_changelist")
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Actions

    @admin.action(description=gettext_lazy("Approve"), permissions=["review"])
    def approve_selected(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset,
            form_class=ApproveForm,
            title=_("Approve the applications"),
            intro=_(
                "Each applicant becomes a member on the decision date, with a member number "
                "and the subscription in the register, and is told by e-mail. An application "
                "is approved once fully paid; to approve one with money still due, tick the "
                "box and say why: what is not paid stays due on the subscription."
            ),
            describe=payment_state_and_due,
            form_kwargs=lambda applications: {"applications": applications},
            apply=lambda application, data: application_approve(
                application=application,
                by=request.user,
                on=data["on"],
                reason=data["reason"],
                unpaid_reason=data["unpaid_reason"],
            ),
            done_message=ngettext_lazy(
                "%(count)d application approved.", "%(count)d applications approved.", "count"
            ),
        )

    @admin.action(description=gettext_lazy("Refuse with a reason"), permissions=["review"])
    def refuse_with_reason(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset,
            form_class=RefuseForm,
            title=_("Refuse the applications"),
            intro=_("Money already received waits as a refund to the applicant's IBAN."),
            describe=payment_state,
            apply=lambda application, data: application_refuse(
                application=application, by=request.user, reason=data["reason"]
            ),
            done_message=ngettext_lazy(
                "%(count)d application refused.", "%(count)d applications refused.", "count"
            ),
        )

    @admin.action(description=gettext_lazy("Record a payment"), permissions=["review"])
    def record_payment(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset,
            form_class=PaymentForm,
            title=_("Record a payment"),
            intro=_("Money received for the shares of this application (by bank transfer)."),
            describe=payment_state,
            single=True,
            apply=lambda application, data: share_payment_record(
                target=application,
                amount=data["amount"],
                paid_on=data["paid_on"],
                by=request.user,
                bank_reference=data["bank_reference"],
            ),
            done_message=ngettext_lazy(
                "%(count)d payment recorded.", "%(count)d payments recorded.", "count"
            ),
        )


# --- exits ----------------------------------------------------------------------------------


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
class MemberExitAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ServiceFormMixin, admin.ModelAdmin):
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

    # An exit is recorded (add) or processed (action), never edited or deleted.
    def has_add_permission(self, request):
        return is_advisor(request.user) or is_board(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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


# --- refunds ----------------------------------------------------------------------------------


@admin.register(RefundPayout)
class RefundPayoutAdmin(
    OfficeScopedAdminMixin, IdentifierAdminMixin, AuditTrailMixin, admin.ModelAdmin
):
    # A member's refund, or an applicant's money refunded when the application is refused.
    office_path = ("member__office", "application__office")
    identifier_fields = identifier_search_fields = ("iban",)
    masked_iban = masked("iban", gettext_lazy("IBAN"))
    list_display = (
        "created_at", "beneficiary", "amount", "masked_iban", "status", "paid_on", "member",
    )  # fmt: skip
    list_filter = ("status",)
    list_select_related = ("member",)
    search_fields = ("beneficiary", "member__number__exact")
    exclude = ("iban",)
    readonly_fields = ("masked_iban",)
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("mark_paid",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "application", "entry")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return is_advisor(request.user)

    @admin.action(description=gettext_lazy("Mark as paid"), permissions=["review"])
    def mark_paid(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(status=RefundPayout.Status.PENDING),
            form_class=PaidOnForm,
            title=_("Mark the refunds as paid"),
            describe=lambda payout: money(payout.amount),
            apply=lambda payout, data: refund_payout_mark_paid(
                payout=payout, by=request.user, paid_on=data["paid_on"]
            ),
            done_message=ngettext_lazy(
                "%(count)d refund marked as paid.", "%(count)d refunds marked as paid.", "count"
            ),
        )


# --- the advisor's queue on the admin index ---------------------------------------------------


@advisor_queue_item
def applications_to_decide(request):
    if not request.user.has_perm("members.view_membershipapplication"):
        return None
    submitted = MembershipApplication.objects.filter(status=MembershipApplication.Status.SUBMITTED)
    count = visible_rows(request.user, MembershipApplication, submitted).count()
    url = (
        reverse("admin:members_membershipapplication_changelist")
        + f"?status__exact={MembershipApplication.Status.SUBMITTED}"
    )
    return QueueItem(label=_("Membership applications to decide"), count=count, url=url)


@advisor_queue_item
def resignations_to_record(request):
    if not request.user.has_perm("members.view_memberexit"):
        return None
    requested = MemberExit.objects.filter(status=MemberExit.Status.REQUESTED)
    count = visible_rows(request.user, MemberExit, requested).count()
    url = (
        reverse("admin:members_memberexit_changelist")
        + f"?status__exact={MemberExit.Status.REQUESTED}"
    )
    return QueueItem(label=_("Resignations to record"), count=count, url=url)


@advisor_queue_item
def refunds_to_pay(request):
    if not request.user.has_perm("members.view_refundpayout"):
        return None
    pending = RefundPayout.objects.filter(status=RefundPayout.Status.PENDING)
    count = visible_rows(request.user, RefundPayout, pending).count()
    url = (
        reverse("admin:members_refundpayout_changelist")
        + f"?status__exact={RefundPayout.Status.PENDING}"
    )
    return QueueItem(label=_("Share refunds to pay"), count=count, url=url)
