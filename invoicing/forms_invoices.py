"""Portal forms of invoices, credit notes and quotes: the parties, the details and the lines.

The forms check what a form can know (a number is written as a number, the unit and the
client are the member's own); the rules on lines are clean_lines', the same for the live
totals and for saving.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from production_units.models import ProductionUnit

from .branding_services import MAX_LOGO_BYTES
from .invoice_services import LineData, clean_lines
from .models import (
    EXEMPT_CATEGORIES,
    Client,
    Invoice,
    InvoiceBranding,
    InvoiceLine,
    Quote,
    VatCategory,
    VatExemptionReason,
    VatRate,
)
from .totals import LineInput, Totals, compute_totals

NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# The largest amounts the database columns hold (DecimalField max_digits − decimal_places).
MAX_QUANTITY_DIGITS = 9
MAX_PRICE_DIGITS = 10
MAX_AMOUNT = Decimal("1e12")
LANGUAGE_CHOICES = [("", _("Default")), ("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OptionDataSelect(forms.Select):
    """A select whose options carry data-* attributes: {value: {"data-x": "…"}}."""

    def __init__(self, *args, option_attrs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_attrs = option_attrs or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"].update(self.option_attrs.get(str(value), {}))
        return option


class ClientSelect(forms.Select):
    """Each client option names the member's units it belongs to (data-units), so the page
    can offer only the chosen unit's clients."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        client = getattr(value, "instance", None)
        if client is not None:
            option["attrs"]["data-units"] = " ".join(str(unit.pk) for unit in client.mine)
        return option


# --- lines --------------------------------------------------------------------------------


def vat_value(category: str, rate) -> str:
    """The value of the VAT select for a (category, rate) pair: "S:21.00"."""
    return f"{category}:{Decimal(rate):.2f}"


def vat_choices(day) -> list[tuple[str, str]]:
    """The VAT rates in force on `day`, as one select: "21 % · standard rate"."""
    labels = dict(VatCategory.choices)
    rates = VatRate.objects.in_force_on(day).values_list("category", "rate")
    # The usual rates first (21, 12, 6 %), then zero rate, then the lines without VAT.
    order = {"S": 0, "Z": 1}
    choices = []
    for category, rate in sorted(rates, key=lambda r: (order.get(r[0], 2), r[0], -r[1])):
        percent = f"{rate.normalize():f} %"
        label = f"{percent} · {labels.get(category, category)}"
        if category in EXEMPT_CATEGORIES:
            label += f" ({category})"
        choices.append((vat_value(category, rate), label))
    return choices


