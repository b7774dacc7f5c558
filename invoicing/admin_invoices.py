"""Back-office for invoices, credit notes, quotes and transmissions: advisors review, they
don't edit (members write their drafts in the portal; issued documents never change).

Approving, rejecting, pausing reminders and sending again go through the services.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_kit import (
    NOTHING,
    AuditTrailMixin,
    EstimatedCountPaginator,
    ReadOnlyAdmin,
    advisor_queue_item,
    apply_each,
    each_action,
    money,
    reason_action,
)
from core.roles import sees_every_office
from core.scoping import UNIT_OFFICE
from members.models import Member
from production_units.models import ProductionUnit

from .admin_actions import invoices_matching
from .admin_invoice_lists import (
    BalanceFilter,
    ClientFilter,
    InvoiceChangeList,
    InvoiceLineInline,
    PaymentInline,
    ReminderInline,
    SeriesFilter,
    TransmissionInline,
    UnitFilter,
)
from .documents import invoice_documents_render
from .invoice_services import invoice_approve, invoice_reject
from .models import (
    Client,
    Invoice,
)
from .references import format_structured_reference
from .reminders import reminders_pause
from .selectors import (
    invoice_balance_due,
    invoice_payment_state,
    receivables_by_client,
    receivables_by_unit,
    receivables_total,
)
from .sending import document_send_enqueue

RECEIVABLES_TOP = 50


# Invoices ------------------------------------------------------------------------------------

SEARCH_CAP = 5000  # ids per kind: a term matching more is too vague to be useful


def _invoices_of_names(term: str):
    """The search of the invoice list by client, member or unit code, as id lists: the small
    tables (clients, members, units) are searched first, then the invoices by their indexed
    client and unit columns — not a scan of every invoice joined to its names. Each word must
    match (as Django's admin search does): "Alice Lambert" finds Alice Lambert's invoices."""
    condition = Q()
    for word in term.split():
        clients = list(
            Client.objects.filter(name__icontains=word).values_list("pk", flat=True)[:SEARCH_CAP]
        )
        holders = Member.objects.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(organisation_name__icontains=word)
        ).values("pk")[:SEARCH_CAP]
        units = list(
            ProductionUnit.objects.filter(Q(holder__in=holders) | Q(code__iexact=word)).values_list(
                "pk", flat=True
            )[:SEARCH_CAP]
        )
        condition &= Q(client_id__in=clients) | Q(unit_id__in=units)
    return condition


@admin.register(Invoice)
class InvoiceAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = UNIT_OFFICE
    list_display = (
        "number_display",
        "kind",
        "status",
        "unit_code",
        "client_name",
        "member",
        "issue_date",
        "total_display",
        "balance_due",
        "payment_state",
    )
    list_display_links = ("number_display",)
    list_filter = (
        "status",
        "kind",
        BalanceFilter,
        "legal_entity",
        SeriesFilter,
        "reminders_paused",
        "issue_date",
        UnitFilter,
        ClientFilter,
    )
    search_fields = (
        "client__name",
        "unit__holder__last_name",
        "unit__holder__first_name",
        "unit__holder__organisation_name",
        "=unit__code",
    )
    search_help_text = gettext_lazy(
        "A number (F-2026-000012), a structured reference (+++112/6000/01247+++), "
        "a client, a member or a unit code."
    )
    # Newest first by the primary key: no sort of the whole table.
    ordering = ("-id",)
    list_per_page = 25
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    inlines = (InvoiceLineInline, PaymentInline, ReminderInline, TransmissionInline)
    actions = (
        "approve_selected",
        "reject_with_reason",
        "pause_reminders",
        "resume_reminders",
        "send_again",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number_display",
                    "kind",
                    "status",
                    "legal_entity",
                    "series",
                    "unit",
                    "member",
                    "client",
                    "credited_invoice",
                )
            },
        ),
        (
            gettext_lazy("Dates"),
            {
                "fields": (
                    "issue_date",
                    "due_date",
                    "issued_at",
                    "issued_by",
                    "created_at",
                    "created_by",
                )
            },
        ),
        (
            gettext_lazy("References"),
            {
                "fields": (
                    "reference_display",
                    "buyer_reference",
                    "order_reference",
                    "language",
                    "note",
                )
            },
        ),
        (
            gettext_lazy("Amounts"),
            {
                "fields": (
                    "net_total",
                    "vat_total",
                    "total",
                    "balance_due_detail",
                    "payment_state_detail",
                )
            },
        ),
        (
            gettext_lazy("Follow-up"),
            {"fields": ("reminders_paused", "rejection_reason", "documents")},
        ),
        (
            gettext_lazy("Frozen content"),
            {"classes": ("collapse",), "fields": ("seller", "buyer", "hash", "previous_hash")},
        ),
    )
    readonly_fields = (
        "number_display",
        "member",
        "reference_display",
        "balance_due_detail",
        "payment_state_detail",
        "documents",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("series", "unit__holder", "client", "legal_entity")
        )

    def get_changelist(self, request, **kwargs):
        return InvoiceChangeList

    def get_search_results(self, request, queryset, search_term):
        if request.GET.get("app_label") == "invoicing" and request.GET.get("model_name") == (
            "payment"
        ):
            # The payment form's autocomplete: only what can be paid.
            queryset = queryset.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)
        found = invoices_matching(queryset, search_term)
        if found is not None:
            return found, False
        term = search_term.strip()
        if term.isdigit() and len(term) <= 6:
            return queryset.filter(number=int(term)), False
        if not term:
            return queryset, False
        return queryset.filter(_invoices_of_names(term)), False

    # Advisors review (ReadOnlyAdmin): nobody adds, edits or deletes an invoice here.
    def has_review_permission(self, request):
        return request.user.has_perm("invoicing.change_invoice")

    # Columns and fields

    @admin.display(description=gettext_lazy("number"), ordering="number")
    def number_display(self, invoice):
        return invoice.display_number or _("draft #%(pk)s") % {"pk": invoice.pk}

    @admin.display(description=gettext_lazy("unit"), ordering="unit__code")
    def unit_code(self, invoice):
        return invoice.unit.code

    @admin.display(description=gettext_lazy("client"), ordering="client__name")
    def client_name(self, invoice):
        return invoice.client.name

    @admin.display(description=gettext_lazy("member"))
    def member(self, invoice):
        return invoice.unit.holder.display_name

    @admin.display(description=gettext_lazy("total incl. VAT"), ordering="total")
    def total_display(self, invoice):
        return money(invoice.total)

    @admin.display(description=gettext_lazy("balance due"))
    def balance_due(self, invoice):
        balance = getattr(invoice, "admin_balance", None)
        return money(balance[0]) if balance else NOTHING

    @admin.display(description=gettext_lazy("payment"))
    def payment_state(self, invoice):
        balance = getattr(invoice, "admin_balance", None)
        return balance[1].label if balance else NOTHING

    @admin.display(description=gettext_lazy("structured reference"))
    def reference_display(self, invoice):
        return format_structured_reference(invoice.structured_reference) or NOTHING

    @admin.display(description=gettext_lazy("balance due"))
    def balance_due_detail(self, invoice):
        if invoice_payment_state(invoice=invoice) is None:
            return NOTHING
        return money(invoice_balance_due(invoice=invoice))

    @admin.display(description=gettext_lazy("payment"))
    def payment_state_detail(self, invoice):
        state = invoice_payment_state(invoice=invoice)
        return state.label if state else NOTHING

    @admin.display(description=gettext_lazy("documents"))
    def documents(self, invoice):
        if not invoice.is_issued:
            return NOTHING
        links = [
            (reverse("admin:invoicing_invoice_download", args=[invoice.pk, kind]), label)
            for kind, label in (("pdf", _("PDF")), ("ubl", _("UBL (Peppol)")))
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    # Pages of its own: downloads and receivables

    def get_urls(self):
        own = [
            path(
                "receivables/",
                self.admin_site.admin_view(self.receivables_view),
                name="invoicing_invoice_receivables",
            ),
            path(
                "<path:object_id>/download/<str:kind>/",
                self.admin_site.admin_view(self.download_view),
                name="invoicing_invoice_download",
            ),
        ]
        return own + super().get_urls()

    def download_view(self, request, object_id, kind):
        invoice = self.get_object(request, object_id)
        if invoice is None or not invoice.is_issued or kind not in ("pdf", "ubl"):
            raise Http404(_("No such document."))
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied
        invoice_documents_render(invoice=invoice)
        field, extension, content_type = (
            (invoice.pdf, "pdf", "application/pdf")
            if kind == "pdf"
            else (invoice.ubl, "xml", "application/xml")
        )
        return FileResponse(
            field.open("rb"),
            as_attachment=True,
            filename=f"{invoice.display_number}.{extension}",
            content_type=content_type,
        )

    def receivables_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        scope = None if sees_every_office(request.user) else visible_rows(request.user, Invoice)
        if scope is not None and scope.query.is_empty():
            total, units, clients = {"amount": 0, "overdue": 0, "invoices": 0}, [], []
        else:
            total = receivables_total(on=today, invoices=scope)
            units = receivables_by_unit(on=today, invoices=scope)
            clients = receivables_by_client(on=today, invoices=scope)
        changelist = reverse("admin:invoicing_invoice_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Receivables"),
            "opts": self.model._meta,
            "today": today,
            "total": total,
            "units": sorted(units, key=_largest_first)[:RECEIVABLES_TOP],
            "clients": sorted(clients, key=_largest_first)[:RECEIVABLES_TOP],
            "unit_count": len(units),
            "client_count": len(clients),
            "top": RECEIVABLES_TOP,
            "changelist": changelist,
        }
        return TemplateResponse(request, "admin/invoicing/receivables.html", context)

    def changelist_view(self, request, extra_context=None):
        extra = {"receivables_url": reverse("admin:invoicing_invoice_receivables")}
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    # Actions

    approve_selected = each_action(
        gettext_lazy("Approve (issues them)"),
        invoice_approve,
        "invoice",
        amount=lambda invoice: invoice.total,
        done_message=ngettext_lazy(
            "%(count)d document approved and issued.",
            "%(count)d documents approved and issued.",
            "count",
        ),
    )
    reject_with_reason = reason_action(
        gettext_lazy("Reject with a reason"),
        invoice_reject,
        "invoice",
        intro=gettext_lazy("The member sees the reason, corrects the draft and submits it again."),
        done_message=ngettext_lazy(
            "%(count)d document sent back to the member.",
            "%(count)d documents sent back to the member.",
            "count",
        ),
    )
    pause_reminders = reason_action(
        gettext_lazy("Pause reminders"),
        reminders_pause,
        "invoice",
        paused=True,
        intro=gettext_lazy("No reminder is sent for these invoices until they are resumed."),
        done_message=ngettext_lazy(
            "Reminders paused for %(count)d invoice.",
            "Reminders paused for %(count)d invoices.",
            "count",
        ),
    )
    resume_reminders = reason_action(
        gettext_lazy("Resume reminders"),
        reminders_pause,
        "invoice",
        paused=False,
        done_message=ngettext_lazy(
            "Reminders resumed for %(count)d invoice.",
            "Reminders resumed for %(count)d invoices.",
            "count",
        ),
    )

    @admin.action(description=gettext_lazy("Send again"), permissions=["review"])
    def send_again(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            apply=enqueue_sending,
            done_message=ngettext_lazy(
                "%(count)d document queued for sending.",
                "%(count)d documents queued for sending.",
                "count",
            ),
        )


def _largest_first(row: dict):
    return (-row["amount"], row.get("unit__code") or row.get("client__name") or "")


def enqueue_sending(invoice: Invoice, channels=None) -> None:
    if not document_send_enqueue(invoice=invoice, channels=channels):
        raise ValidationError(
            _(
                "Nothing to send: the document is not issued, it was sent on every channel "
                "already, or the client has neither an e-mail address nor a Peppol endpoint."
            )
        )


invoices_to_approve = advisor_queue_item(
    gettext_lazy("Invoices awaiting approval"),
    Invoice,
    rows=lambda user: Invoice.objects.to_approve(),
    query=f"status__exact={Invoice.Status.PENDING_APPROVAL}",
)
