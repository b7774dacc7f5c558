"""Portal pages of a member's invoices and credit notes: list and CSV, new and edit with live
totals, detail (payments, reminders, sending, history), submit, delete, PDF and UBL, credit
notes. The personalisation of a unit's documents is views_branding's."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.audit import audit_trail
from core.dates import format_day
from core.exports import csv_response, refused_download
from core.forms import add_service_errors
from core.money import cents
from core.permissions import member_required

from .documents import invoice_documents_render
from .forms_invoices import (
    CreditNoteForm,
    InvoiceDetailsForm,
    InvoiceFilterForm,
    InvoiceNewForm,
    RepeatForm,
    add_document_errors,
)
from .history import document_history
from .invoice_list import invoice_list_totals, sort_links, sorted_invoices, with_signed_amounts
from .invoice_services import (
    credit_note_create,
    invoice_create,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_preview_pdf,
    invoice_submit,
    invoice_update,
    needs_approval,
)
from .line_input import line_formset
from .models import Invoice, Payment, RecurringInvoice
from .recurring import next_after, recurrence_start, recurrence_stop
from .references import format_structured_reference
from .selectors import (
    PaymentState,
    invoice_amounts,
    invoicing_policy_on,
    payment_state,
    with_balances,
)
from .views_documents import document_form_post, error_messages, form_page

PAGE_SIZE = 25
CSV_CHUNK = 500

# --- helpers shared with the quote pages ----------------------------------------------------


def get_own_invoice_or_404(request, pk) -> Invoice:
    """An invoice or credit note of one of the user's units, or 404."""
    return get_object_or_404(
        Invoice.objects.of_member_user(request.user).select_related(
            "unit", "client", "series", "credited_invoice__series"
        ),
        pk=pk,
    )


def payment_term_days():
    try:
        return invoicing_policy_on(timezone.localdate()).payment_term_days
    except ValidationError:
        return None


@dataclass(frozen=True)
class Settlement:
    """Where the client stands with an issued invoice."""

    state: PaymentState
    paid: Decimal
    credited: Decimal
    due: Decimal


def with_settlements(invoices: list[Invoice]) -> list[Invoice]:
    """Set `settlement` on each issued invoice of the list (None on drafts and credit notes),
    in one query whatever the number of invoices."""
    for invoice in with_balances(invoices):
        amounts = invoice_amounts(invoice=invoice)
        settlement = None
        if amounts is not None:
            settlement = Settlement(
                payment_state(**amounts),
                amounts["amount_paid"],
                amounts["amount_credited"],
                amounts["balance_due"],
            )
        # Read by the list's template and the CSV: a display attribute, not a model field.
        invoice.settlement = settlement  # type: ignore[attr-defined]
    return invoices


# --- list and CSV ---------------------------------------------------------------------------


def _my_invoices(user):
    return with_signed_amounts(
        Invoice.objects.of_member_user(user)
        .select_related("client", "unit", "series")
        .order_by(F("issue_date").desc(nulls_first=True), "-created_at", "-id")
    )


@member_required
def invoice_list(request):
    """Cards on a phone, a table from 900 px (the same rows): filtered, sorted by a whitelisted
    column, with the totals of every filtered row; a fixed number of queries per page."""
    form = InvoiceFilterForm(request.GET or None, user=request.user)
    invoices = _my_invoices(request.user)
    status = 200
    if form.is_bound:
        if form.is_valid():
            invoices = sorted_invoices(form.filter(invoices), form.chosen_sort())
        else:
            status = 400
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_settlements(list(page.object_list))
    context = {
        "form": form,
        "page": page,
        "filters_ignored": status == 400,
        "totals": invoice_list_totals(invoices),
        "columns": sort_links(form.chosen_sort()),
    }
    return render(request, "portal/invoices/list.html", context, status=status)


def _in_chunks(invoices):
    chunk = []
    for invoice in invoices.iterator(chunk_size=CSV_CHUNK):
        chunk.append(invoice)
        if len(chunk) == CSV_CHUNK:
            yield from with_settlements(chunk)
            chunk = []
    yield from with_settlements(chunk)


