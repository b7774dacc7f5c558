"""The input of document lines, shared by every door that takes lines: the portal's lines
formset and the API's line serializer, used by invoicing's invoices, credit notes and quotes
and by payroll's 3en1 jobs.

Both check only what a form or a serializer can know (a number is written as a number, the
columns hold it); the rules on lines are lines.validate_lines'.
"""

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import MAX_ID, DecimalStringField, StrictInputSerializer, enum_field
from core.forms import field_label
from core.templatetags.portal import format_amount_input

from .lines import LineData

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .models import (
    EXEMPT_CATEGORIES,
    InvoiceLine,
    UnitCode,
    VatCategory,
    VatExemptionReason,
    VatRate,
)

NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# The largest amounts the database columns hold (DecimalField max_digits − decimal_places).
MAX_QUANTITY_DIGITS = 9
MAX_PRICE_DIGITS = 10

UnitCodeField = enum_field("UnitCodeEnum", UnitCode.choices)
VatCategoryField = enum_field("VatCategoryEnum", VatCategory.choices)


def _label(name: str) -> "StrOrPromise":
    return field_label(InvoiceLine, name)


# --- the portal's formset ------------------------------------------------------------------


class OptionDataSelect(forms.Select):
    """A select whose options carry data-* attributes: {value: {"data-x": "…"}}."""

    def __init__(self, *args, option_attrs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_attrs = option_attrs or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"].update(self.option_attrs.get(str(value), {}))
        return option


def vat_value(category: str, rate) -> str:
    """The value of the VAT select for a (category, rate) pair: "S:21.00"."""
    return f"{category}:{Decimal(rate):.2f}"


def standard_rate_label(rate: Decimal, standard_rates: list[Decimal]) -> str:
    """The Belgian name of a rate of the standard category, by its place among the rates in
    force: the highest is the normal rate (21 %), the lowest the reduced rate (6 %), one in
    between the intermediate rate (12 %)."""
    if len(standard_rates) < 2 or rate == max(standard_rates):
        return str(_("normal rate"))
    if rate == min(standard_rates):
        return str(_("reduced rate"))
    return str(_("intermediate rate"))


def vat_choices(day) -> list[tuple[str, str]]:
    """The VAT rates in force on `day`, as one select: "21 % · normal rate"."""
    labels = dict(VatCategory.choices)
    rates = list(VatRate.objects.in_force_on(day).values_list("category", "rate"))
    standard = [rate for category, rate in rates if category == VatCategory.STANDARD]
    # The usual rates first (21, 12, 6 %), then zero rate, then the lines without VAT.
    order = {"S": 0, "Z": 1}
    choices = []
    for category, rate in sorted(rates, key=lambda r: (order.get(r[0], 2), r[0], -r[1])):
        percent = f"{rate.normalize():f} %"
        name = (
            standard_rate_label(rate, standard)
            if category == VatCategory.STANDARD
            else labels.get(category, category)
        )
        label = f"{percent} · {name}"
        if category in EXEMPT_CATEGORIES:
            label += f" ({category})"
        choices.append((vat_value(category, rate), label))
    return choices


class LineForm(forms.Form):
    """One line. Numbers stay text until clean_lines reads them (it accepts 1,5 and 1.5)."""

    description = forms.CharField(label=_label("description"), max_length=300, required=False)
    quantity = forms.CharField(label=_label("quantity"), max_length=24, required=False)
    unit_code = forms.ChoiceField(
        label=_label("unit_code"),
        choices=InvoiceLine.UnitCode.choices,
        initial=InvoiceLine.UnitCode.PIECE,
    )
    unit_price = forms.CharField(label=_label("unit_price"), max_length=24, required=False)
    # Text with a select widget: whether the rate is in force is clean_lines' to say.
    vat = forms.CharField(label=_("VAT"), widget=forms.Select)
    exemption_reason = forms.ChoiceField(label=_label("exemption_reason"), required=False)

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
            if not self._removed(form) and not form.is_blank()
        ]

    def _removed(self, form: forms.Form) -> bool:
        # BaseFormSet._should_delete_form: Django's own test, absent from the stubs.
        should_delete = self._should_delete_form  # type: ignore[attr-defined]
        return bool(self.can_delete and should_delete(form))

    def error_messages_by_line(self) -> list[str]:
        """Field errors of the lines, each naming its line and field."""
        if not self.is_bound or self.is_valid():
            return []
        messages = []
        kept = [f for f in self.forms if not self._removed(f)]
        for number, form in enumerate(kept, start=1):
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.append(
                        _("Line %(n)s, %(field)s: %(message)s")
                        % {"n": number, "field": label, "message": error}
                    )
        messages.extend(str(error) for error in self.non_form_errors())
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
                # As the pages show prices: 80,10 in French (the form reads both separators).
                "unit_price": format_amount_input(line.unit_price),
                "vat": vat_value(line.vat_category, line.vat_rate),
                "exemption_reason": str(getattr(line.exemption_reason, "pk", "") or ""),
            }
            for line in lines
        ]
        return _PrefilledFormSet(data, initial=initial, prefix="lines")
    return _FormSet(data, prefix="lines")


# --- the API's serializer ------------------------------------------------------------------


class ExemptionReasonField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("There is no exemption reason {pk_value}."),
        "incorrect_type": _("An exemption reason is given by its id (a number), not {data_type}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", VatExemptionReason.objects.all())
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)


class LineInputSerializer(StrictInputSerializer):
    """A line of an invoice, credit note or quote. quantity, unit_price and vat_rate are
    strings ("1.5", "75.00", "21"): JSON numbers are refused. Unknown fields are refused."""

    description = serializers.CharField(max_length=300, allow_blank=True)
    quantity = DecimalStringField(
        max_digits=12, decimal_places=3, help_text=_('A string, e.g. "2" or "1.5".')
    )
    unit_code = UnitCodeField(required=False, default=UnitCode.PIECE)
    unit_price = DecimalStringField(
        max_digits=14,
        decimal_places=4,
        help_text=_('Excl. VAT, a string with at most 4 decimals, e.g. "75.00".'),
    )
    vat_category = VatCategoryField()
    vat_rate = DecimalStringField(
        max_digits=5, decimal_places=2, help_text=_('A string, e.g. "21" or "0".')
    )
    exemption_reason = ExemptionReasonField(
        required=False,
        allow_null=True,
        help_text=_("Id of the legal exemption reason, for a line without VAT."),
    )


def api_lines(lines: list[dict[str, Any]] | None) -> list[LineData] | None:
    """The lines a line serializer validated, as typed lines (None: no lines given)."""
    return None if lines is None else [LineData(**line) for line in lines]
