"""N+1 guards: the number of queries of the busy pages must not grow with the number of rows
they list. Each page is loaded with a few rows, then with many more: the counts must be equal
(and under a ceiling, so a page doesn't quietly become heavy). Speed itself is measured by
`make bench` (docs/BENCHMARKS.md), never here."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.models import Client, Invoice
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import ledger_post
from tests.factories.members import MemberFactory, office
from tests.factories.production_units import ProductionUnitFactory
from tests.invoicing_helpers import issued_invoice, line
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

CEILING = 40  # queries per page, sessions, MFA and permissions included


def _invoices(alice, unit, how_many):
    theatre = Client.objects.get(name="Théâtre de la Place")
    for index in range(how_many):
        issued_invoice(alice, unit, theatre, [line(unit_price=f"{100 + index}.00")])


def _ledger(unit, how_many):
    for index in range(how_many):
        ledger_post(
            unit=unit,
            kind=LedgerEntry.Kind.ADJUSTMENT,
            amount=Decimal(f"{index + 1}.00"),
            booked_on=date(2026, 1, 1 + index % 28),
            label=f"Ajustement {index}",
            reason="test des requêtes",
        )


def _members_and_units(by, how_many, start):
    liege = office("liege")
    for index in range(start, start + how_many):
        member = MemberFactory(
            by=by, user=None, first_name=f"Membre{index}", last_name="Test", office=liege
        )
        ProductionUnitFactory(by=by, holder=member, code=f"UP-Q{index:04d}")


def _portal_urls(unit, invoice):
    return {
        "home": reverse("portal:home"),
        "unit ledger": reverse("portal:unit_detail", kwargs={"pk": unit.pk}),
        "invoice list": reverse("portal:invoice_list"),
        "invoice detail": reverse("portal:invoice_detail", kwargs={"pk": invoice.pk}),
    }


def test_the_member_portal_pages_make_as_many_queries_for_many_rows_as_for_few(alice_client, alice):
    unit = ProductionUnit.objects.get(code="UP-0001")
    _invoices(alice, unit, 2)
    _ledger(unit, 2)
    invoice = Invoice.objects.filter(unit=unit).exclude(number=None).first()
    few = {
        name: page_queries(alice_client, url) for name, url in _portal_urls(unit, invoice).items()
    }
    _invoices(alice, unit, 10)
    _ledger(unit, 10)
    many = {
        name: page_queries(alice_client, url) for name, url in _portal_urls(unit, invoice).items()
    }
    assert many == few
    assert max(many.values()) <= CEILING, many


ADMIN_LISTS = {
    "invoices": ("admin:invoicing_invoice_changelist", "?status__exact=issued"),
    "members": ("admin:members_member_changelist", "?category__exact=A"),
    "units": ("admin:production_units_productionunit_changelist", "?tool__exact=activity"),
}


def _admin_counts(client) -> dict[str, int]:
    return {
        name: page_queries(client, reverse(url_name) + query)
        for name, (url_name, query) in ADMIN_LISTS.items()
    }


def test_the_back_office_lists_make_as_many_queries_for_many_rows_as_for_few(
    admin_client, admin_user, alice
):
    unit = ProductionUnit.objects.get(code="UP-0001")
    _invoices(alice, unit, 2)
    _members_and_units(admin_user, 2, start=0)
    few = _admin_counts(admin_client)
    _invoices(alice, unit, 10)
    _members_and_units(admin_user, 10, start=2)
    many = _admin_counts(admin_client)
    assert many == few
    assert max(many.values()) <= CEILING, many


def test_an_advisors_office_scoped_lists_do_not_grow_with_rows_either(claire_client, alice):
    unit = ProductionUnit.objects.get(code="UP-0001")
    _invoices(alice, unit, 2)
    few = _admin_counts(claire_client)
    _invoices(alice, unit, 10)
    many = _admin_counts(claire_client)
    assert many == few


def test_the_invoice_list_of_the_back_office_filters_by_unit_and_client_links(admin_client, alice):
    three = ProductionUnit.objects.get(code="UP-0001")
    activity = ProductionUnit.objects.get(code="UP-0002")
    theatre = Client.objects.get(name="Théâtre de la Place")
    theatre.units.add(activity)
    issued_invoice(alice, three, theatre, [line()])
    issued_invoice(alice, activity, theatre, [line()])
    url = reverse("admin:invoicing_invoice_changelist")
    for parameter, value, field in (
        ("unit", three.pk, "unit_id"),
        ("unit", activity.pk, "unit_id"),
        ("client", theatre.pk, "client_id"),
    ):
        listed = list(admin_client.get(url, {parameter: value}).context["cl"].result_list)
        assert listed, parameter
        assert {getattr(invoice, field) for invoice in listed} == {value}
    all_units = admin_client.get(url).context["cl"].result_list
    assert {invoice.unit_id for invoice in all_units} >= {three.pk, activity.pk}