@member_required
def invoice_list_csv(request):
    """The filtered list as CSV, streamed: one balance query per 500 invoices."""
    form = InvoiceFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return refused_download(form)
    invoices = sorted_invoices(form.filter(_my_invoices(request.user)), form.chosen_sort())
    header = [
        _("Number"), _("Kind"), _("Status"), _("Issue date"), _("Due date"), _("Created on"),
        _("Client"), _("Unit"), _("Total excl. VAT (EUR)"), _("VAT (EUR)"),
        _("Total incl. VAT (EUR)"), _("Payment state"), _("Balance due (EUR)"),
        _("Structured communication"),
    ]  # fmt: skip

    def rows():
        for invoice in _in_chunks(invoices):
            settlement = invoice.settlement
            yield [
                invoice.display_number,
                invoice.get_kind_display(),
                invoice.get_status_display(),
                invoice.issue_date,
                invoice.due_date,
                timezone.localdate(invoice.created_at),
                invoice.client.name,
                invoice.unit.code,
                cents(invoice.net_total),
                cents(invoice.vat_total),
                cents(invoice.total),
                settlement.state.label if settlement else "",
                cents(settlement.due) if settlement else None,
                format_structured_reference(invoice.structured_reference),
            ]

    return csv_response(filename="invoices.csv", header=header, rows=rows(), streaming=True)


# --- new, edit, delete, submit --------------------------------------------------------------


@member_required
def invoice_new(request):
    data = request.POST if request.method == "POST" else None
    form = InvoiceNewForm(data, user=request.user, payment_term_days=payment_term_days())
    formset = line_formset(data)
    context = {"form": form, "formset": formset}
    if data is None:
        return form_page(request, "portal/invoices/form.html", context)

    def save(form, lines):
        unit, client = form.cleaned_data["unit"], form.cleaned_data["client"]
        fields = form.service_fields()
        return invoice_create(by=request.user, unit=unit, client=client, lines=lines, **fields)

    return document_form_post(
        request,
        "portal/invoices/form.html",
        context,
        save=save,
        saved=lambda invoice: _("Draft saved. Check it, then submit it when it is ready."),
        detail="portal:invoice_detail",
    )


def _details_initial(invoice: Invoice) -> dict:
    return {
        "due_date": invoice.due_date,
        "supply_date": invoice.supply_date,
        "supply_period_end": invoice.supply_period_end,
        "buyer_reference": invoice.buyer_reference,
        "order_reference": invoice.order_reference,
        "note": invoice.note,
        "language": invoice.language,
    }


def _refuse(request, invoice, message):
    messages.error(request, message)
    return redirect("portal:invoice_detail", pk=invoice.pk)


@member_required
def invoice_edit(request, pk):
    invoice = get_own_invoice_or_404(request, pk)
    if request.method != "POST" and not invoice.is_editable:
        return _refuse(request, invoice, _("Only a draft can be changed."))
    data = request.POST if request.method == "POST" else None
    form = InvoiceDetailsForm(
        data, initial=_details_initial(invoice), payment_term_days=payment_term_days()
    )
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        del form.fields["due_date"]  # a credit note is not paid
    formset = line_formset(data, lines=list(invoice.lines.select_related("exemption_reason")))
    context = {"form": form, "formset": formset, "invoice": invoice}
    if data is None:
        return form_page(request, "portal/invoices/form.html", context)

    def save(form, lines):
        fields = form.service_fields()
        return invoice_update(invoice=invoice, by=request.user, lines=lines, **fields)

    return document_form_post(
        request,
        "portal/invoices/form.html",
        context,
        save=save,
        saved=lambda invoice: _("Draft saved."),
        detail="portal:invoice_detail",
    )


@member_required
def invoice_delete(request, pk):
    invoice = get_own_invoice_or_404(request, pk)
    if request.method != "POST" and not invoice.is_editable:
        return _refuse(request, invoice, _("Only a draft can be deleted."))
    context = {
        "document": invoice,
        "back_url": reverse("portal:invoice_detail", args=[invoice.pk]),
        "title": _("Delete this draft?"),
        "paragraphs": [_("The draft and its lines are deleted. This can't be undone.")],
        "button": _("Delete the draft"),
        "danger": True,
    }
    if request.method == "POST":
        try:
            invoice_delete_draft(invoice=invoice, by=request.user)
        except ValidationError as error:
            context["errors"] = error.messages
            return render(request, "portal/invoices/confirm.html", context, status=400)
        messages.success(request, _("The draft has been deleted."))
        return redirect("portal:invoice_list")
    return render(request, "portal/invoices/confirm.html", context)


