"""Back-office for the parameters of work and pay: contract types and their dated values, the
withholding tax scales, the payroll policy, the expense categories and the mutual
contribution rate. Staff edit them; every save is audited.

Dated rows never overlap in their scope: the models' clean() says so on the "valid from"
field, and the inlines check the rows typed together on one page.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_kit import (
    ReferenceDataAdmin,
    _plain,
)
from core.audit import audit_log
from core.scoping import COOPERATIVE_WIDE
from production_units.models import ContributionRate

from .models import (
    ContractType,
    ContractTypeParameters,
    EmployerContributionRate,
    ExpenseCategory,
    PayrollPolicy,
    StructuralReduction,
    WithholdingTaxBracket,
    WithholdingTaxScale,
)


class AuditedInlinesMixin:
    """Rows added, changed or deleted in an inline are audited on their parent (and a
    parent saved unchanged, with only its inline edited, is not audited as updated)."""

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            obj.save()
            return
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        parent = form.instance
        for obj in formset.new_objects:
            self._audit_row(request, parent, obj, "created", _row_values(obj))
        for obj, fields in formset.changed_objects:
            values = {name: _plain(getattr(obj, name)) for name in fields}
            self._audit_row(request, parent, obj, "updated", values)
        for obj in formset.deleted_objects:
            self._audit_row(request, parent, obj, "deleted", {"row": str(obj)})

    @staticmethod
    def _audit_row(request, parent, obj, verb, values):
        audit_log(
            actor=request.user,
            action=f"{obj._meta.model_name}.{verb}",
            obj=parent,
            changes=values,
        )


def _row_values(obj) -> dict:
    return {
        field.name: _plain(getattr(obj, field.name))
        for field in obj._meta.concrete_fields
        if not field.primary_key and not field.is_relation
    }


def _kept_forms(formset) -> list:
    """The inline's forms that will be saved: filled in and not marked for deletion."""
    kept = []
    for form in formset.forms:
        if not getattr(form, "cleaned_data", None):
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        kept.append(form)
    return kept


def _flag_overlaps(formset, *, start: str, end: str, closed: bool, message: str) -> None:
    """The ranges [start, end] typed on one page, sorted by start: a range beginning before
    the previous one ends (or on its end, `closed` ranges) gets `message` on its start."""
    ranges = []
    for form in _kept_forms(formset):
        first = form.cleaned_data.get(start)
        if first is not None:
            ranges.append((first, form.cleaned_data.get(end), form))
    ranges.sort(key=lambda row: row[0])
    for (_first, last, _form), (next_first, _next_last, next_form) in zip(
        ranges, ranges[1:], strict=False
    ):
        if last is None or last > next_first or (closed and last == next_first):
            next_form.add_error(start, message)


class DatedRowsFormSet(forms.BaseInlineFormSet):
    """The periods typed on one page don't overlap each other (the database rows are the
    model's clean()'s business)."""

    def clean(self):
        super().clean()
        _flag_overlaps(
            self,
            start="valid_from",
            end="valid_to",
            closed=True,
            message=_("This period overlaps another period typed on this page."),
        )


class BracketsFormSet(forms.BaseInlineFormSet):
    """Brackets of a scale follow each other without overlapping."""

    def clean(self):
        super().clean()
        _flag_overlaps(
            self,
            start="from_amount",
            end="to_amount",
            closed=False,
            message=_("This bracket overlaps the one before it."),
        )


