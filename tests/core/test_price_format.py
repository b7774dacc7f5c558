"""Prices and amounts are written one way everywhere: money to the cent, unit prices with up
to four decimals (at least two), and form fields in the language's decimal separator."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.templatetags.portal import format_amount_input, format_money
from invoicing.invoice_services import invoice_create
from invoicing.models import Client
from tests.invoicing_helpers import line

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (Decimal("80.1"), "fr", f"80,10{NBSP}€"),
        (Decimal("1234.5675"), "fr", f"1{NBSP}234,5675{NBSP}€"),
        (Decimal("1234.5675"), "nl", f"€{NBSP}1.234,5675"),
        (Decimal("1234.5675"), "en", "€1,234.5675"),
        (Decimal("250.0000"), "en", "€250.00"),
        (Decimal("0.12345"), "fr", f"0,1235{NBSP}€"),  # half up at the fourth decimal
        (Decimal("-3.5"), "nl", f"€{NBSP}-3,50"),
    ],
)
def test_a_unit_price_keeps_up_to_four_decimals_and_at_least_two(value, language, expected):
    assert format_money(value, language, max_places=4) == expected


def test_money_stays_to_the_cent():
    assert format_money(Decimal("1234.565"), "fr") == f"1{NBSP}234,57{NBSP}€"


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (Decimal("80.1000"), "fr", "80,10"),
        (Decimal("1234.5675"), "nl", "1234,5675"),
        (Decimal("1234.5"), "en", "1234.50"),
        (Decimal("250"), "fr", "250,00"),
        (None, "fr", ""),
    ],
)
def test_a_form_field_shows_the_amount_in_the_languages_separator(value, language, expected):
    assert format_amount_input(value, language) == expected


@pytest.mark.django_db
def test_a_french_page_prefills_a_saved_price_with_a_comma_and_reads_it_back(
    alice_client, alice, alice_3en1, settings
):
    theatre = Client.objects.get(name="Théâtre de la Place")
    draft = invoice_create(
        by=alice, unit=alice_3en1, client=theatre, lines=[line(unit_price="80.1")]
    )
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = alice_client.get(reverse("portal:invoice_edit", args=[draft.pk]))
    assert 'value="80,10"' in page.content.decode()
    detail = alice_client.get(reverse("portal:invoice_detail", args=[draft.pk])).content.decode()
    assert f"80,10{NBSP}€" in detail
