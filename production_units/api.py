"""The API of production units: a member's own units, their balance and their ledger.

Read-only: the ledger is written by services only (ledger_post), never through the API.
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from core.api import (
    MoneyField,
    OwnRowsMixin,
)

from .models import LedgerEntry, ProductionUnit
from .selectors import unit_ledger


def units_of(user):
    """The units this user holds, with their balance (none for a user without a member profile)."""
    if not user.is_authenticated:  # e.g. the schema generator
        return ProductionUnit.objects.none()
    # Meta.ordering is dropped by the GROUP BY of with_balance(): order explicitly.
    return (
        ProductionUnit.objects.held_by(user)
        .with_balance()
        .select_related("sector", "legal_entity")
        .order_by("code")
    )


class UnitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    tool = serializers.ChoiceField(choices=ProductionUnit.Tool.choices, read_only=True)
    tool_label = serializers.CharField(source="get_tool_display", read_only=True)
    status = serializers.ChoiceField(choices=ProductionUnit.Status.choices, read_only=True)
    sector = serializers.CharField(source="sector.name", read_only=True)
    legal_entity = serializers.CharField(source="legal_entity.name", read_only=True)
    opened_on = serializers.DateField(read_only=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    balance = MoneyField(read_only=True, help_text=_("Sum of the unit's ledger entries, in euros."))


# Its own schema component, so that it does not collide with the other "kind" enums.
@extend_schema_field(
    {"type": "string", "enum": LedgerEntry.Kind.values}, component_name="LedgerEntryKindEnum"
)
class LedgerEntryKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=LedgerEntry.Kind.choices, **kwargs)


class LedgerEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = LedgerEntryKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    amount = MoneyField(read_only=True)
    booked_on = serializers.DateField(read_only=True)
    # DRF's metaclass takes declared fields off the class: this does not replace Field.label,
    # which the stubs can't tell.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    created_at = serializers.DateTimeField(read_only=True)


class LedgerEntryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=LedgerEntry.Kind.choices, label=_("kind"))
    # ?booked_on_after=2026-01-01&booked_on_before=2026-12-31 (both inclusive)
    booked_on = django_filters.DateFromToRangeFilter(label=_("date"))

    class Meta:
        model = LedgerEntry
        fields = ["kind", "booked_on"]


class UnitListApi(OwnRowsMixin, generics.ListAPIView):
    """My production units with their balance."""

    serializer_class = UnitOutputSerializer
    rows = staticmethod(units_of)


class UnitDetailApi(OwnRowsMixin, generics.RetrieveAPIView):
    """One of my production units with its balance."""

    serializer_class = UnitOutputSerializer
    lookup_url_kwarg = "unit_id"
    rows = staticmethod(units_of)


class UnitLedgerApi(generics.ListAPIView):
    """The entries of one of my units, newest first; filter by kind and date range."""

    serializer_class = LedgerEntryOutputSerializer
    filterset_class = LedgerEntryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no unit
            return LedgerEntry.objects.none()
        unit = get_object_or_404(
            ProductionUnit.objects.held_by(self.request.user), pk=self.kwargs["unit_id"]
        )
        return unit_ledger(unit=unit)
