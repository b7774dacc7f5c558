"""Portal page of the personalisation of a unit's documents (logo, colour, texts, language)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.permissions import member_required
from production_units.permissions import get_own_unit_or_404

from .branding_services import branding_update
from .forms_invoices import BrandingForm, add_document_errors
from .models import InvoiceBranding


@member_required
def branding_edit(request, pk):
    unit = get_own_unit_or_404(request, pk)
    branding = InvoiceBranding.objects.filter(unit=unit).first() or InvoiceBranding(unit=unit)
    initial = {
        "accent_color": branding.accent_color,
        "introduction": branding.introduction,
        "closing": branding.closing,
        "language": branding.language,
    }
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


def _branding_page(request, unit, branding, form, status=200):
    from .pdf import logo_data_uri  # imports WeasyPrint: only when needed

    context = {"unit": unit, "form": form, "logo": logo_data_uri(branding)}
    return render(request, "portal/branding_form.html", context, status=status)
