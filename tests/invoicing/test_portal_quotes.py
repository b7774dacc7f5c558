"""The portal's quote pages: create and edit with the same lines and live totals as invoices,
PDF, mark sent, accept, refuse with a reason, turn into an invoice; list and search."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from core.audit import audit_trail
from core.models import AuditEvent
from invoicing.models import Client, Invoice, InvoiceBranding, Quote
from invoicing.quote_services import quote_accept, quote_create, quote_mark_sent
from tests.invoicing.test_portal_invoices import document_data, line_data, reason
from tests.invoicing_helpers import line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_media(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def theatre(alice):
    return Client.objects.get(name="Théâtre de la Place")


@pytest.fixture
def draft_quote(alice, alice_3en1, theatre):
    return quote_create(
        by=alice, unit=alice_3en1, client=theatre, lines=[line("Concert", "2", "300.00")]
    )


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_quote_is_created_through_the_service_with_its_lines(
    alice_client, alice, alice_3en1, theatre
):
    valid_until = timezone.localdate().replace(year=timezone.localdate().year + 1)
    data = document_data(
        [line_data(description="Concert", quantity="2", unit_price="300")],
        unit=alice_3en1,
        client=theatre,
        valid_until=valid_until.isoformat(),
        note="Sound system included",
        language="",
    )
    response = alice_client.post(reverse("portal:quote_create"), data)
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:quote_detail", args=[quote.pk])
    assert quote.number.startswith(f"D-{timezone.localdate().year}-")
    assert (quote.total, quote.valid_until, quote.note) == (
        Decimal("726.00"),
        valid_until,
        "Sound system included",
    )
    assert audit_trail(quote).first().actor == alice


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([line_data(quantity="-1")], "Line 1: the quantity must be more than zero."),
        ([line_data(vat="S:19.00")], "VAT S at 19.00 % is not a rate in force"),
        ([line_data(vat="E:0.00")], "a line without VAT needs its legal exemption reason"),
        ([line_data(unit_price="abc")], "Write a number, like 12 or 12.50."),
        ([], "Add at least one line."),
    ],
)
def test_a_quote_with_bad_lines_is_refused_and_nothing_is_saved(
    alice_client, alice_3en1, theatre, lines, message
):
    events = AuditEvent.objects.count()
    response = alice_client.post(
        reverse("portal:quote_create"), document_data(lines, unit=alice_3en1, client=theatre)
    )
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not Quote.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_quote_for_a_client_of_another_unit_is_refused(alice_client, alice_activity, theatre):
    response = alice_client.post(
        reverse("portal:quote_create"),
        document_data([line_data()], unit=alice_activity, client=theatre),
    )
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
    assert not Quote.objects.exists()


def test_a_past_validity_date_lands_on_its_field(alice_client, alice_3en1, theatre):
    response = alice_client.post(
        reverse("portal:quote_create"),
        document_data([line_data()], unit=alice_3en1, client=theatre, valid_until="2020-01-01"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["valid_until"] == [
        "The validity date can't be in the past."
    ]
    assert not Quote.objects.exists()


def test_a_draft_quote_is_edited_with_its_lines_prefilled(alice_client, draft_quote):
    url = reverse("portal:quote_edit", args=[draft_quote.pk])
    page = alice_client.get(url)
    assert [form.initial["unit_price"] for form in page.context["formset"]] == ["300.00"]
    data = document_data(
        [line_data(description="Concert", quantity="3", unit_price="300")],
        note="Three concerts",
    )
    assert alice_client.post(url, data).status_code == 302
    draft_quote.refresh_from_db()
    assert (draft_quote.net_total, draft_quote.note) == (Decimal("900.00"), "Three concerts")


def test_the_quote_pdf_holds_its_number_lines_totals_and_the_legal_mentions(
    alice_client, alice, alice_3en1, draft_quote
):
    InvoiceBranding.objects.create(
        unit=alice_3en1, texts={"fr": {"introduction": "Voici notre proposition"}}
    )
    response = alice_client.get(reverse("portal:quote_pdf", args=[draft_quote.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert draft_quote.number in text
    assert "Concert" in text
    assert "726,00" in text  # French: the client's language (a Brussels address)
    assert "Voici notre proposition" in text
    assert "SmartCoop" in text
    assert "0403.170.701" in text  # the client's enterprise number


def test_a_quote_goes_sent_accepted_then_becomes_a_draft_invoice(alice_client, alice, draft_quote):
    sent_url = reverse("portal:quote_mark_sent", args=[draft_quote.pk])
    assert "Mark this quote as sent?" in alice_client.get(sent_url).content.decode()
    assert alice_client.post(sent_url).status_code == 302
    assert Quote.objects.get(pk=draft_quote.pk).status == Quote.Status.SENT
    assert alice_client.post(reverse("portal:quote_accept", args=[draft_quote.pk])).status_code
    assert Quote.objects.get(pk=draft_quote.pk).status == Quote.Status.ACCEPTED
    response = alice_client.post(reverse("portal:quote_to_invoice", args=[draft_quote.pk]))
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_detail", args=[invoice.pk])
    assert invoice.status == Invoice.Status.DRAFT
    assert (invoice.total, invoice.order_reference) == (Decimal("726.00"), draft_quote.number)
    quote = Quote.objects.get(pk=draft_quote.pk)
    assert (quote.status, quote.invoice) == (Quote.Status.INVOICED, invoice)
    page = alice_client.get(reverse("portal:quote_detail", args=[quote.pk])).content.decode()
    assert reverse("portal:invoice_detail", args=[invoice.pk]) in page
    history = page.split('id="history-title"', 1)[1]
    for action in ("created", "marked as sent", "accepted by the client", "turned into an invoice"):
        assert action in history


def test_a_refusal_records_the_reason(alice_client, alice, draft_quote):
    quote_mark_sent(quote=draft_quote, by=alice)
    url = reverse("portal:quote_refuse", args=[draft_quote.pk])
    assert 'name="reason"' in alice_client.get(url).content.decode()
    response = alice_client.post(url, {"reason": "Budget cut"})
    assert response.status_code == 302
    assert Quote.objects.get(pk=draft_quote.pk).status == Quote.Status.REFUSED
    event = audit_trail(draft_quote).first()
    assert (event.action, event.reason) == ("quote.refused", "Budget cut")
    page = alice_client.get(reverse("portal:quote_detail", args=[draft_quote.pk])).content
    assert "Budget cut" in page.decode()


def test_a_step_out_of_order_is_refused_and_changes_nothing(alice_client, draft_quote):
    events = AuditEvent.objects.count()
    refusals = {
        "quote_accept": "This quote is draft: that is not possible now.",
        "quote_refuse": "This quote is draft: that is not possible now.",
        "quote_to_invoice": "Only an accepted quote can become an invoice.",
    }
    for name, message in refusals.items():
        url = reverse(f"portal:{name}", args=[draft_quote.pk])
        assert alice_client.get(url).status_code == 302  # back to the quote, with a message
        response = alice_client.post(url, {"reason": "x"})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert Quote.objects.get(pk=draft_quote.pk).status == Quote.Status.DRAFT
    assert not Invoice.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_sent_quote_cannot_be_edited_any_more(alice_client, alice, draft_quote):
    quote_mark_sent(quote=draft_quote, by=alice)
    url = reverse("portal:quote_edit", args=[draft_quote.pk])
    assert alice_client.get(url).status_code == 302
    response = alice_client.post(url, document_data([line_data(unit_price="1")]))
    assert response.status_code == 400
    assert "Only a draft quote can be changed." in response.content.decode()
    assert Quote.objects.get(pk=draft_quote.pk).total == Decimal("726.00")


def test_the_quote_list_filters_by_status_and_searches(
    alice_client, alice, alice_3en1, theatre, draft_quote
):
    other = quote_create(by=alice, unit=alice_3en1, client=theatre, lines=[line()])
    quote_accept(quote=quote_mark_sent(quote=other, by=alice), by=alice)
    url = reverse("portal:quote_list")

    def listed(**params):
        content = alice_client.get(url, params).content.decode()
        return sorted(int(pk) for pk in re.findall(r'data-quote="(\d+)"', content))

    assert listed() == sorted([draft_quote.pk, other.pk])
    assert listed(status="accepted") == [other.pk]
    assert listed(q=draft_quote.number) == [draft_quote.pk]
    assert listed(q="théâtre") == sorted([draft_quote.pk, other.pk])
    assert alice_client.get(url, {"status": "lost"}).status_code == 400


def test_the_live_totals_serve_quotes_too(alice_client, alice_3en1, theatre):
    lines = [line_data(vat="E:0.00", exemption_reason=reason("E"), unit_price="250")]
    response = alice_client.post(
        reverse("portal:lines_totals"), document_data(lines, unit=alice_3en1, client=theatre)
    )
    assert response.status_code == 200
    assert 'data-total="250.00"' in response.content.decode()
