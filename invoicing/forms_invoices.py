"""Portal forms of invoices, credit notes and quotes: the details, the filters of the lists
and the personalisation of the documents.

The parties (unit and client) are parties.PartiesForm's, the lines line_input's; the rules
are the services', the same for the live totals and for saving.
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, PlainSelect
from core.forms import field_label as _label
from production_units.models import ProductionUnit

from .branding_services import MAX_LOGO_BYTES
from .invoice_list import sort_choices
from .models import (
    BRANDING_TEXTS,
    Client,
    Invoice,
    InvoiceBranding,
    InvoiceLayout,
    Quote,
    RecurringInvoice,
)
from .parties import PartiesForm

# A document's language: empty is the client's (Client.language).
LANGUAGE_CHOICES = [
    ("", _("The client's language")),
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("en", "English"),
    ("de", "Deutsch"),
]


# --- details ------------------------------------------------------------------------------


class InvoiceDetailsForm(forms.Form):
    due_date = forms.DateField(
        label=_label(Invoice, "due_date"), required=False, widget=DateInput()
    )
    supply_date = forms.DateField(
        label=_label(Invoice, "supply_date"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "When the goods were delivered or the service done (its first day for a period). "
            "Empty: the issue date."
        ),
    )
    supply_period_end = forms.DateField(
        label=_label(Invoice, "supply_period_end"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for a service over a period: its last day."),
    )
    buyer_reference = forms.CharField(
        label=_label(Invoice, "buyer_reference"),
        max_length=100,
        required=False,
        help_text=_("The reference your client asked you to mention, if any."),
    )
    order_reference = forms.CharField(
        label=_label(Invoice, "order_reference"), max_length=100, required=False
    )
    note = forms.CharField(
        label=_label(Invoice, "note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(
        label=_("Language of the document"), choices=LANGUAGE_CHOICES, required=False
    )

    def __init__(self, *args, payment_term_days=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "supply_date" not in self.initial:
            self.fields["supply_date"].initial = timezone.localdate()
        if payment_term_days is not None:
            self.fields["due_date"].help_text = _(
                "Leave empty for the usual term: %(days)s days after the issue date."
            ) % {"days": payment_term_days}

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in DETAIL_FIELDS}


DETAIL_FIELDS = {
    "due_date", "supply_date", "supply_period_end", "buyer_reference", "order_reference", "note",
    "language",
}  # fmt: skip
QUOTE_FIELDS = {"valid_until", "note", "language"}


class InvoiceNewForm(PartiesForm, InvoiceDetailsForm):
    pass


class QuoteDetailsForm(forms.Form):
    valid_until = forms.DateField(
        label=_label(Quote, "valid_until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for 30 days from today."),
    )
    note = forms.CharField(
        label=_label(Quote, "note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(
        label=_("Language of the document"), choices=LANGUAGE_CHOICES, required=False
    )

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in QUOTE_FIELDS}


class QuoteNewForm(PartiesForm, QuoteDetailsForm):
    pass


class CreditNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Why this credit note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Printed on the credit note, e.g. “Cancelled concert”."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason given by the client"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def add_document_errors(form: forms.Form, error: ValidationError) -> list[str]:
    """Put a service's ValidationError on the form's fields; return the messages about the
    lines (key "lines"), which the page shows above the lines."""
    line_errors: list[str] = []
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return line_errors
    for field, errors in error.error_dict.items():
        if field == "lines":
            line_errors.extend(message for e in errors for message in e.messages)
        else:
            form.add_error(field if field in form.fields else None, errors)
    return line_errors


# --- lists --------------------------------------------------------------------------------


class PeriodMixin:
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class InvoiceFilterForm(PeriodMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Number, client or structured communication"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + Invoice.Status.choices,
        widget=PlainSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All"))] + Invoice.Kind.choices,
        widget=PlainSelect,
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=ProductionUnit.objects.none(), widget=PlainSelect
    )
    client = forms.ModelChoiceField(
        label=_("Client"), required=False, queryset=Client.objects.none(), widget=PlainSelect
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        help_text=_("Issue date; creation date for drafts"),
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    # A whitelist: the query string names a column, never a field to order by.
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[], widget=PlainSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = ProductionUnit.objects.held_by(user).order_by("code")
        self.fields["unit"].label_from_instance = lambda unit: unit.code
        self.fields["client"].queryset = Client.objects.of_member_user(user).order_by("name")
        self.fields["sort"].choices = [("", _("Most recent first")), *sort_choices()]

    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields if name != "sort")

    def chosen_sort(self) -> str:
        return (self.cleaned_data.get("sort") or "") if self.is_bound and self.is_valid() else ""

    def filter(self, invoices):
        data = self.cleaned_data
        if data.get("q"):
            invoices = invoices.filter(invoice_search(data["q"]))
        for name in ("status", "kind", "unit", "client"):
            if data.get(name):
                invoices = invoices.filter(**{name: data[name]})
        if data.get("date_from"):
            invoices = invoices.filter(
                Q(issue_date__gte=data["date_from"])
                | Q(issue_date__isnull=True, created_at__date__gte=data["date_from"])
            )
        if data.get("date_to"):
            invoices = invoices.filter(
                Q(issue_date__lte=data["date_to"])
                | Q(issue_date__isnull=True, created_at__date__lte=data["date_to"])
            )
        return invoices


DISPLAY_NUMBER_RE = re.compile(r"^([A-Za-z]{1,8})-(\d{4})-(\d{1,9})$")


def invoice_search(text: str) -> Q:
    """Invoices whose client name contains `text`, or whose number ("F-2026-000012", "12")
    or structured communication ("+++112/6000/01234+++", with or without the signs) it is."""
    text = text.strip()
    condition = Q(client__name__icontains=text)
    digits = re.sub(r"[\s+/*]", "", text)
    if digits.isdigit():
        if len(digits) == 12:
            condition |= Q(structured_reference=digits)
        if len(digits) <= 9:
            condition |= Q(number=int(digits))
    match = DISPLAY_NUMBER_RE.match(text)
    if match:
        series, year, number = match.groups()
        condition |= Q(series__code__iexact=series, year=int(year), number=int(number))
    return condition


class QuoteFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, help_text=_("Number or client")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Quote.Status.choices
    )
    client = forms.ModelChoiceField(
        label=_("Client"), required=False, queryset=Client.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.of_member_user(user).order_by("name")

    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def filter(self, quotes):
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            quotes = quotes.filter(Q(number__icontains=text) | Q(client__name__icontains=text))
        for name in ("status", "client"):
            if data.get(name):
                quotes = quotes.filter(**{name: data[name]})
        return quotes


# --- branding -----------------------------------------------------------------------------


# The labels of a unit's texts, written once per document language.
BRANDING_TEXT_LABELS = {
    "introduction": _("Introduction"),
    "closing": _("Closing text"),
    "email_subject": _("E-mail subject"),
    "email_message": _("E-mail message"),
}
BRANDING_TEXT_HELP = {
    "introduction": _("Printed above the lines."),
    "closing": _("Printed at the end of the document."),
    "email_subject": _("Empty: the standard subject. May hold {number}, {total} and {due_date}."),
    "email_message": _(
        "Replaces the mail's opening paragraph; the amount, the account and the structured "
        "communication always follow. May hold {number}, {total} and {due_date}."
    ),
}


def branding_text_field(name: str, language: str) -> str:
    """The form field of a unit's text in one language: "introduction_nl"."""
    return f"{name}_{language}"


