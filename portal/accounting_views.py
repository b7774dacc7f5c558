"""My accounting view (portal): a year of the member's units read from their ledger, for all
the units together or one of them; the year's movements as CSV and XLSX; "my year at the
cooperative" as PDF. Only the holder's own units: another member's unit is a 404 (staff use
the back-office)."""

import re
from datetime import date

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import XLSX_CONTENT_TYPE, csv_response, refused_download, xlsx_bytes
from core.pdf import render_html_to_pdf
from core.permissions import member_of, member_required
from core.templatetags.portal import format_money
from production_units.models import ProductionUnit
from production_units.permissions import get_own_unit_or_404
from reports.charts import bar_chart, line_chart, series_chart

from .accounting import (
    GROUPS,
    ZERO,
    AccountingYear,
    accounting_units,
    accounting_year,
    member_year,
    year_movements,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )


def _year(request: HttpRequest) -> tuple[int, YearForm, bool]:
    """The year asked for (this year by default), the form, and whether the input was valid."""
    this_year = timezone.localdate().year
    form = YearForm(request.GET or None, initial={"year": this_year})
    if not form.is_bound:
        return this_year, form, True
    if form.is_valid():
        return form.cleaned_data["year"] or this_year, form, True
    return this_year, form, False


def _charts(accounts: AccountingYear) -> dict:
    """The three charts, drawn from the same rows as the tables under them."""
    months = [formats.date_format(row.month, "M") for row in accounts.months]
    clients = accounts.top_clients
    return {
        "balance": line_chart(months, [row.balance for row in accounts.months], _("Balance")),
        "income_costs": series_chart(
            months,
            [
                [row.groups["income"] for row in accounts.months],
                [-(row.groups["costs"] + row.groups["salaries"]) for row in accounts.months],
                [-row.groups["contribution"] for row in accounts.months],
            ],
            [_("Income"), _("Costs and salaries"), _("Mutual contribution")],
        ),
        "clients": bar_chart(
            [row.name for row in clients],
            [row.net for row in clients],
            [format_money(row.net) for row in clients],
        )
        if clients
        else None,
    }


def _page(request: HttpRequest, units: list[ProductionUnit], unit: ProductionUnit | None):
    year, form, valid = _year(request)
    context: dict = {"unit": unit, "units": units, "year": year, "form": form}
    if units:
        accounts = accounting_year(units=units, year=year, today=timezone.localdate())
        context.update(
            accounts=accounts,
            groups=[(name, label) for name, label, _kinds in GROUPS],
            charts=_charts(accounts),
            previous_year=year - 1 if year > FIRST_YEAR else None,
            next_year=year + 1 if year < LAST_YEAR else None,
        )
    return render(request, "portal/accounting.html", context, status=200 if valid else 400)


@member_required
def accounting(request):
    """All my units together."""
    return _page(request, list(accounting_units(user=request.user)), None)


@member_required
def accounting_unit(request, pk):
    """One of my units."""
    unit = get_own_unit_or_404(request, pk)
    return _page(request, [unit], unit)


# --- exports ---------------------------------------------------------------------------------


def _columns() -> list[str]:
    return [
        _("Date"), _("Unit"), _("Kind"), _("Kind code"), _("Label"), _("Amount (EUR)"),
        _("Document"), _("Document reference"), _("Entry"),
    ]  # fmt: skip


def _rows(movements: list[dict]):
    for entry in movements:
        yield [
            entry["booked_on"], entry["unit__code"], entry["kind_label"], entry["kind"],
            entry["label"], entry["amount"], entry["document"], entry["reference"], entry["id"],
        ]  # fmt: skip


def _filename(unit: ProductionUnit | None, year: int, ext: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", unit.code) if unit else "my-units"
    return f"{base}-{year}-movements.{ext}"


def _export(request: HttpRequest, unit: ProductionUnit | None, ext: str) -> HttpResponseBase:
    year, form, valid = _year(request)
    if not valid:
        return refused_download(form)
    units = [unit] if unit else list(accounting_units(user=request.user))
    movements = year_movements(units=units, year=year)
    filename = _filename(unit, year, ext)
    if ext == "csv":
        return csv_response(filename=filename, header=_columns(), rows=_rows(movements))
    columns = _columns()
    total = sum((entry["amount"] for entry in movements), ZERO)
    content = xlsx_bytes(
        title=_("Movements %(year)s") % {"year": year},
        columns=columns,
        rows=_rows(movements),
        amounts={columns[5]},
        dates={columns[0]},
        summary=[(_("Year"), year), (_("Entries"), len(movements)), (_("Total (EUR)"), total)],
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required
def accounting_csv(request):
    return _export(request, None, "csv")


@member_required
def accounting_xlsx(request):
    return _export(request, None, "xlsx")


@member_required
def accounting_unit_csv(request, pk):
    return _export(request, get_own_unit_or_404(request, pk), "csv")


@member_required
def accounting_unit_xlsx(request, pk):
    return _export(request, get_own_unit_or_404(request, pk), "xlsx")


@member_required
def accounting_pdf(request):
    """ "My year at the cooperative" as PDF: turnover, salaries received, expenses
    reimbursed, shares held, and links to the year's attestations."""
    year, form, valid = _year(request)
    if not valid:
        return refused_download(form)
    member = member_of(request.user)
    summary = member_year(member=member, user=request.user, year=year, today=timezone.localdate())
    attestations = [
        (
            attestation,
            request.build_absolute_uri(
                reverse("portal:pay_attestation_pdf", args=[attestation.pk])
            ),
        )
        for attestation in summary.attestations
    ]
    html = render_to_string(
        "portal/pdf/accounting_year.html",
        {
            "member": member,
            "summary": summary,
            "accounts": summary.accounts,
            "attestations": attestations,
            "groups": [(name, label) for name, label, _kinds in GROUPS],
            "issued_on": timezone.localdate(),
            "year_end": date(year, 12, 31),
        },
        request=request,
    )
    response = HttpResponse(render_html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="my-year-{year}.pdf"'
    return response
