"""Recurring invoices (issue 16): repeated every month or year, a draft made on each date
for the member to check and submit (nothing issued by itself), one draft per date even when
run twice, a missed day caught up once, stopped by the member; the page's form and refusals."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from invoicing.lines import lines_of
from invoicing.models import Client, Invoice, RecurringInvoice
from invoicing.recurring import (
    next_after,
    recurrence_start,
    recurrence_stop,
    recurrences_make_due,
)
from tests.invoicing_helpers import issued_invoice, line

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)


@pytest.fixture
def invoice(alice, alice_3en1):
    theatre = Client.objects.get(name="Théâtre de la Place")
    return issued_invoice(alice, alice_3en1, theatre, [line(description="Cours mensuel")])


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (date(2026, 1, 31), "monthly", date(2026, 2, 28)),
        (date(2028, 1, 31), "monthly", date(2028, 2, 29)),
        (date(2026, 12, 15), "monthly", date(2027, 1, 15)),
        (date(2028, 2, 29), "yearly", date(2029, 2, 28)),
    ],
)
def test_the_next_date(day, frequency, expected):
    assert next_after(day, frequency) == expected


def test_a_draft_on_each_date_once_and_the_date_moves_on(alice, invoice):
    recurrence = recurrence_start(
        invoice=invoice, frequency="monthly", first_date=TODAY, by=alice, today=TODAY
    )
    assert recurrences_make_due(today=TODAY - timedelta(days=1)).made == []
    made = recurrences_make_due(today=TODAY).made
    assert len(made) == 1
    draft = made[0]
    assert draft.status == Invoice.Status.DRAFT and draft.number is None
    assert (draft.client, lines_of(draft)) == (invoice.client, lines_of(invoice))
    assert recurrences_make_due(today=TODAY).made == []  # run twice: nothing more
    recurrence.refresh_from_db()
    assert recurrence.next_date == date(2027, 1, 7)
    # Three months missed: one draft, the date past today.
    made = recurrences_make_due(today=date(2027, 4, 20)).made
    assert len(made) == 1
    recurrence.refresh_from_db()
    assert recurrence.next_date == date(2027, 5, 7)


def test_stopped_it_makes_nothing(alice, invoice):
    recurrence = recurrence_start(
        invoice=invoice, frequency="yearly", first_date=TODAY, by=alice, today=TODAY
    )
    recurrence_stop(recurrence=recurrence, by=alice)
    assert recurrences_make_due(today=TODAY + timedelta(days=400)).made == []


def test_refusals_name_the_field(alice, bob, invoice):
    with pytest.raises(ValidationError) as refused:
        recurrence_start(
            invoice=invoice, frequency="weekly", first_date=TODAY - timedelta(days=1),
            by=alice, today=TODAY,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"frequency", "first_date"}
    assert not RecurringInvoice.objects.exists()


def test_the_page_repeats_and_stops(alice_client, invoice):
    today = timezone.localdate()
    url = reverse("portal:invoice_repeat", args=[invoice.pk])
    bad = alice_client.post(url, {"frequency": "monthly", "first_date": "2001-01-01"})
    assert bad.status_code == 400 and not RecurringInvoice.objects.exists()
    response = alice_client.post(url, {"frequency": "monthly", "first_date": f"{today:%Y-%m-%d}"})
    assert response.status_code == 302
    recurrence = RecurringInvoice.objects.get()
    page = alice_client.get(reverse("portal:invoice_detail", args=[invoice.pk])).content.decode()
    assert reverse("portal:recurrence_stop", args=[recurrence.pk]) in page
    alice_client.post(reverse("portal:recurrence_stop", args=[recurrence.pk]))
    recurrence.refresh_from_db()
    assert not recurrence.active
