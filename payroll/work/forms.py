"""Portal forms of jobs, work declarations and contracts.

Forms check what a form can know (a date is a date, the unit and the worker are the member's
own); the rules (days, minimum wage, balance) are the services', the same for the live split
and for saving.
"""

from collections.abc import Collection
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from invoicing.parties import PartiesForm
from payroll.models import ContractType, Job, WorkDeclaration, Worker
from production_units.models import ProductionUnit

from .job_services import MAX_RECEIPT_BYTES, ExpenseInput
from .work_days import DayInput

MAX_DAYS = 31
MAX_EXPENSES = 50


def workers_of_user(user):
    """The workers of the units this user holds (their own Worker record included)."""
    return (
        Worker.objects.filter(units__unit__holder__user=user, units__ended_on__isnull=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


class ContractTypeField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=ContractType.objects.order_by("name"),
            to_field_name="code",
            label=_("Contract type"),
            **kwargs,
        )


class SplitForm(PartiesForm):
    """What the live split needs: the unit, the client (for the invoice lines) and the
    contract type."""

    contract_type = ContractTypeField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        units = self.fields["unit"].queryset.filter(tool=ProductionUnit.Tool.THREE_IN_ONE)
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Choose one of your active 3en1 units."
        )
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
        self.fields["contract_type"].widget.attrs["data-split-input"] = ""


class JobForm(SplitForm):
    description = forms.CharField(label=_("Description"), max_length=300)
    worker = forms.ModelChoiceField(label=_("Worker"), queryset=Worker.objects.none())
    function = forms.CharField(
        label=_("Function"), max_length=100, help_text=_("E.g. musician, sound engineer.")
    )
    place_of_work = forms.CharField(
        label=_("Place of work"),
        max_length=300,
        required=False,
        help_text=_("Printed on the contract. Left empty: at the client's."),
    )

    field_order = ["unit", "client", "description", "worker", "contract_type", "function",
                   "place_of_work"]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        workers = workers_of_user(user)
        self.fields["worker"].queryset = workers
        own = workers.filter(user=user).first()
        if own is not None:
            self.fields["worker"].initial = own.pk


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("hours") is None:
            self.add_error("hours", _("How many hours on this day?"))
        if data.get("hours") is not None and not data.get("date"):
            self.add_error("date", _("Which day?"))
        return data


class BaseDayFormSet(forms.BaseFormSet):
    def day_inputs(self) -> list[DayInput]:
        return sorted(
            (
                DayInput(form.cleaned_data["date"], form.cleaned_data["hours"])
                for form in self.forms
                if form.cleaned_data.get("date")
                and not (self.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME, False))
            ),
            key=lambda day: day.date,
        )


def day_formset(data=None, *, initial=None, extra=3):
    formset_class = forms.formset_factory(
        DayForm, formset=BaseDayFormSet, extra=extra, can_delete=True, max_num=MAX_DAYS,
        absolute_max=MAX_DAYS, validate_max=True,
    )  # fmt: skip
    return formset_class(data, initial=initial, prefix="days")


