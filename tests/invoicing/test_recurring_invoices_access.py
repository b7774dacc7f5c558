"""Access to the recurring invoices' URLs: the owner reaches them, another member gets 404
and changes nothing, an anonymous visitor is sent to the login page."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Client, RecurringInvoice
from invoicing.recurring import recurrence_start
from tests.invoicing_helpers import issued_invoice, line

pytestmark = pytest.mark.django_db

PORTAL_URLS = {"invoice_repeat": "invoice", "recurrence_stop": "recurrence"}


@pytest.fixture
def objects(alice, alice_3en1):
    theatre = Client.objects.get(name="Théâtre de la Place")
    invoice = issued_invoice(alice, alice_3en1, theatre, [line()])
    today = timezone.localdate()
    recurrence = recurrence_start(
        invoice=invoice, frequency="monthly", first_date=today, by=alice, today=today
    )
    return {"invoice": invoice, "recurrence": recurrence}


def _url(name, objects):
    return reverse(f"portal:{name}", args=[objects[PORTAL_URLS[name]].pk])


def _data():
    return {"frequency": "yearly", "first_date": f"{timezone.localdate():%Y-%m-%d}"}


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_the_owner_reaches_it(alice, objects, name):
    client = HttpClient()
    client.force_login(alice)
    assert client.post(_url(name, objects), _data()).status_code == 302


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_another_member_gets_404_and_changes_nothing(bob, objects, name):
    client = HttpClient()
    client.force_login(bob)
    assert client.post(_url(name, objects), _data()).status_code == 404
    assert RecurringInvoice.objects.filter(active=True).count() == 1


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_sent_to_the_login_page(objects, name):
    response = HttpClient().post(_url(name, objects), _data())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
