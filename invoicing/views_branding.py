"""Portal pages of the personalisation of a unit's documents (layout, logo, colour, texts per
language) and the preview of a specimen invoice before saving."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.permissions import member_required
from production_units.permissions import get_own_unit_or_404

from .branding_services import branding_preview_pdf, branding_update
from .forms_invoices import BrandingForm, add_document_errors
from .models import InvoiceBranding


@member_required
def branding_edit(request, pk):
    unit = get_own_unit_or_404(request, pk)
    branding = InvoiceBranding.objects.filter(unit=unit).first() or InvoiceBranding(unit=unit)
    initial = BrandingForm.initial_from(branding)
    if request.method != "POST":
        form = BrandingForm(initial=initial)
        return _branding_page(request, unit, branding, form)
    form = BrandingForm(request.POST, request.FILES, initial=initial)
    if form.is_valid():
        try:
            branding_update(unit=unit, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_document_errors(form, error)
        else:
            messages.success(request, _("Your documents' personalisation is saved."))
            return redirect("portal:branding_edit", pk=unit.pk)
    return _branding_page(request, unit, branding, form, status=400)


@member_required
def branding_preview(request, pk):
    """A specimen invoice as a PDF shown in the browser: GET shows the saved personalisation,
    POST (the form's "Preview" button) the form's values, saving nothing."""
    unit = get_own_unit_or_404(request, pk)
    branding = InvoiceBranding.objects.filter(unit=unit).first() or InvoiceBranding(unit=unit)
    language = request.POST.get("preview_language") or request.GET.get("language") or ""
    fields: dict = {}
    if request.method == "POST":
        form = BrandingForm(
            request.POST, request.FILES, initial=BrandingForm.initial_from(branding)
        )
        if not form.is_valid():
            return _branding_page(request, unit, branding, form, status=400)
        fields = form.service_fields()
    try:
        content = branding_preview_pdf(
            unit=unit, by=request.user, preview_language=language, **fields
        )
    except ValidationError as error:
        if request.method != "POST":
            raise
        add_document_errors(form, error)
        return _branding_page(request, unit, branding, form, status=400)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{unit.code}.pdf"'
    return response


def _branding_page(request, unit, branding, form, status=200):
    from .pdf import logo_data_uri  # imports WeasyPrint: only when needed

    context = {"unit": unit, "form": form, "logo": logo_data_uri(branding)}
    return render(request, "portal/branding_form.html", context, status=status)
