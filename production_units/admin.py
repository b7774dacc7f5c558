"""Back-office for sectors, production units and their ledger.

The ledger is append-only: no change, no delete, here as everywhere. An advisor corrects a
balance with a manual adjustment, posted through production_units.services.ledger_post.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import (
    AddOnlyMixin,
    AuditTrailMixin,
    EstimatedCountPaginator,
    ReadOnlyMixin,
    ReferenceDataAdmin,
    ServiceFormMixin,
    SuperuserDeleteMixin,
    money,
)
from core.scoping import COOPERATIVE_WIDE, UNIT_OFFICE

from .models import LedgerEntry, ProductionUnit, Sector
from .selectors import unit_balance
from .services import UNIT_EDITABLE_FIELDS, ledger_post, unit_open, unit_update

RECENT_ENTRIES = 20
# What an advisor may change on an open unit; the rest is fixed when it is opened.


@admin.register(Sector)
class SectorAdmin(ReferenceDataAdmin):
    office_path = COOPERATIVE_WIDE  # the same sectors for every office
    list_display = ("name", "code", "is_artistic")
    list_filter = ("is_artistic",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class RecentEntriesFormSet(forms.BaseInlineFormSet):
    def get_queryset(self):
        return super().get_queryset()[:RECENT_ENTRIES]


class RecentLedgerEntryInline(ReadOnlyMixin, admin.TabularInline):
    """The unit's latest entries, read-only (the full ledger is one click away)."""

    model = LedgerEntry
    formset = RecentEntriesFormSet
    verbose_name_plural = _("latest ledger entries")
    fields = ("booked_on", "kind", "amount", "entry_label", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description=_("label"))
    def entry_label(self, entry):
        return entry.display_label


# A unit's columns in the list, and the first fields of its page.
UNIT_COLUMNS = ("code", "name", "holder", "tool", "sector", "legal_entity", "status", "opened_on")


@admin.register(ProductionUnit)
class ProductionUnitAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    ServiceFormMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    office_path = "holder__office"
    list_display = UNIT_COLUMNS
    list_filter = ("status", "tool", "sector", "legal_entity")
    list_select_related = ("holder", "sector", "legal_entity")
    search_fields = (
        "=code",
        "name",
        "holder__last_name",
        "holder__first_name",
        "holder__organisation_name",
    )
    date_hierarchy = "opened_on"
    autocomplete_fields = ("holder",)
    inlines = (RecentLedgerEntryInline,)
    show_full_result_count = False
    list_per_page = 25
    paginator = EstimatedCountPaginator

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("holder", "code", "name", "tool", "sector", "legal_entity", "opened_on")
        return (*UNIT_COLUMNS, "closed_on", "balance", "ledger")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [name for name in self.get_fields(request, obj) if name not in UNIT_EDITABLE_FIELDS]

    @admin.display(description=_("balance"))
    def balance(self, unit):
        return money(unit_balance(unit=unit))

    @admin.display(description=_("ledger"))
    def ledger(self, unit):
        url = reverse("admin:production_units_ledgerentry_changelist") + f"?unit={unit.pk}"
        return format_html('<a href="{}">{}</a>', url, _("All the entries of this unit"))

    def save_model(self, request, obj, form, change):
        if not change:
            unit = unit_open(
                by=request.user,
                **{name: form.cleaned_data[name] for name in self.get_fields(request)},
            )
            obj.pk = unit.pk
            obj._state.adding = False
            obj._state.db = unit._state.db
            return
        unit_update(
            unit=obj,
            by=request.user,
            **{
                name: form.cleaned_data[name]
                for name in UNIT_EDITABLE_FIELDS
                if name in form.changed_data
            },
        )


class AdjustmentForm(forms.ModelForm):
    """A manual adjustment: a new entry that corrects a balance, with the reason why."""

    reason = forms.CharField(
        label=_("Reason (required)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this correction is needed. Kept in the audit trail."),
    )

    class Meta:
        model = LedgerEntry
        fields = ("unit", "amount", "booked_on", "label")
        help_texts = {
            "amount": _("Positive to credit the unit, negative to debit it."),
        }

    def _get_validation_exclusions(self):
        # ledger_post checks the amount, with a message naming it, before the model's
        # constraint would say "ledger_entry_amount_not_zero is violated".
        return super()._get_validation_exclusions() | {"amount"}


class UnitFilter(admin.SimpleListFilter):
    """Target of the unit page's "all entries" link; not listed (there are thousands)."""

    title = _("unit")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return False

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(unit_id=int(self.value()))
        return queryset


@admin.register(LedgerEntry)
class LedgerEntryAdmin(AddOnlyMixin, OfficeScopedAdminMixin, ServiceFormMixin, admin.ModelAdmin):
    office_path = UNIT_OFFICE
    list_display = (
        "booked_on", "unit", "kind", "amount", "entry_label", "created_by", "created_at",
    )  # fmt: skip
    list_filter = (UnitFilter, "kind", "booked_on")
    list_select_related = ("unit", "created_by")
    search_fields = ("=unit__code", "label")
    autocomplete_fields = ("unit",)
    show_full_result_count = False
    actions = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AdjustmentForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("unit", "amount", "booked_on", "label", "reason")
        return (
            "unit",
            "kind",
            "amount",
            "booked_on",
            "entry_label",
            "source_type",
            "source_id",
            "created_at",
            "created_by",
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("booked_on", timezone.localdate())
        return initial

    @admin.display(description=_("label"), ordering="label")
    def entry_label(self, entry):
        """The label in the reader's language (a free text as typed)."""
        return entry.display_label

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        entry = ledger_post(
            unit=data["unit"],
            kind=LedgerEntry.Kind.ADJUSTMENT,
            amount=data["amount"],
            booked_on=data["booked_on"],
            label=data["label"],
            by=request.user,
            reason=data["reason"],
        )
        obj.pk = entry.pk
        obj._state.adding = False
        obj._state.db = entry._state.db
