"""A draft can be previewed as a PDF before it is issued (issue 16): marked as a preview, with
its lines and client, no number and nothing stored."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Client, Invoice
from tests.invoicing_helpers import line

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice, alice_3en1):
    client = Client.objects.get(name="Théâtre de la Place")
    return invoice_create(
        by=alice, unit=alice_3en1, client=client, lines=[line("Répétition générale", "3", "80.00")]
    )


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_the_draft_page_offers_the_preview_and_the_pdf_shows_the_draft(alice_client, draft):
    page = alice_client.get(reverse("portal:invoice_detail", args=[draft.pk]))
    url = reverse("portal:invoice_preview", args=[draft.pk])
    assert url in page.content.decode()
    response = alice_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response)
    assert "Répétition générale" in text
    assert "Théâtre de la Place" in text
    # 3 × 80.00 = 240.00 excl. VAT, written the Belgian way.
    assert "240,00" in text
    # Marked as a preview (the document's language is French): never taken for an invoice.
    assert "spécimen" in text.lower()
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.DRAFT and not draft.pdf


def test_an_issued_invoice_has_no_preview_but_its_own_pdf(alice_client, draft, claire):
    issued = invoice_issue(invoice=draft, by=claire)
    response = alice_client.get(reverse("portal:invoice_preview", args=[issued.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_pdf", args=[issued.pk])
