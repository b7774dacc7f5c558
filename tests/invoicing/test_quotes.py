from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.audit import audit_trail
from invoicing.models import Invoice, Quote
from invoicing.quote_services import (
    quote_accept,
    quote_create,
    quote_mark_sent,
    quote_refuse,
    quote_to_invoice,
    quote_update,
)
from tests.invoicing_helpers import line, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_be(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


def test_a_quote_goes_sent_accepted_then_becomes_a_draft_invoice_once(alice, alice_3en1, client_be):
    quote = quote_create(
        by=alice, unit=alice_3en1, client=client_be, lines=[line(quantity="2", unit_price="75")]
    )
    assert quote.number.startswith(f"D-{timezone.localdate().year}-")
    assert quote.total == Decimal("181.50")
    quote = quote_mark_sent(quote=quote, by=alice)
    quote = quote_accept(quote=quote, by=alice)
    invoice = quote_to_invoice(quote=quote, by=alice)
    assert invoice.status == Invoice.Status.DRAFT
    assert invoice.total == quote.total
    assert invoice.order_reference == quote.number
    assert quote_to_invoice(quote=Quote.objects.get(pk=quote.pk), by=alice) == invoice
    assert Invoice.objects.filter(unit=alice_3en1).count() == 1
    actions = [event.action for event in audit_trail(quote)]
    assert actions == ["quote.invoiced", "quote.accepted", "quote.sent", "quote.created"]


def test_a_refused_quote_cannot_be_invoiced_or_accepted(alice, alice_3en1, client_be):
    quote = quote_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])
    quote_mark_sent(quote=quote, by=alice)
    quote_refuse(quote=quote, by=alice, reason="Budget")
    with pytest.raises(ValidationError):
        quote_accept(quote=quote, by=alice)
    with pytest.raises(ValidationError):
        quote_to_invoice(quote=quote, by=alice)


def test_a_quote_can_only_change_while_draft(alice, alice_3en1, client_be):
    quote = quote_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])
    quote_update(quote=quote, by=alice, lines=[line(unit_price="50")])
    assert Quote.objects.get(pk=quote.pk).net_total == Decimal("50.00")
    quote_mark_sent(quote=quote, by=alice)
    with pytest.raises(ValidationError):
        quote_update(quote=quote, by=alice, note="late change")


def test_bad_quotes_are_refused_and_nothing_saved(alice, alice_3en1, client_be, bob):
    before = Quote.objects.count()
    with pytest.raises(ValidationError):
        quote_create(by=alice, unit=alice_3en1, client=client_be, lines=[line(quantity="0")])
    with pytest.raises(ValidationError):
        quote_create(
            by=alice,
            unit=alice_3en1,
            client=client_be,
            lines=[line()],
            valid_until=timezone.localdate() - timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        quote_create(by=bob, unit=alice_3en1, client=client_be, lines=[line()])
    assert Quote.objects.count() == before