class LineForm(forms.Form):
    """One line. Numbers stay text until clean_lines reads them (it accepts 1,5 and 1.5)."""

    description = forms.CharField(
        label=_label(InvoiceLine, "description"), max_length=300, required=False
    )
    quantity = forms.CharField(label=_label(InvoiceLine, "quantity"), max_length=24, required=False)
    unit_code = forms.ChoiceField(
        label=_label(InvoiceLine, "unit_code"),
        choices=InvoiceLine.UnitCode.choices,
        initial=InvoiceLine.UnitCode.PIECE,
    )
    unit_price = forms.CharField(
        label=_label(InvoiceLine, "unit_price"), max_length=24, required=False
    )
    # Text with a select widget: whether the rate is in force is clean_lines' to say.
    vat = forms.CharField(label=_("VAT"), widget=forms.Select)
    exemption_reason = forms.ChoiceField(
        label=_label(InvoiceLine, "exemption_reason"), required=False
    )

    def __init__(self, *args, vat_choices, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = reasons
        vat = self.fields["vat"]
        vat.widget.choices = vat_choices
        vat.initial = next((value for value, _label in vat_choices if value == "S:21.00"), None)
        vat.widget.attrs["data-vat"] = ""
        current = self.initial.get("vat")
        if current and current not in dict(vat_choices):
            # A rate no longer in force: keep it so clean_lines says what is wrong with it.
            vat.widget.choices = [(current, current), *vat_choices]
        self.fields["exemption_reason"].choices = [("", "—")] + [
            (str(pk), reason.text) for pk, reason in reasons.items()
        ]
        self.fields["exemption_reason"].widget = OptionDataSelect(
            choices=self.fields["exemption_reason"].choices,
            option_attrs={str(pk): {"data-category": r.category} for pk, r in reasons.items()},
            attrs={"data-exemption": ""},
        )
        for name in ("quantity", "unit_price"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def _number(self, name, max_digits):
        value = self.cleaned_data[name].strip().replace(" ", "")
        if not value:
            return ""
        if not NUMBER_RE.match(value):
            raise ValidationError(_("Write a number, like 12 or 12.50."), code="invalid")
        integer_part = value.lstrip("+-").replace(",", ".").split(".")[0].lstrip("0")
        if len(integer_part) > max_digits:
            raise ValidationError(_("This number is too large."), code="max_digits")
        return value

    def clean_vat(self):
        category, sep, rate = self.cleaned_data["vat"].partition(":")
        if not sep or not 0 < len(category) <= 2 or len(rate) > 8 or not NUMBER_RE.match(rate):
            raise ValidationError(_("Choose a VAT rate from the list."), code="invalid")
        return self.cleaned_data["vat"]

    def clean_quantity(self):
        return self._number("quantity", MAX_QUANTITY_DIGITS)

    def clean_unit_price(self):
        return self._number("unit_price", MAX_PRICE_DIGITS)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("description") or data.get("quantity") or data.get("unit_price"))

    def line_data(self) -> LineData:
        data = self.cleaned_data
        category, _sep, rate = data["vat"].partition(":")
        reason = data.get("exemption_reason")
        return LineData(
            description=data["description"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            vat_category=category,
            vat_rate=rate,
            unit_code=data["unit_code"],
            exemption_reason=self.reasons.get(int(reason)) if reason else None,
        )


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, day=None, **kwargs):
        day = day or timezone.localdate()
        reasons = {reason.pk: reason for reason in VatExemptionReason.objects.all()}
        kwargs["form_kwargs"] = {"vat_choices": vat_choices(day), "reasons": reasons}
        super().__init__(*args, **kwargs)

    def line_data(self) -> list[LineData]:
        """The lines typed, in order, without the removed and the blank ones."""
        return [
            form.line_data()
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form)) and not form.is_blank()
        ]

    def error_messages_by_line(self) -> list[str]:
        """Field errors of the lines, each naming its line and field."""
        if not self.is_bound or self.is_valid():
            return []
        messages = []
        kept = [f for f in self.forms if not (self.can_delete and self._should_delete_form(f))]
        for number, form in enumerate(kept, start=1):
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.append(
                        _("Line %(n)s, %(field)s: %(message)s")
                        % {"n": number, "field": label, "message": error}
                    )
        messages.extend(self.non_form_errors())
        return messages


_FormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=1,
    can_delete=True,
    max_num=500,
    absolute_max=500,
    validate_max=True,
)
_PrefilledFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    can_delete=True,
    max_num=500,
    absolute_max=500,
    validate_max=True,
)


def line_formset(data=None, *, lines=None):
    """The lines formset: empty with one blank line, or prefilled with saved lines."""
    if lines:
        initial = [
            {
                "description": line.description,
                "quantity": f"{Decimal(line.quantity).normalize():f}",
                "unit_code": line.unit_code,
                "unit_price": f"{Decimal(line.unit_price).normalize():f}",
                "vat": vat_value(line.vat_category, line.vat_rate),
                "exemption_reason": str(getattr(line.exemption_reason, "pk", "") or ""),
            }
            for line in lines
        ]
        return _PrefilledFormSet(data, initial=initial, prefix="lines")
    return _FormSet(data, prefix="lines")