@member_required
def invoice_duplicate_view(request, pk):
    """A new draft with this invoice's client, lines and references (confirmed first)."""
    invoice = get_own_invoice_or_404(request, pk)
    context = {
        "document": invoice,
        "back_url": reverse("portal:invoice_detail", args=[invoice.pk]),
        "title": _("Duplicate this invoice?"),
        "paragraphs": [
            _(
                "A new draft is made with the same client, lines and references. You can "
                "change it before you submit it; its date and number come when it is issued."
            )
        ],
        "button": _("Make the draft"),
    }
    if request.method != "POST":
        return render(request, "portal/invoices/confirm.html", context)
    try:
        copy = invoice_duplicate(invoice=invoice, by=request.user)
    except ValidationError as error:
        context["errors"] = error_messages(error)
        return render(request, "portal/invoices/confirm.html", context, status=400)
    messages.success(request, _("The draft is made: check it, then submit it."))
    return redirect("portal:invoice_detail", pk=copy.pk)


@member_required
def invoice_repeat_view(request, pk):
    """Repeat an invoice every month or every year (POST from its page)."""
    invoice = get_own_invoice_or_404(request, pk)
    if request.method != "POST":
        return redirect("portal:invoice_detail", pk=invoice.pk)
    form = RepeatForm(request.POST)
    if form.is_valid():
        try:
            recurrence_start(
                invoice=invoice,
                frequency=form.cleaned_data["frequency"],
                first_date=form.cleaned_data["first_date"],
                by=request.user,
                today=timezone.localdate(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return invoice_detail(request, pk, repeat_form=form, status=400)
    messages.success(
        request,
        _("A draft of this invoice will be made on %(day)s, then %(frequency)s.")
        % {
            "day": format_day(form.cleaned_data["first_date"]),
            "frequency": dict(RecurringInvoice.Frequency.choices)[form.cleaned_data["frequency"]],
        },
    )
    return redirect("portal:invoice_detail", pk=invoice.pk)


@member_required
def recurrence_stop_view(request, pk):
    recurrence = get_object_or_404(
        RecurringInvoice.objects.filter(template__in=Invoice.objects.of_member_user(request.user)),
        pk=pk,
    )
    if request.method == "POST":
        recurrence_stop(recurrence=recurrence, by=request.user)
        messages.success(request, _("No more drafts will be made from this invoice."))
    return redirect("portal:invoice_detail", pk=recurrence.template_id)


def _submit_paragraphs(invoice: Invoice) -> list[str]:
    try:
        reasons = needs_approval(invoice)
    except ValidationError as error:
        return error.messages
    if reasons:
        return [
            _("It will go to your advisor, who checks it before it is issued, because %(why)s.")
            % {"why": "; ".join(reasons)},
            _("You can't change it while your advisor checks it."),
        ]
    return [
        _("It will be issued at once: it gets its number and can't be changed any more."),
        _(
            "Its PDF and its electronic version (UBL) are then sent to your client, over "
            "Peppol or by e-mail when the client has an address. To correct it afterwards, "
            "you make a credit note."
        ),
    ]


@member_required
def invoice_submit_view(request, pk):
    invoice = get_own_invoice_or_404(request, pk)
    if request.method != "POST" and invoice.status != Invoice.Status.DRAFT:
        return _refuse(request, invoice, _("Only a draft can be submitted."))
    kind = invoice.get_kind_display()
    context = {
        "document": invoice,
        "back_url": reverse("portal:invoice_detail", args=[invoice.pk]),
        "title": _("Submit this %(kind)s?") % {"kind": kind},
        "paragraphs": _submit_paragraphs(invoice),
        "button": _("Submit"),
    }
    if request.method != "POST":
        return render(request, "portal/invoices/confirm.html", context)
    try:
        invoice = invoice_submit(invoice=invoice, by=request.user)
    except ValidationError as error:
        context["errors"] = error_messages(error)
        return render(request, "portal/invoices/confirm.html", context, status=400)
    if invoice.is_issued:
        messages.success(
            request,
            _("%(kind)s %(number)s is issued. It is being sent to your client.")
            % {"kind": capfirst(kind), "number": invoice.display_number},
        )
    else:
        event = audit_trail(invoice).filter(action="invoice.submitted").first()
        messages.info(
            request,
            _("Your advisor will check it before it is issued, because %(why)s.")
            % {"why": event.reason if event else ""},
        )
    return redirect("portal:invoice_detail", pk=invoice.pk)


# --- detail and downloads -------------------------------------------------------------------


@member_required
def invoice_detail(request, pk, repeat_form=None, status=200):
    from .pdf import vat_breakdown  # imports WeasyPrint: only when needed

    invoice = get_own_invoice_or_404(request, pk)
    lines = list(invoice.lines.select_related("exemption_reason"))
    with_settlements([invoice])
    context = {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": vat_breakdown(invoice, lines),
        "structured_reference": format_structured_reference(invoice.structured_reference),
        "payments": invoice.payments.filter(status=Payment.Status.MATCHED).order_by(
            "received_on", "id"
        ),
        "reminders": invoice.reminders.order_by("step_days"),
        "transmissions": invoice.transmissions.order_by("channel"),
        "credit_notes": invoice.credit_notes.select_related("series").order_by("created_at"),
        "history": document_history(invoice),
        "recurrences": invoice.recurrences.filter(active=True),
        "repeat_form": repeat_form
        or RepeatForm(initial={"first_date": next_after(timezone.localdate(), "monthly")}),
    }
    return render(request, "portal/invoices/detail.html", context, status=status)


def _stored_file(invoice: Invoice, name: str):
    """The stored PDF or UBL of an issued document, rendered now if not yet written."""
    if not invoice.is_issued:
        raise Http404(_("A draft has no PDF or UBL yet."))
    field = getattr(invoice, name)
    if not field or not field.storage.exists(field.name):
        setattr(invoice, name, "")
        invoice_documents_render(invoice=invoice)
        field = getattr(invoice, name)
    return field.open("rb")


def _filename(invoice: Invoice, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", invoice.display_number) + suffix


@member_required
def invoice_preview(request, pk):
    """A draft's PDF before it is issued, shown in the browser (marked as a preview)."""
    invoice = get_own_invoice_or_404(request, pk)
    if invoice.is_issued:
        return redirect("portal:invoice_pdf", pk=invoice.pk)
    pdf = invoice_preview_pdf(invoice=invoice, by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(invoice, "-preview.pdf")}"'
    return response


@member_required
def invoice_pdf(request, pk):
    invoice = get_own_invoice_or_404(request, pk)
    return FileResponse(
        _stored_file(invoice, "pdf"),
        content_type="application/pdf",
        filename=_filename(invoice, ".pdf"),
    )


@member_required
def invoice_ubl(request, pk):
    invoice = get_own_invoice_or_404(request, pk)
    return FileResponse(
        _stored_file(invoice, "ubl"),
        content_type="application/xml",
        as_attachment=True,
        filename=_filename(invoice, ".xml"),
    )


# --- credit notes ---------------------------------------------------------------------------


@member_required
def credit_note_new(request, pk):
    """Credit an issued invoice in full, or in part with lines prefilled from the invoice."""
    invoice = get_own_invoice_or_404(request, pk)
    creditable = invoice.kind == Invoice.Kind.INVOICE and invoice.is_issued
    if request.method != "POST" and not creditable:
        return _refuse(request, invoice, _("Only an issued invoice can be credited."))
    data = request.POST if request.method == "POST" else None
    mode = (data or {}).get("mode")
    invoice_lines = list(invoice.lines.select_related("exemption_reason"))
    full_form = CreditNoteForm(data if mode == "full" else None, prefix="full")
    form = CreditNoteForm(data if mode == "part" else None)
    formset = line_formset(data if mode == "part" else None, lines=invoice_lines)
    context = {"invoice": invoice, "form": form, "full_form": full_form, "formset": formset}
    if data is None:
        return form_page(request, "portal/invoices/credit_note.html", context)
    if mode not in ("full", "part"):
        form.add_error(None, _("Choose to credit the invoice in full or in part."))
        return form_page(request, "portal/invoices/credit_note.html", context, status=400)
    chosen = full_form if mode == "full" else form
    valid = chosen.is_valid() and (mode == "full" or formset.is_valid())
    if valid:
        try:
            lines = None
            if mode == "part":
                lines = formset.line_data()
            credit = credit_note_create(
                invoice=invoice, by=request.user, lines=lines, note=chosen.cleaned_data["note"]
            )
        except ValidationError as error:
            line_errors = add_document_errors(chosen, error)
            if mode == "full":
                for message in line_errors:
                    chosen.add_error(None, message)
            else:
                context["line_errors"] = line_errors
        else:
            messages.success(
                request, _("Credit note drafted. Check it, then submit it to issue it.")
            )
            return redirect("portal:invoice_detail", pk=credit.pk)
    context["mode"] = mode
    return form_page(request, "portal/invoices/credit_note.html", context, status=400)
