"""An invoice duplicated as a new draft (issue 16): same client, lines and references, no
number nor date until it is issued; a credit note can't be; another member's invoice is out
of reach; the page asks before it makes the draft."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from core.audit import audit_trail
from invoicing.invoice_services import credit_note_create, invoice_duplicate
from invoicing.lines import lines_of
from invoicing.models import Client, Invoice
from tests.invoicing_helpers import issued_invoice, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(alice, alice_3en1):
    theatre = Client.objects.get(name="Théâtre de la Place")
    return issued_invoice(
        alice, alice_3en1, theatre,
        [line(description="Concert", unit_price="400.00"), line(description="Sono")],
        buyer_reference="PO-77", note="Merci !",
    )  # fmt: skip


def test_a_duplicate_is_a_new_draft_with_the_same_client_lines_and_references(alice, issued):
    copy = invoice_duplicate(invoice=issued, by=alice)
    assert copy.pk != issued.pk and copy.status == Invoice.Status.DRAFT
    assert (copy.number, copy.issue_date) == (None, None)
    assert (copy.unit, copy.client) == (issued.unit, issued.client)
    assert (copy.buyer_reference, copy.note) == ("PO-77", "Merci !")
    assert lines_of(copy) == lines_of(issued)
    assert copy.net_total == issued.net_total
    assert [e.action for e in audit_trail(copy)].count("invoice.duplicated") == 1


def test_a_credit_note_or_another_member_s_invoice_is_refused(alice, bob, issued):
    credit = credit_note_create(invoice=issued, by=alice)
    with pytest.raises(ValidationError):
        invoice_duplicate(invoice=credit, by=alice)
    with pytest.raises(PermissionDenied):
        invoice_duplicate(invoice=issued, by=bob)
    assert Invoice.objects.filter(status=Invoice.Status.DRAFT, kind="invoice").count() == 0


def test_the_page_asks_then_opens_the_new_draft(alice_client, issued, bob):
    url = reverse("portal:invoice_duplicate", args=[issued.pk])
    assert alice_client.get(url).status_code == 200
    assert Invoice.objects.count() == 1
    response = alice_client.post(url)
    copy = Invoice.objects.exclude(pk=issued.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_detail", args=[copy.pk])
    other = HttpClient()
    other.force_login(bob)
    assert other.post(url).status_code == 404
    assert Invoice.objects.count() == 2