def check_lines(lines: list[LineData], *, client: Client) -> Totals:
    """clean_lines (the rules) then compute_totals (the arithmetic), as saving does; also
    refuses amounts too large to store. Raises ValidationError under "lines"."""
    cleaned = clean_lines(lines, client=client, day=timezone.localdate())
    totals = compute_totals(
        [
            LineInput(c["quantity"], c["unit_price"], c["vat_category"], c["vat_rate"])
            for c in cleaned
        ]
    )
    if any(abs(amount) >= MAX_AMOUNT for amount in [*totals.line_amounts, totals.total]):
        raise ValidationError({"lines": _("The amounts are too large for one document.")})
    return totals


# --- parties and details ------------------------------------------------------------------


class PartiesForm(forms.Form):
    """The unit that invoices and its client: only the member's own, and the client must be
    one of that unit's clients."""

    unit = forms.ModelChoiceField(
        label=_("Production unit"),
        queryset=ProductionUnit.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your active units.")},
    )
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your clients.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = ProductionUnit.objects.held_by(user).active().order_by("code")
        clients = (
            Client.objects.of_member_user(user)
            .prefetch_related(
                Prefetch("units", queryset=ProductionUnit.objects.held_by(user), to_attr="mine")
            )
            .order_by("name", "id")
        )
        self.fields["unit"].queryset = units
        self.fields["client"].queryset = clients
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.code} · {unit.name}"
        self.fields["client"].label_from_instance = _client_label
        self.fields["client"].widget = ClientSelect(attrs={"data-client": ""})
        self.fields["client"].widget.choices = self.fields["client"].choices
        self.fields["unit"].widget.attrs["data-unit"] = ""
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk

    def clean(self):
        data = super().clean()
        unit, client = data.get("unit"), data.get("client")
        if unit and client and not client.units.filter(pk=unit.pk).exists():
            self.add_error(
                "client",
                _("%(client)s is not a client of unit %(unit)s.")
                % {"client": client.name, "unit": unit.code},
            )
        return data


def _client_label(client) -> str:
    if client.is_verified:
        return client.name
    return f"{client.name} ({_('to be verified')})"


class InvoiceDetailsForm(forms.Form):
    due_date = forms.DateField(
        label=_label(Invoice, "due_date"), required=False, widget=DateInput()
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
        if payment_term_days is not None:
            self.fields["due_date"].help_text = _(
                "Leave empty for the usual term: %(days)s days after the issue date."
            ) % {"days": payment_term_days}

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in DETAIL_FIELDS}


DETAIL_FIELDS = {"due_date", "buyer_reference", "order_reference", "note", "language"}
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
    line_errors = []
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
        label=_("Status"), required=False, choices=[("", _("All"))] + Invoice.Status.choices
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + Invoice.Kind.choices
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=ProductionUnit.objects.none()
    )
    client = forms.ModelChoiceField(
        label=_("Client"), required=False, queryset=Client.objects.none()
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        help_text=_("Issue date; creation date for drafts"),
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = ProductionUnit.objects.held_by(user).order_by("code")
        self.fields["unit"].label_from_instance = lambda unit: unit.code
        self.fields["client"].queryset = Client.objects.of_member_user(user).order_by("name")

    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

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


class BrandingForm(forms.Form):
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
    introduction = forms.CharField(
        label=_label(InvoiceBranding, "introduction"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed above the lines."),
    )
    closing = forms.CharField(
        label=_label(InvoiceBranding, "closing"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed at the end of the document."),
    )
    language = forms.ChoiceField(
        label=_label(InvoiceBranding, "language"),
        required=False,
        choices=[("", _("The client's language"))] + LANGUAGE_CHOICES[1:],
    )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise ValidationError(_("The logo is too large: at most %(size)s MB.") % {"size": 1})
        return logo

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in ("accent_color", "introduction", "closing")}
        fields["language"] = data["language"]
        if data.get("logo"):
            fields["logo"] = data["logo"]
        elif data.get("remove_logo"):
            fields["logo"] = None
        return fields
