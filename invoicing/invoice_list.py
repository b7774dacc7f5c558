"""The member's list of invoices: its sort orders (a whitelist: no order_by from the query
string), the amounts signed as they count (a credit note deducts) and the totals of the
filtered rows, in one query whatever their number."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Case, F, Sum, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Invoice

MONEY = models.DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str | Promise
    fields: tuple[str, ...]


# The table's columns that sort, in the table's order; "-key" sorts the other way.
SORT_COLUMNS: tuple[SortColumn, ...] = (
    SortColumn("number", _("Number"), ("series__code", "year", "number")),
    SortColumn("client", _("Client"), ("client__name",)),
    SortColumn("issue_date", _("Issue date"), ("issue_date",)),
    SortColumn("due_date", _("Due date"), ("due_date",)),
    SortColumn("net", _("Excl. VAT"), ("signed_net",)),
    SortColumn("total", _("Total incl. VAT"), ("signed_total",)),
    SortColumn("status", _("Status"), ("status",)),
)
_BY_KEY = {column.key: column for column in SORT_COLUMNS}


def sort_choices() -> list[tuple[str, str | Promise]]:
    """The values the `sort` parameter may take, for the filter form's select (in the
    language of the request: call it per form)."""
    choices: list[tuple[str, str | Promise]] = []
    for column in SORT_COLUMNS:
        label = {"column": column.label}
        choices.append((column.key, gettext("%(column)s, ascending") % label))
        choices.append((f"-{column.key}", gettext("%(column)s, descending") % label))
    return choices


def _signed(field: str) -> Case:
    return Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F(field)),
        default=F(field),
        output_field=MONEY,
    )


def with_signed_amounts(invoices: models.QuerySet) -> models.QuerySet:
    """`signed_net` and `signed_total` on each row: a credit note's amounts negative."""
    return invoices.annotate(signed_net=_signed("net_total"), signed_total=_signed("total"))


def sorted_invoices(invoices: models.QuerySet, sort: str) -> models.QuerySet:
    """The rows in the order `sort` names ("total", "-issue_date"...); an empty or unknown
    value leaves the order as it is (the form refuses unknown values before this)."""
    column = _BY_KEY.get(sort.removeprefix("-"))
    if column is None:
        return invoices
    descending = sort.startswith("-")
    order: list[OrderBy] = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in column.fields
    ]
    order.append(F("id").desc() if descending else F("id").asc())
    return invoices.order_by(*order)


def invoice_list_totals(invoices: models.QuerySet) -> dict[str, Decimal | int]:
    """How many rows, and their amounts excluding and including VAT (credit notes deducted):
    one query."""
    zero = Value(Decimal("0.00"), output_field=MONEY)
    figures = invoices.order_by().aggregate(
        count=models.Count("id"),
        net=Coalesce(Sum(_signed("net_total")), zero),
        total=Coalesce(Sum(_signed("total")), zero),
    )
    return figures


def sort_links(current: str) -> list[dict]:
    """The table's header cells: each column's label, the sort a click asks for (the other
    way when it is the current one) and its aria-sort state."""
    links = []
    for column in SORT_COLUMNS:
        state = ""
        target = column.key
        if current == column.key:
            state, target = "ascending", f"-{column.key}"
        elif current == f"-{column.key}":
            state = "descending"
        links.append({"key": column.key, "label": column.label, "sort": target, "state": state})
    return links
