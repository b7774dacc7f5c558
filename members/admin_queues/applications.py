"""The queue of membership applications: approve, refuse, record a payment, enter a paper
application."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_decisions import Decision, DecisionPagesMixin, age_column, with_note
from core.admin_identifiers import IdentifierAdminMixin, masked
from core.admin_kit import (
    NOTHING,
    AuditTrailMixin,
    ReadOnlyAdmin,
    RefuseForm,
    advisor_queue_item,
    day_field,
    form_page,
    money,
    note_field,
    reason_action,
    run_action_with_form,
)
from core.dates import format_day
from core.encryption import lookup_hash
from core.forms import add_service_errors

from ..forms import MembershipApplicationForm
from ..models import (
    MONEY,
    DocumentAcceptance,
    Member,
    MembershipApplication,
)
from ..register_services import normalise_reference
from ..selectors import documents_in_force, share_policy_on
from ..services import (
    application_apply,
    application_approve,
    application_ask_information,
    application_refuse,
    application_still_due,
)
from ..share_payment_services import share_payment_record
from .roles import is_advisor


class ApproveForm(forms.Form):
    on = day_field(
        gettext_lazy("Decision date"),
        help_text=gettext_lazy("The applicant is a member from this day."),
    )
    reason = note_field(
        gettext_lazy("Note"),
        required=False,
        help_text=gettext_lazy("Kept in the audit trail."),
        rows=2,
    )
    approve_unpaid = forms.BooleanField(
        label=gettext_lazy("Approve even though money is still due"),
        required=False,
        help_text=gettext_lazy(
            "An application is approved once its shares are fully paid, unless you say why."
        ),
    )
    unpaid_reason = note_field(
        gettext_lazy("Why approve before full payment"),
        required=False,
        help_text=gettext_lazy("Kept with the decision and in the audit trail."),
        rows=2,
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


class QuestionForm(forms.Form):
    reason = note_field(
        gettext_lazy("Your question to the applicant"),
        help_text=gettext_lazy("Sent by e-mail to the applicant, in their language."),
    )


def to_decide(application: MembershipApplication) -> bool:
    return application.status == MembershipApplication.Status.SUBMITTED


def approve(application, by, data):
    return application_approve(
        application=application,
        by=by,
        on=data["on"],
        reason=data["reason"],
        unpaid_reason=data["unpaid_reason"],
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Amount received (€)"), **MONEY)
    paid_on = day_field(gettext_lazy("Received on"), past=True)
    bank_reference = forms.CharField(
        label=gettext_lazy("Bank reference"), max_length=100, required=False
    )


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
    submitted_on = day_field(
        gettext_lazy("Date of the application"),
        help_text=gettext_lazy("The date of the letter or form received."),
        past=True,
    )


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(
    DecisionPagesMixin, OfficeScopedAdminMixin, IdentifierAdminMixin, AuditTrailMixin, ReadOnlyAdmin
):
    # Applications come from the portal and are decided through the actions only (read-only).
    office_path = "office"
    # Categories B and C choose no office: every advisor handles those.
    office_shared = Q(office__isnull=True)
    identifier_fields = identifier_search_fields = ("national_number", "iban")
    masked_national_number = masked("national_number", gettext_lazy("national register number"))
    masked_iban = masked("iban", gettext_lazy("IBAN"))
    # Fits a 1366 px screen (tests/test_admin_queues_width.py): the e-mail under the name,
    # what is paid under what is due; the structured reference is searched, not listed.
    list_display = (
        "name",
        "category",
        "office",
        "shares",
        "amount_due_display",
        "submitted_on_display",
        "age",
        "status",
    )
    age = age_column("submitted_on")
    list_display_links = ("name",)
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
                add_service_errors(form, error)
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

    def has_review_permission(self, request):
        return is_advisor(request.user)

    # Columns and fields

    @admin.display(description=gettext_lazy("structured reference"))
    def reference_display(self, application):
        value = application.structured_reference
        return f"+++{value[:3]}/{value[3:7]}/{value[7:]}+++" if len(value) == 12 else NOTHING

    @admin.display(description=gettext_lazy("name"), ordering="last_name")
    def name(self, application):
        return with_note(name_of(application), application.email)

    @admin.display(description=gettext_lazy("amount due"))
    def amount_due_display(self, application):
        paid = _("paid %(amount)s") % {"amount": money(application.paid_amount)}
        return with_note(money(application.amount_due), paid)

    @admin.display(description=gettext_lazy("submitted on"), ordering="submitted_on")
    def submitted_on_display(self, application):
        return format_day(application.submitted_on)

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
            apply=lambda application, data: approve(application, request.user, data),
            done_message=ngettext_lazy(
                "%(count)d application approved.", "%(count)d applications approved.", "count"
            ),
        )

    refuse_with_reason = reason_action(
        gettext_lazy("Refuse with a reason"),
        application_refuse,
        "application",
        form_class=RefuseForm,
        title=gettext_lazy("Refuse the applications"),
        intro=gettext_lazy("Money already received waits as a refund to the applicant's IBAN."),
        describe=payment_state,
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

    # The same services on the application's own page (core.admin_decisions).
    decisions = (
        Decision(
            "approve",
            gettext_lazy("Approve"),
            approve,
            gettext_lazy("Application of %(object)s approved."),
            form_class=ApproveForm,
            form_kwargs=lambda application: {"applications": [application]},
            allowed=to_decide,
            primary=True,
            intro=gettext_lazy(
                "The applicant becomes a member on the decision date, with a member number "
                "and the subscription in the register, and is told by e-mail."
            ),
        ),
        Decision(
            "refuse",
            gettext_lazy("Refuse with a reason"),
            lambda application, by, data: application_refuse(
                application=application, by=by, reason=data["reason"]
            ),
            gettext_lazy("Application of %(object)s refused."),
            form_class=RefuseForm,
            allowed=to_decide,
            intro=gettext_lazy("Money already received waits as a refund to the applicant's IBAN."),
        ),
        Decision(
            "ask",
            gettext_lazy("Ask for information"),
            lambda application, by, data: application_ask_information(
                application=application, by=by, question=data["reason"]
            ),
            gettext_lazy("Your question is e-mailed to %(object)s."),
            form_class=QuestionForm,
            allowed=to_decide,
            intro=gettext_lazy("The application stays in the queue until you decide."),
        ),
    )

    def item_label(self, application):
        return name_of(application)


applications_to_decide = advisor_queue_item(
    gettext_lazy("Membership applications to decide"),
    MembershipApplication,
    status=MembershipApplication.Status.SUBMITTED,
)