class ExpenseForm(forms.Form):
    description = forms.CharField(label=_("Expense"), max_length=200, required=False)
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    receipt = forms.FileField(
        label=_("Receipt (photo or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    kept_receipt = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt and receipt.size > MAX_RECEIPT_BYTES:
            raise ValidationError(_("A receipt is at most 10 MB."))
        return receipt

    # The name of a receipt uploaded earlier and held (set by the view), shown again.
    held_name = ""

    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("description") or self.cleaned_data.get("amount"))


class BaseExpenseFormSet(forms.BaseFormSet):
    def kept_values(self) -> list[str]:
        """The kept_receipt values posted (a stored receipt's name or `held:<token>`)."""
        if not self.is_bound:
            return []
        return [form["kept_receipt"].value() or "" for form in self.forms]

    def show_held(self, held: dict) -> None:
        """Name, on each row, the receipt it holds (`held`: form value → HeldReceipt)."""
        for form, value in zip(self.forms, self.kept_values(), strict=False):
            if value in held:
                form.held_name = held[value].name

    def expense_inputs(
        self, *, kept: Collection[str] = frozenset(), held=None
    ) -> list[ExpenseInput]:
        """The expenses typed; a receipt already stored is kept only if it is one of `kept`
        (the job's own receipts) or one of `held` (receipts the user uploaded with this form
        before: form value → HeldReceipt)."""
        held = held or {}
        expenses = []
        for form in self.forms:
            if self.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME, False):
                continue
            if not form.cleaned_data or form.is_blank():
                continue
            receipt = form.cleaned_data.get("receipt") or None
            value = form.cleaned_data.get("kept_receipt")
            if receipt is None and value in kept:
                receipt = value
            elif receipt is None and value in held:
                receipt = held[value]
            expenses.append(
                ExpenseInput(form.cleaned_data["description"], form.cleaned_data["amount"], receipt)
            )
        return expenses

    def total_typed(self) -> Decimal:
        """The sum of the amounts typed (for the live split; the service checks them)."""
        total = Decimal("0.00")
        for expense in self.expense_inputs(kept=set()):
            try:
                total += Decimal(str(expense.amount).replace(",", ".").strip())
            except ArithmeticError:
                raise ValidationError(
                    {"expenses": _("An expense amount is not a number.")}
                ) from None
        return total


def expense_formset(data=None, files=None, *, initial=None, extra=1):
    formset_class = forms.formset_factory(
        ExpenseForm, formset=BaseExpenseFormSet, extra=extra, can_delete=True,
        max_num=MAX_EXPENSES, absolute_max=MAX_EXPENSES, validate_max=True,
    )  # fmt: skip
    return formset_class(data, files, initial=initial, prefix="expenses")


def with_one_more(data, prefix: str):
    """The posted data with one more blank form in formset `prefix` (the "add a day" button
    of pages without JavaScript)."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(min(int(data.get(key, 0)) + 1, MAX_DAYS))
    except ValueError:
        data[key] = "1"
    return data


class CancelForm(forms.Form):
    """Why a draft job or declaration is cancelled (the service requires it)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the history of the job or declaration."),
        error_messages={"required": _("Say why you cancel it.")},
    )


# --- declarations ---------------------------------------------------------------------------


class DeclarationForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Production unit"),
        queryset=ProductionUnit.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your active Activité units.")},
    )
    worker = forms.ModelChoiceField(label=_("Worker"), queryset=Worker.objects.none())
    contract_type = ContractTypeField()
    function = forms.CharField(label=_("Function"), max_length=100)
    place_of_work = forms.CharField(
        label=_("Place of work"),
        max_length=300,
        required=False,
        help_text=_("Printed on the contract. Left empty: the unit holder's address."),
    )
    gross = forms.DecimalField(
        label=_("Gross salary (all the days)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = (
            ProductionUnit.objects.held_by(user)
            .active()
            .filter(tool=ProductionUnit.Tool.ACTIVITY)
            .order_by("code")
        )
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.code} · {unit.name}"
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
        workers = workers_of_user(user)
        self.fields["worker"].queryset = workers
        own = workers.filter(user=user).first()
        if own is not None:
            self.fields["worker"].initial = own.pk


# --- lists ----------------------------------------------------------------------------------


class WorkFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Production unit"), required=False, queryset=ProductionUnit.objects.none()
    )

    def __init__(self, *args, user, statuses, tool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *statuses]
        self.fields["unit"].queryset = ProductionUnit.objects.held_by(user).filter(tool=tool)
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.code} · {unit.name}"

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("unit"):
            queryset = queryset.filter(unit=data["unit"])
        return queryset

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in ("status", "unit"))


def job_filter_form(data, *, user):
    return WorkFilterForm(
        data, user=user, statuses=Job.Status.choices, tool=ProductionUnit.Tool.THREE_IN_ONE
    )


def declaration_filter_form(data, *, user):
    return WorkFilterForm(
        data, user=user, statuses=WorkDeclaration.Status.choices, tool=ProductionUnit.Tool.ACTIVITY
    )


def own_q(user) -> Q:
    """Contracts a user may see: theirs as the worker, or those of the units they hold."""
    return Q(worker__user=user) | Q(unit__holder__user=user)
