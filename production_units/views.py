"""Portal pages of a production unit: its balance and its ledger."""

import re

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.exports import csv_response, refused_download
from core.money import cents
from core.permissions import member_required

from .forms import LedgerFilterForm
from .permissions import get_own_unit_or_404
from .selectors import unit_availability, unit_ledger

LEDGER_PAGE_SIZE = 25


@member_required
def unit_detail(request, pk):
    unit = get_own_unit_or_404(request, pk)
    form = LedgerFilterForm(request.GET or None)
    entries = unit_ledger(unit=unit)
    status = 200
    if form.is_bound:
        if form.is_valid():
            entries = form.filter(entries)
        else:
            status = 400
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    # The balance, what is held back of it and what is left, read once.
    availability = unit_availability(unit=unit)
    context = {
        "unit": unit,
        "balance": availability.balance,
        "reservations": availability.reservations,
        "available": availability.available,
        "form": form,
        "page": page,
        "filters_ignored": status == 400,
    }
    return render(request, "portal/unit_detail.html", context, status=status)


@member_required
def unit_ledger_csv(request, pk):
    """The unit's ledger (with the page's filters) as CSV, streamed: a ledger can be long."""
    unit = get_own_unit_or_404(request, pk)
    form = LedgerFilterForm(request.GET)
    if not form.is_valid():
        return refused_download(form)
    entries = form.filter(unit_ledger(unit=unit)).order_by("booked_on", "id")
    rows = (
        [entry.booked_on, entry.get_kind_display(), entry.kind, entry.label, cents(entry.amount)]
        for entry in entries.iterator(chunk_size=2000)
    )
    return csv_response(
        filename=re.sub(r"[^A-Za-z0-9_.-]", "_", unit.code) + "-ledger.csv",
        header=[_("Date"), _("Kind"), _("Kind code"), _("Label"), _("Amount (EUR)")],
        rows=rows,
        streaming=True,
    )