class ContractTypeParametersInline(admin.StackedInline):
    model = ContractTypeParameters
    formset = DatedRowsFormSet
    extra = 0
    fields = (
        ("valid_from", "valid_to"),
        ("employer_charges_rate", "employee_ss_rate", "employee_ss_base_percent"),
        ("employment_coefficient", "minimum_daily_gross", "piece_work"),
    )

    def has_delete_permission(self, request, obj=None):
        # A period that was in force is ended (valid to), not deleted: payslips used it.
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class LabelledReferenceMixin:
    """A reference row named by code (contract types, expense categories): lists and
    read-only pages show its name in the reader's language (`label`); the stored name, the
    fallback for a row added by hand, is a field only for who may change it."""

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def label_in_language(self, obj):
        return obj.label

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields = [name for name in fields if name != "name"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        own = ("code",) if obj is not None else ()
        return (*own, "label_in_language")


@admin.register(ContractType)
class ContractTypeAdmin(LabelledReferenceMixin, AuditedInlinesMixin, ReferenceDataAdmin):
    # Dated parameters: the same for every office. The code is what contracts and Dimona
    # records refer to: read-only once saved.
    office_path = COOPERATIVE_WIDE
    list_display = ("label_in_language", "code", "worker_category")
    search_fields = ("name", "code")
    inlines = (ContractTypeParametersInline,)

    def get_inlines(self, request, obj):
        # The periods are checked against the type's saved ones: save the type first.
        return self.inlines if obj is not None else ()


class WithholdingTaxBracketInline(admin.TabularInline):
    model = WithholdingTaxBracket
    formset = BracketsFormSet
    extra = 0
    fields = ("from_amount", "to_amount", "rate")


@admin.register(WithholdingTaxScale)
class WithholdingTaxScaleAdmin(AuditedInlinesMixin, ReferenceDataAdmin):
    # Dated parameters: the same for every office.
    office_path = COOPERATIVE_WIDE
    list_display = ("__str__", "valid_from", "valid_to", "piece_work_minimum_rate")
    fields = (
        "label",
        ("valid_from", "valid_to"),
        ("expenses_rate", "expenses_cap"),
        "tax_free_reduction",
        ("quotient_rate", "quotient_cap"),
        "rounding",
        "piece_work_minimum_rate",
        "source",
    )
    inlines = (WithholdingTaxBracketInline,)


@admin.register(EmployerContributionRate)
class EmployerContributionRateAdmin(ReferenceDataAdmin):
    # Dated parameters: the same for every office.
    office_path = COOPERATIVE_WIDE
    list_display = (
        "category",
        "valid_from",
        "valid_to",
        "base_percent",
        "basic_rate",
        "holiday_pay_rate",
        "structural_reduction",
    )
    list_filter = ("category",)


@admin.register(StructuralReduction)
class StructuralReductionAdmin(ReferenceDataAdmin):
    # Dated parameters: the same for every office.
    office_path = COOPERATIVE_WIDE
    list_display = (
        "valid_from",
        "valid_to",
        "low_wage_threshold",
        "low_wage_coefficient",
        "very_low_wage_threshold",
        "very_low_wage_coefficient",
    )


@admin.register(PayrollPolicy)
class PayrollPolicyAdmin(ReferenceDataAdmin):
    # Dated parameters: the same for every office.
    office_path = COOPERATIVE_WIDE
    list_display = (
        "valid_from",
        "valid_to",
        "salary_delay_working_days",
        "expense_deadline_day",
        "expense_deadline_month",
        "mileage_rate",
    )


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(LabelledReferenceMixin, ReferenceDataAdmin):
    # Dated parameters: the same for every office.
    office_path = COOPERATIVE_WIDE
    list_display = ("label_in_language", "code", "is_mileage")
    list_filter = ("is_mileage",)
    search_fields = ("name", "code")


@admin.register(ContributionRate)
class ContributionRateAdmin(ReferenceDataAdmin):
    # Dated parameters: the same for every office.
    office_path = COOPERATIVE_WIDE
    list_display = ("rate", "valid_from", "valid_to", "label")
    fields = ("rate", ("valid_from", "valid_to"), "label")

    def get_readonly_fields(self, request, obj=None):
        # A rate that was in force is ended and replaced, never changed: invoices used it.
        return ("rate", "valid_from") if obj is not None else ()
