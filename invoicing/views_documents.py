"""What the portal pages of invoices, credit notes and quotes share (and payroll's 3en1 job
pages use through the URL of the live totals): the form page with its lines, its post, and the
live totals of the lines being typed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from core.permissions import member_required

from .forms_invoices import add_document_errors
from .line_input import line_formset
from .lines import check_lines
from .models import VatCategory
from .parties import PartiesForm


def document_form_post(request, template, context, *, save, saved, detail):
    """A document form page posted (invoice, credit note, quote): when the form and the
    lines are valid, `save(form, lines)` (a service); its ValidationError goes on the page,
    else the message `saved(document)` and the document's page (`detail`)."""
    form, formset = context["form"], context["formset"]
    if all([form.is_valid(), formset.is_valid()]):
        try:
            document = save(form, formset.line_data())
        except ValidationError as error:
            context["line_errors"] = add_document_errors(form, error)
        else:
            messages.success(request, saved(document))
            return redirect(detail, pk=document.pk)
    return form_page(request, template, context, status=400)


def form_page(request, template, context, status=200):
    """A document form page (invoice, credit note, quote) with its lines and live totals."""
    context.setdefault("line_errors", [])
    context["totals_url"] = reverse("portal:lines_totals")
    return render(request, template, context, status=status)


def totals_context(totals) -> dict:
    labels = dict(VatCategory.choices)
    return {
        "totals": totals,
        "vat_rows": [
            {"subtotal": subtotal, "label": labels.get(subtotal.category, subtotal.category)}
            for subtotal in totals.subtotals
        ],
    }


@member_required
def lines_totals(request):
    """The live totals of a document being typed: the same checks as saving (the form, then
    lines.check_lines); an HTML fragment the page only displays."""
    if request.method != "POST":
        return render(request, "portal/invoices/_totals.html", {"waiting": True})
    form = PartiesForm(request.POST, user=request.user)
    formset = line_formset(request.POST)
    errors = []
    if all([form.is_valid(), formset.is_valid()]):
        try:
            totals = check_lines(formset.line_data(), client=form.cleaned_data["client"])
        except ValidationError as error:
            errors = error_messages(error)
        else:
            return render(request, "portal/invoices/_totals.html", totals_context(totals))
    else:
        errors = [
            f"{form[name].label}: {message}" if name in form.fields else message
            for name, messages_ in form.errors.items()
            for message in messages_
        ] + formset.error_messages_by_line()
    return render(request, "portal/invoices/_totals.html", {"errors": errors}, status=400)


def error_messages(error: ValidationError) -> list[str]:
    """Every message of a service's ValidationError, field by field."""
    if hasattr(error, "error_dict"):
        return [m for errors in error.error_dict.values() for e in errors for m in e.messages]
    return list(error.messages)