class BrandingForm(forms.Form):
    """A unit's personalisation: a layout, a logo, a colour, and per document language the
    texts of the documents and of the e-mail that sends them (branding_services checks them).
    """

    layout = forms.ChoiceField(
        label=_label(InvoiceBranding, "layout"),
        choices=InvoiceLayout.choices,
        initial=InvoiceLayout.CLASSIC,
        widget=forms.RadioSelect,
        help_text=_(
            "Classic: your logo above your address, the client beside it. Modern: a band of "
            "your colour across the top. Compact: small type, the most lines on a page."
        ),
    )
    logo = forms.ImageField(
        label=_label(InvoiceBranding, "logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 1 MB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    accent_color = forms.CharField(
        label=_label(InvoiceBranding, "accent_color"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    language = forms.ChoiceField(
        label=_label(InvoiceBranding, "language"),
        required=False,
        choices=[("", _("Default")), *LANGUAGE_CHOICES[1:]],
        help_text=_("Documents are in the client's language; this one when the client has none."),
    )
    preview_language = forms.ChoiceField(
        label=_("Language of the preview"),
        required=False,
        choices=settings.DOCUMENT_LANGUAGES,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language, language_name in settings.DOCUMENT_LANGUAGES:
            for name, max_length in BRANDING_TEXTS.items():
                multiline = name != "email_subject"
                self.fields[branding_text_field(name, language)] = forms.CharField(
                    label=f"{BRANDING_TEXT_LABELS[name]} · {language_name}",
                    required=False,
                    max_length=max_length,
                    strip=True,
                    widget=forms.Textarea(attrs={"rows": 3}) if multiline else forms.TextInput(),
                    help_text=BRANDING_TEXT_HELP[name],
                )

    def language_groups(self) -> list[tuple[str, str, list]]:
        """(code, name, bound fields) per document language, for the page's sections."""
        return [
            (
                language,
                str(language_name),
                [self[branding_text_field(name, language)] for name in BRANDING_TEXTS],
            )
            for language, language_name in settings.DOCUMENT_LANGUAGES
        ]

    @staticmethod
    def initial_from(branding: InvoiceBranding) -> dict:
        initial = {
            "layout": branding.layout,
            "accent_color": branding.accent_color,
            "language": branding.language,
        }
        for language, _name in settings.DOCUMENT_LANGUAGES:
            for name in BRANDING_TEXTS:
                initial[branding_text_field(name, language)] = branding.text(language, name)
        return initial

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise ValidationError(_("The logo is too large: at most %(size)s MB.") % {"size": 1})
        return logo

    def service_fields(self) -> dict:
        """Keyword arguments for branding_update / branding_preview_pdf."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("layout", "accent_color", "language")}
        fields["texts"] = {
            language: {
                name: data.get(branding_text_field(name, language)) or "" for name in BRANDING_TEXTS
            }
            for language, _name in settings.DOCUMENT_LANGUAGES
        }
        if data.get("logo"):
            fields["logo"] = data["logo"]
        elif data.get("remove_logo"):
            fields["logo"] = None
        return fields


class RepeatForm(forms.Form):
    """Repeat an invoice: every month or every year, from a day (a draft each time)."""

    frequency = forms.ChoiceField(
        label=_("Repeat"), choices=RecurringInvoice.Frequency.choices, initial="monthly"
    )
    first_date = forms.DateField(label=_("First draft on"), widget=DateInput())
