"""The member journey through the portal, end to end with the test client: alice adds a
client, an advisor verifies it, alice invoices it with two lines and submits, the invoice is
issued and sent, she downloads its PDF and UBL, the bank statement pays it, the page says
"paid"."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from pypdf import PdfReader

from invoicing.models import Client, Invoice, Transmission
from invoicing.payment_services import bank_statement_import
from invoicing.services import client_verify
from tests.invoicing.test_portal_invoices import document_data, line_data

pytestmark = pytest.mark.django_db

UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


@pytest.fixture(autouse=True)
def _english_media_and_outbox(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PEPPOL_ACCESS_POINT = "file"
    settings.PEPPOL_OUTBOX_DIR = str(tmp_path / "outbox")


def camt053(*, iban: str, amount: Decimal, reference: str, day) -> bytes:
    """A one-entry camt.053.001.02 statement crediting `amount` with a structured reference."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>JOURNEY-1</MsgId><CreDtTm>{day}T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{day}-0001</Id>
      <CreDtTm>{day}T06:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <AcctSvcrRef>JOURNEY-0001</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <RltdPties><Dbtr><Nm>STUDIO NORD SRL</Nm></Dbtr></RltdPties>
            <RmtInf>
              <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>
                <Ref>{reference}</Ref></CdtrRefInf></Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def test_create_client_invoice_issue_download_pay(
    alice_client, alice_3en1, claire, settings, django_capture_on_commit_callbacks
):
    # 1. Alice adds a client from the portal.
    response = alice_client.post(
        reverse("portal:client_create"),
        {
            "kind": Client.Kind.COMPANY,
            "name": "Studio Nord SRL",
            "country": "BE",
            "enterprise_number": "0450.123.451",
            "street": "Rue Neuve 3",
            "postal_code": "1000",
            "city": "Bruxelles",
            "email": "compta@studio.test",
            "units": [alice_3en1.pk],
        },
    )
    assert response.status_code == 302
    studio = Client.objects.get(name="Studio Nord SRL")
    assert not studio.is_verified

    # 2. Her advisor verifies it (the back-office calls the same service).
    client_verify(client=studio, by=claire)

    # 3. Alice invoices it, two lines; the live totals announce what will be saved.
    lines = [
        line_data(description="Concert", quantity="1", unit_price="800"),
        line_data(description="Livret", quantity="20", unit_price="4,50", vat="S:6.00"),
    ]
    data = document_data(lines, unit=alice_3en1, client=studio, buyer_reference="NORD-12")
    totals = alice_client.post(reverse("portal:lines_totals"), data).content.decode()
    assert 'data-total="1063.40"' in totals  # 800 + 168 VAT; 90 + 5.40 VAT
    response = alice_client.post(reverse("portal:invoice_create"), data)
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.total) == (Invoice.Status.DRAFT, Decimal("1063.40"))

    # 4. She submits it: the client is verified and the amount small, so it is issued at
    # once; its PDF and UBL are rendered and sent after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("portal:invoice_submit", args=[invoice.pk]), follow=True
        )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    number = invoice.display_number
    assert f"Invoice {number} is issued." in response.content.decode()
    sent = dict(invoice.transmissions.values_list("channel", "status"))
    assert sent == {
        Transmission.Channel.PEPPOL: Transmission.Status.SENT,
        Transmission.Channel.EMAIL: Transmission.Status.SENT,
    }
    assert [message.to for message in mail.outbox] == [["compta@studio.test"]]
    assert sorted(Path(settings.PEPPOL_OUTBOX_DIR).iterdir())  # the UBL went to the outbox

    # 5. She downloads the PDF and the UBL.
    pdf = alice_client.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    assert number in " ".join(page.extract_text() for page in reader.pages)
    ubl = alice_client.get(reverse("portal:invoice_ubl", args=[invoice.pk]))
    assert ubl.status_code == 200
    document = etree.fromstring(b"".join(ubl.streaming_content))
    assert document.findtext(f"{{{UBL_CBC}}}ID") == number

    page = alice_client.get(reverse("portal:invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-payment-state="unpaid"' in page

    # 6. The bank statement pays it with the structured communication.
    statement = camt053(
        iban=invoice.seller["iban"],
        amount=invoice.total,
        reference=invoice.structured_reference,
        day=timezone.localdate().isoformat(),
    )
    result = bank_statement_import(file_bytes=statement, by=claire)
    assert (result.created, result.matched) == (1, 1)

    # 7. The invoice page says it is paid, with nothing left to pay.
    page = alice_client.get(reverse("portal:invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-payment-state="paid"' in page
    assert "data-balance-due>€0.00<" in page
    assert "payment received" in page.split('id="history-title"', 1)[1]
