"""Portal pages of a member's quotes (devis): list, new and edit with live totals, detail,
PDF, mark sent, accept, refuse, turn into an invoice."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.permissions import member_required

from .forms_invoices import (
    QuoteDetailsForm,
    QuoteFilterForm,
    QuoteNewForm,
    RefuseForm,
    add_document_errors,
)
from .history import document_history
from .line_input import line_formset
from .models import Quote
from .quote_services import (
    quote_accept,
    quote_create,
    quote_mark_sent,
    quote_refuse,
    quote_to_invoice,
    quote_update,
)
from .views_documents import document_form_post, form_page
from .views_invoices import PAGE_SIZE

TEMPLATE_FORM = "portal/quotes/form.html"
TEMPLATE_CONFIRM = "portal/invoices/confirm.html"


def get_own_quote_or_404(request, pk) -> Quote:
    """A quote of one of the user's units, or 404."""
    return get_object_or_404(
        Quote.objects.of_member_user(request.user).select_related("unit", "client", "invoice"),
        pk=pk,
    )


@member_required
def quote_list(request):
    form = QuoteFilterForm(request.GET or None, user=request.user)
    quotes = (
        Quote.objects.of_member_user(request.user)
        .select_related("client", "unit")
        .order_by("-created_at", "-id")
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            quotes = form.filter(quotes)
        else:
            status = 400
    page = Paginator(quotes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filters_ignored": status == 400}
    return render(request, "portal/quotes/list.html", context, status=status)


@member_required
def quote_new(request):
    data = request.POST if request.method == "POST" else None
    form = QuoteNewForm(data, user=request.user)
    formset = line_formset(data)
    context = {"form": form, "formset": formset}
    if data is None:
        return form_page(request, TEMPLATE_FORM, context)

    def save(form, lines):
        unit, client = form.cleaned_data["unit"], form.cleaned_data["client"]
        fields = form.service_fields()
        return quote_create(by=request.user, unit=unit, client=client, lines=lines, **fields)

    return document_form_post(
        request,
        TEMPLATE_FORM,
        context,
        save=save,
        saved=lambda quote: _("Quote %(number)s saved.") % {"number": quote.number},
        detail="portal:quote_detail",
    )


@member_required
def quote_edit(request, pk):
    quote = get_own_quote_or_404(request, pk)
    if request.method != "POST" and quote.status != Quote.Status.DRAFT:
        messages.error(request, _("Only a draft quote can be changed."))
        return redirect("portal:quote_detail", pk=quote.pk)
    data = request.POST if request.method == "POST" else None
    initial = {"valid_until": quote.valid_until, "note": quote.note, "language": quote.language}
    form = QuoteDetailsForm(data, initial=initial)
    formset = line_formset(data, lines=list(quote.lines.select_related("exemption_reason")))
    context = {"form": form, "formset": formset, "quote": quote}
    if data is None:
        return form_page(request, TEMPLATE_FORM, context)

    def save(form, lines):
        fields = form.service_fields()
        return quote_update(quote=quote, by=request.user, lines=lines, **fields)

    return document_form_post(
        request,
        TEMPLATE_FORM,
        context,
        save=save,
        saved=lambda quote: _("Quote saved."),
        detail="portal:quote_detail",
    )


@member_required
def quote_detail(request, pk):
    from .pdf import vat_breakdown  # imports WeasyPrint: only when needed

    quote = get_own_quote_or_404(request, pk)
    lines = list(quote.lines.select_related("exemption_reason"))
    context = {
        "quote": quote,
        "lines": lines,
        "vat_rows": vat_breakdown(quote, lines),
        "history": document_history(quote),
    }
    return render(request, "portal/quotes/detail.html", context)


@member_required
def quote_pdf(request, pk):
    from .quote_pdf import quote_pdf_render  # imports WeasyPrint: only when needed

    quote = get_own_quote_or_404(request, pk)
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", quote.number or f"quote-{quote.pk}") + ".pdf"
    response = HttpResponse(quote_pdf_render(quote=quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _transition(request, pk, *, allowed, service, title, paragraphs, button, done, form_class=None):
    """A confirmation page (GET) and the change it confirms (POST), through `service`."""
    quote = get_own_quote_or_404(request, pk)
    if request.method != "POST" and quote.status not in allowed:
        messages.error(
            request,
            _("This quote is %(status)s: that is not possible now.")
            % {"status": quote.get_status_display()},
        )
        return redirect("portal:quote_detail", pk=quote.pk)
    data = request.POST if request.method == "POST" else None
    form = form_class(data) if form_class else None
    context = {
        "document": quote,
        "back_url": reverse("portal:quote_detail", args=[quote.pk]),
        "title": title,
        "paragraphs": paragraphs,
        "button": button,
        "form": form,
    }
    if data is None:
        return render(request, TEMPLATE_CONFIRM, context)
    if form is None or form.is_valid():
        fields = form.cleaned_data if form else {}
        try:
            result = service(quote=quote, by=request.user, **fields)
        except ValidationError as error:
            if form is not None:
                add_document_errors(form, error)
            else:
                context["errors"] = error.messages
        else:
            messages.success(request, done)
            return result
    return render(request, TEMPLATE_CONFIRM, context, status=400)


def _then_quote_page(service):
    """A quote service that, done, shows the quote's page."""

    def run(**kwargs):
        quote = service(**kwargs)
        return redirect("portal:quote_detail", pk=quote.pk)

    return run


@member_required
def quote_mark_sent_view(request, pk):
    return _transition(
        request,
        pk,
        allowed={Quote.Status.DRAFT},
        service=_then_quote_page(quote_mark_sent),
        title=_("Mark this quote as sent?"),
        paragraphs=[
            _("Download its PDF and send it to your client first."),
            _("Once sent, the quote can't be changed any more: make a new one if needed."),
        ],
        button=_("Mark as sent"),
        done=_("The quote is marked as sent."),
    )


@member_required
def quote_accept_view(request, pk):
    return _transition(
        request,
        pk,
        allowed={Quote.Status.SENT},
        service=_then_quote_page(quote_accept),
        title=_("Your client accepted this quote?"),
        paragraphs=[_("You can then turn it into an invoice.")],
        button=_("Record the acceptance"),
        done=_("The quote is accepted."),
    )


@member_required
def quote_refuse_view(request, pk):
    return _transition(
        request,
        pk,
        allowed={Quote.Status.SENT},
        service=_then_quote_page(quote_refuse),
        title=_("Your client refused this quote?"),
        paragraphs=[_("The quote stays in your list, marked as refused.")],
        button=_("Record the refusal"),
        done=_("The quote is marked as refused."),
        form_class=RefuseForm,
    )


@member_required
def quote_to_invoice_view(request, pk):
    def service(**kwargs):
        invoice = quote_to_invoice(**kwargs)
        return redirect("portal:invoice_detail", pk=invoice.pk)

    return _transition(
        request,
        pk,
        allowed={Quote.Status.ACCEPTED},
        service=service,
        title=_("Turn this quote into an invoice?"),
        paragraphs=[
            _("A draft invoice is made with the quote's lines. Check it, then submit it."),
        ],
        button=_("Make the invoice"),
        done=_("Draft invoice made from the quote."),
    )
