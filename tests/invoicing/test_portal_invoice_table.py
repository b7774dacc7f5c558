# ruff: noqa: F811  (the fixtures of test_portal_invoices, imported, are used as arguments)
"""The invoices' list on a desktop: a table sorted by a whitelisted column, the totals of
every filtered row (credit notes deducted), the CSV in the same order, a fixed number of
queries; and a member never sees another member's invoices there."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.invoice_services import invoice_create, invoice_issue
from tests.invoicing.test_portal_invoices import (  # noqa: F401  (fixtures)
    _english_and_media,
    book,
    csv_rows,
    ecole,
    issued,
    theatre,
)
from tests.invoicing_helpers import line
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

URL = "portal:invoice_list"

# The book (tests/invoicing/test_portal_invoices.py), worked out by hand at 21 % VAT:
# issued 2 × 250.00 = 500.00 + 105.00 = 605.00; paid 100.00 + 21.00 = 121.00;
# school (draft, UP-0002) 3 × 50.00 = 150.00 + 31.50 = 181.50;
# credit note (draft) 10.00 + 2.10 = 12.10, deducted.
NET = {"issued": "500.00", "paid": "100.00", "school": "150.00", "credit": "-10.00"}
TOTAL = {"issued": "605.00", "paid": "121.00", "school": "181.50", "credit": "-12.10"}


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-invoice-row="(\d+)"', response.content.decode())]


def cards(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-invoice="(\d+)"', response.content.decode())]


def totals(response) -> dict:
    found = re.search(
        r'id="invoice-totals" data-count="(\d+)" data-net="([^"]+)" data-total="([^"]+)"',
        response.content.decode(),
    )
    count, net, total = found.groups()
    return {"count": int(count), "net": Decimal(net), "total": Decimal(total)}


def names(book, order) -> list[int]:
    return [book[name].pk for name in order]


def test_the_table_and_the_cards_list_the_same_rows_in_the_same_order(alice_client, book):
    response = alice_client.get(reverse(URL), {"sort": "total"})
    assert response.status_code == 200
    assert rows(response) == cards(response) == names(book, ["credit", "paid", "school", "issued"])


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("total", ["credit", "paid", "school", "issued"]),
        ("-total", ["issued", "school", "paid", "credit"]),
        ("net", ["credit", "paid", "school", "issued"]),
        ("client", ["school", "issued", "paid", "credit"]),
        ("status", ["school", "credit", "issued", "paid"]),
    ],
)
def test_the_table_sorts_by_the_column_asked(alice_client, book, sort, order):
    response = alice_client.get(reverse(URL), {"sort": sort})
    assert rows(response) == names(book, order)


def test_issued_invoices_sort_by_number_and_drafts_come_last(alice_client, book):
    ascending = rows(alice_client.get(reverse(URL), {"sort": "number"}))
    assert ascending[:2] == names(book, ["issued", "paid"])
    assert set(ascending[2:]) == set(names(book, ["school", "credit"]))
    descending = rows(alice_client.get(reverse(URL), {"sort": "-number"}))
    assert descending[:2] == names(book, ["paid", "issued"])


def test_the_current_column_says_its_order_and_its_link_reverses_it(alice_client, book):
    content = alice_client.get(reverse(URL), {"sort": "total", "status": "issued"}).content.decode()
    header = re.search(
        r'<th scope="col" class="col-total" aria-sort="ascending">\s*<a href="([^"]+)"', content
    )
    assert header is not None
    link = header.group(1).replace("&amp;", "&")
    assert "sort=-total" in link
    assert "status=issued" in link


@pytest.mark.parametrize("sort", ["client__user__password", "id; drop table", "-", "unit__holder"])
def test_an_unknown_sort_is_refused_with_a_message_naming_the_field(alice_client, book, sort):
    response = alice_client.get(reverse(URL), {"sort": sort})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Sort by" in content
    assert "The filters were not applied" in content
    csv_response = alice_client.get(reverse("portal:invoice_list_csv"), {"sort": sort})
    assert csv_response.status_code == 400
    assert "Sort by" in csv_response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["issued", "paid", "school", "credit"]),
        ({"status": "issued"}, ["issued", "paid"]),
        ({"status": "draft"}, ["school", "credit"]),
        ({"kind": "credit_note"}, ["credit"]),
    ],
)
def test_the_totals_are_those_of_the_filtered_rows_credit_notes_deducted(
    alice_client, book, query, expected
):
    figures = totals(alice_client.get(reverse(URL), query))
    assert figures == {
        "count": len(expected),
        "net": sum(Decimal(NET[name]) for name in expected),
        "total": sum(Decimal(TOTAL[name]) for name in expected),
    }


def test_the_totals_of_one_unit_and_one_client(alice_client, book, alice_activity, theatre):
    assert totals(alice_client.get(reverse(URL), {"unit": alice_activity.pk})) == {
        "count": 1,
        "net": Decimal("150.00"),
        "total": Decimal("181.50"),
    }
    # The theatre: 500.00 + 100.00 − 10.00 and 605.00 + 121.00 − 12.10.
    assert totals(alice_client.get(reverse(URL), {"client": theatre.pk})) == {
        "count": 3,
        "net": Decimal("590.00"),
        "total": Decimal("713.90"),
    }


def test_the_totals_count_every_page_not_only_the_one_shown(
    alice_client, alice, alice_3en1, theatre
):
    for _ in range(27):
        invoice_create(by=alice, unit=alice_3en1, client=theatre, lines=[line(unit_price="10.00")])
    response = alice_client.get(reverse(URL))
    assert len(rows(response)) == 25
    # 27 × 10.00 = 270.00 excl. VAT; 27 × 12.10 = 326.70 incl. VAT.
    assert totals(response) == {"count": 27, "net": Decimal("270.00"), "total": Decimal("326.70")}
    content = response.content.decode()
    assert "Total of 27 documents" in content
    assert "€326.70" in content


def test_the_csv_follows_the_filters_and_the_sort(alice_client, book):
    response = alice_client.get(
        reverse("portal:invoice_list_csv"), {"sort": "-total", "status": "issued"}
    )
    assert response.status_code == 200
    header, *lines = csv_rows(response)
    assert [row[0] for row in lines] == [book["issued"].display_number, book["paid"].display_number]
    total_column = header.index("Total incl. VAT (EUR)")
    assert [row[total_column] for row in lines] == ["605.00", "121.00"]


def test_the_sorted_filtered_page_costs_the_same_queries_for_5_or_20_invoices(
    alice_client, alice, alice_3en1, theatre, claire
):
    def issue(count):
        for _ in range(count):
            invoice_issue(
                invoice=invoice_create(by=alice, unit=alice_3en1, client=theatre, lines=[line()]),
                by=claire,
            )

    url = f"{reverse(URL)}?sort=-total&status=issued&unit={alice_3en1.pk}"
    issue(5)
    few = page_queries(alice_client, url)
    issue(15)
    many = page_queries(alice_client, url)
    assert len(rows(alice_client.get(url))) == 20
    assert many == few


def test_bob_sees_none_of_alices_invoices_in_the_table_the_totals_or_the_csv(bob_client, book):
    response = bob_client.get(reverse(URL), {"sort": "total"})
    assert response.status_code == 200
    assert rows(response) == cards(response) == []
    for invoice in book.values():
        assert f'href="{reverse("portal:invoice_detail", args=[invoice.pk])}"' not in (
            response.content.decode()
        )
    header, *lines = csv_rows(bob_client.get(reverse("portal:invoice_list_csv"), {"sort": "total"}))
    assert lines == []


def test_bob_cannot_filter_on_alices_unit_or_client(bob_client, book, alice_3en1, theatre):
    assert bob_client.get(reverse(URL), {"unit": alice_3en1.pk}).status_code == 400
    assert bob_client.get(reverse(URL), {"client": theatre.pk}).status_code == 400
    csv_url = reverse("portal:invoice_list_csv")
    assert bob_client.get(csv_url, {"client": theatre.pk}).status_code == 400
