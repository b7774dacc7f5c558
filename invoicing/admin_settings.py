"""Back-office for invoicing's parameters: VAT rates and exemption reasons, the dated
invoicing policy, the numbering series, and the units' document personalisation.

Dated parameters never overlap: the one in force on a day is never ambiguous.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import (
    AuditedSaveMixin,
    AuditTrailMixin,
    ReferenceDataAdmin,
    SuperuserDeleteMixin,
)
from core.scoping import COOPERATIVE_WIDE, UNIT_OFFICE

from .branding_services import clean_texts
from .models import (
    Invoice,
    InvoiceBranding,
    InvoiceSeries,
    InvoicingPolicy,
    LatePaymentRate,
    VatExemptionReason,
    VatRate,
)


class DatedForm(forms.ModelForm):
    """A period (valid_from … valid_to, open-ended when empty) that overlaps no other
    period of the same parameter."""

    def same_parameter(self):
        """The rows this one must not overlap."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("valid_from")
        end = cleaned.get("valid_to")
        if start is None:
            return cleaned
        if end is not None and end < start:
            self.add_error("valid_to", _("The end of the period can't be before its start."))
            return cleaned
        overlapping = self.same_parameter().filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )
        if end is not None:
            overlapping = overlapping.filter(valid_from__lte=end)
        if self.instance.pk is not None:
            overlapping = overlapping.exclude(pk=self.instance.pk)
        other = overlapping.order_by("valid_from").first()
        if other is not None:
            raise forms.ValidationError(
                _(
                    "This period overlaps the one from %(start)s to %(end)s: end that one "
                    "first (its “valid to”), then add this one."
                )
                % {"start": other.valid_from, "end": other.valid_to or "…"}
            )
        return cleaned


class VatRateForm(DatedForm):
    class Meta:
        model = VatRate
        fields = ("category", "rate", "valid_from", "valid_to")

    def same_parameter(self):
        category = self.cleaned_data.get("category", self.instance.category)
        rate = self.cleaned_data.get("rate", self.instance.rate)
        return VatRate.objects.filter(category=category, rate=rate)


class InvoicingPolicyForm(DatedForm):
    class Meta:
        model = InvoicingPolicy
        fields = (
            "valid_from",
            "valid_to",
            "payment_term_days",
            "reminder_days",
            "approval_threshold",
        )

    def same_parameter(self):
        return InvoicingPolicy.objects.all()


@admin.register(VatRate)
class VatRateAdmin(ReferenceDataAdmin):
    office_path = COOPERATIVE_WIDE  # the law, for every office
    form = VatRateForm
    list_display = ("category", "rate", "valid_from", "valid_to")
    list_filter = ("category",)

    def get_readonly_fields(self, request, obj=None):
        # A rate in use is ended (valid to) and replaced, never turned into another rate.
        return ("category", "rate") if obj is not None else ()


@admin.register(VatExemptionReason)
class VatExemptionReasonAdmin(ReferenceDataAdmin):
    office_path = COOPERATIVE_WIDE  # the law, for every office
    list_display = ("category", "code", "text")
    list_filter = ("category",)
    search_fields = ("code", "text")


@admin.register(InvoicingPolicy)
class InvoicingPolicyAdmin(ReferenceDataAdmin):
    office_path = COOPERATIVE_WIDE  # dated parameters, for every office
    form = InvoicingPolicyForm
    list_display = (
        "valid_from",
        "valid_to",
        "payment_term_days",
        "reminder_days",
        "approval_threshold",
    )


@admin.register(LatePaymentRate)
class LatePaymentRateAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    AuditedSaveMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    """The rate of the law of 2 August 2002, entered each half-year when the SPF Finances
    publishes it (close the current row, add the next)."""

    office_path = COOPERATIVE_WIDE  # the law, for every office
    list_display = ("valid_from", "valid_to", "rate", "indemnity", "source")


@admin.register(InvoiceSeries)
class InvoiceSeriesAdmin(ReferenceDataAdmin):
    """Numbering is the law's business: only superusers touch it, and a series that has
    issued documents keeps its code and prefix (they are printed on them)."""

    office_path = COOPERATIVE_WIDE  # a legal entity's numbering, for every office

    list_display = ("legal_entity", "code", "kind", "reference_prefix")
    list_select_related = ("legal_entity",)
    list_filter = ("legal_entity", "kind")
    fields = ("legal_entity", "code", "kind", "reference_prefix")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Invoice.objects.filter(series=obj).exists():
            return self.fields
        return ()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        if obj is not None and Invoice.objects.filter(series=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


class InvoiceBrandingForm(forms.ModelForm):
    """The texts are checked as in the portal (branding_services.clean_texts): known
    languages, lengths, the e-mail's placeholders."""

    class Meta:
        model = InvoiceBranding
        fields = ["unit", "layout", "logo", "accent_color", "texts", "language"]

    def clean_texts(self):
        try:
            return clean_texts(self.cleaned_data.get("texts") or {})
        except ValidationError as error:
            raise ValidationError(
                [f"{field}: {message}" for field, messages in error for message in messages]
            ) from None


@admin.register(InvoiceBranding)
class InvoiceBrandingAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    AuditedSaveMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    form = InvoiceBrandingForm
    office_path = UNIT_OFFICE
    list_display = ("unit", "layout", "accent_color", "language")
    list_select_related = ("unit",)
    search_fields = ("=unit__code", "unit__name")
    autocomplete_fields = ("unit",)
    show_full_result_count = False
