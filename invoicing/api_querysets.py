"""What the API of invoicing documents lists: a member's own documents and payments, and
the filters of the lists."""

import re

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy

from production_units.models import ProductionUnit

from .models import Client, Invoice, Payment, Quote


def invoices_of(user):
    """Invoices and credit notes of the units this user holds (none for anonymous callers)."""
    if not user.is_authenticated:  # e.g. the schema generator
        return Invoice.objects.none()
    return Invoice.objects.of_member_user(user).select_related("unit", "client", "series")


def lines_prefetch(model):
    return Prefetch("lines", queryset=model.objects.select_related("exemption_reason"))


def quotes_of(user):
    if not user.is_authenticated:
        return Quote.objects.none()
    return Quote.objects.of_member_user(user).select_related("unit", "client")


def payments_of(user):
    """Payments matched to this user's invoices: unmatched ones belong to nobody yet."""
    if not user.is_authenticated:
        return Payment.objects.none()
    return Payment.objects.filter(
        status=Payment.Status.MATCHED, invoice__in=Invoice.objects.of_member_user(user)
    ).select_related("invoice__series")


# --- filters -------------------------------------------------------------------------------


def _my_units(request):
    if request is None or not request.user.is_authenticated:
        return ProductionUnit.objects.none()
    return ProductionUnit.objects.held_by(request.user)


def _my_clients(request):
    if request is None or not request.user.is_authenticated:
        return Client.objects.none()
    return Client.objects.of_member_user(request.user)


def _my_invoices(request):
    if request is None or not request.user.is_authenticated:
        return Invoice.objects.none()
    return Invoice.objects.of_member_user(request.user)


# "F-2026-000012", "2026-12", "12": the number, optionally with its year and series code.
NUMBER_SEARCH = re.compile(r"^(?:([A-Za-z]{1,8})-)?(?:(\d{4})-)?0*(\d{1,9})$")


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Invoice.Status.choices, label=gettext_lazy("status")
    )
    kind = django_filters.ChoiceFilter(
        choices=Invoice.Kind.choices,
        label=gettext_lazy("kind: invoice, or credit_note for the credit notes"),
    )
    unit = django_filters.ModelChoiceFilter(queryset=_my_units, label=gettext_lazy("unit id"))
    client = django_filters.ModelChoiceFilter(queryset=_my_clients, label=gettext_lazy("client id"))
    # ?issue_date_after=2026-01-01&issue_date_before=2026-12-31 (both inclusive)
    issue_date = django_filters.DateFromToRangeFilter(label=gettext_lazy("issue date"))
    search = django_filters.CharFilter(
        method="filter_search",
        label=gettext_lazy(
            "number (F-2026-000012, or 12), structured reference, or part of the client's name"
        ),
    )

    class Meta:
        model = Invoice
        fields = ["status", "kind", "unit", "client", "issue_date"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        found = Q(client__name__icontains=value)
        digits = re.sub(r"\D", "", value)
        if len(digits) == 12:
            found |= Q(structured_reference=digits)
        match = NUMBER_SEARCH.match(value)
        if match:
            code, year, number = match.groups()
            by_number = Q(number=int(number))
            if year:
                by_number &= Q(year=int(year))
            if code:
                by_number &= Q(series__code__iexact=code)
            found |= by_number
        return queryset.filter(found)


class QuoteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Quote.Status.choices, label=gettext_lazy("status"))
    unit = django_filters.ModelChoiceFilter(queryset=_my_units, label=gettext_lazy("unit id"))
    client = django_filters.ModelChoiceFilter(queryset=_my_clients, label=gettext_lazy("client id"))
    search = django_filters.CharFilter(
        method="filter_search", label=gettext_lazy("number or part of the client's name")
    )

    class Meta:
        model = Quote
        fields = ["status", "unit", "client"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(client__name__icontains=value))


class PaymentFilter(django_filters.FilterSet):
    invoice = django_filters.ModelChoiceFilter(
        queryset=_my_invoices, label=gettext_lazy("invoice id")
    )
    # ?received_on_after=…&received_on_before=… (both inclusive)
    received_on = django_filters.DateFromToRangeFilter(label=gettext_lazy("date received"))

    class Meta:
        model = Payment
        fields = ["invoice", "received_on"]
