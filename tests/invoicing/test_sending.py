"""Sending issued documents: channels, Peppol through the access point, e-mail with PDF + UBL,
one transmission per document and channel, retries, idempotency."""

import json
import smtplib
import sys
import types

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import audit_trail
from invoicing.access_points import TransientError
from invoicing.invoice_services import invoice_create
from invoicing.models import Client, Invoice, Transmission
from invoicing.sending import channels_for, document_send, document_send_enqueue
from invoicing.tasks import send_document
from smartcoop.celery import app as celery_app
from tests.invoicing.test_access_points import FakeAccessPoint
from tests.invoicing_helpers import issued_invoice, line, make_client

pytestmark = pytest.mark.django_db

PEPPOL, EMAIL = Transmission.Channel.PEPPOL, Transmission.Channel.EMAIL
FAKE_PDF = b"%PDF-1.7 test document"


def _replace(monkeypatch, module_name: str, attribute: str, function) -> None:
    """Patch a renderer, or provide it when its module is not written yet."""
    try:
        __import__(module_name)
    except ImportError:
        monkeypatch.setitem(sys.modules, module_name, types.ModuleType(module_name))
    monkeypatch.setattr(sys.modules[module_name], attribute, function)


@pytest.fixture(autouse=True)
def _media_and_outbox(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PEPPOL_ACCESS_POINT = "file"
    settings.PEPPOL_OUTBOX_DIR = str(tmp_path / "outbox")
    try:
        import invoicing.ubl  # noqa: F401  (the real UBL when it exists)
    except ImportError:
        _replace(monkeypatch, "invoicing.ubl", "build_ubl", _minimal_ubl)


def _minimal_ubl(invoice) -> bytes:
    return (
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:"
        "billing:3.0</cbc:CustomizationID>"
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>"
        f"<cbc:ID>{invoice.display_number}</cbc:ID></Invoice>"
    ).encode()


@pytest.fixture
def fast_pdf(monkeypatch):
    """WeasyPrint takes most of a second a document: most tests don't need the real PDF."""
    _replace(monkeypatch, "invoicing.pdf", "render_pdf", lambda invoice: FAKE_PDF)


@pytest.fixture
def fake_ap(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = FakeAccessPoint()
    settings.PEPPOL_ACCESS_POINT = "http"
    settings.PEPPOL_AP_URL = server.url
    settings.PEPPOL_AP_TOKEN = "test-token"
    yield server
    server.stop()


@pytest.fixture
def client_be(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


@pytest.fixture
def invoice(alice, alice_3en1, client_be):
    return issued_invoice(alice, alice_3en1, client_be, [line(unit_price="200.00")])


def _outbox(settings, suffix: str):
    from pathlib import Path

    return Path(settings.PEPPOL_OUTBOX_DIR) / f"smartcoop-F-{invoice_year()}-000001.{suffix}"


def invoice_year() -> int:
    return Invoice.objects.issued().values_list("year", flat=True).first()


# --- which channels -------------------------------------------------------------------


def test_a_belgian_company_gets_peppol_and_email(invoice):
    assert invoice.buyer["peppol_endpoint"] == "0208:0403170701"
    assert channels_for(invoice) == [PEPPOL, EMAIL]


def test_a_belgian_company_without_email_gets_peppol_only(alice, alice_3en1, claire):
    client = make_client(alice, alice_3en1, verify_by=claire, email="")
    invoice = issued_invoice(alice, alice_3en1, client, [line()])

    assert channels_for(invoice) == [PEPPOL]


def test_a_private_person_gets_email_only(alice, alice_3en1, claire):
    person = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        kind=Client.Kind.PERSON,
        name="Jeanne Dupont",
        enterprise_number="",
        email="jeanne@example.test",
    )
    invoice = issued_invoice(alice, alice_3en1, person, [line()])

    assert channels_for(invoice) == [EMAIL]


def test_a_foreign_company_gets_email_only(alice, alice_3en1, claire):
    french = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        country="FR",
        enterprise_number="",
        vat_number="FR40303265045",
        name="Compagnie Lyonnaise SAS",
        postal_code="69001",
        city="Lyon",
    )
    invoice = issued_invoice(alice, alice_3en1, french, [line()])

    assert channels_for(invoice) == [EMAIL]


# --- Peppol through the file outbox (the default access point) --------------------------


def test_peppol_send_writes_the_ubl_and_envelope_to_the_outbox(settings, invoice, alice, fast_pdf):
    transmission = document_send(invoice=invoice, channel=PEPPOL, by=alice)

    invoice.refresh_from_db()
    envelope = json.loads(_outbox(settings, "json").read_bytes())
    assert envelope["sender"] == "0208:0450010021"  # SmartCoop SC's enterprise number
    assert envelope["receiver"] == "0208:0403170701"  # the buyer's endpoint
    assert envelope["document_type"].startswith(
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
    )
    with invoice.ubl.open("rb") as stored:
        assert _outbox(settings, "xml").read_bytes() == stored.read()
    assert transmission.status == Transmission.Status.SENT
    assert transmission.external_id == envelope["message_id"]
    assert transmission.recipient == "0208:0403170701"
    assert transmission.attempts == 1
    assert transmission.sent_at is not None
    assert "invoice.sent" in [event.action for event in audit_trail(invoice)]


def test_sending_renders_the_missing_documents_first(invoice, alice, fast_pdf):
    assert not invoice.ubl and not invoice.pdf

    document_send(invoice=invoice, channel=PEPPOL, by=alice)

    invoice.refresh_from_db()
    assert invoice.ubl and invoice.pdf


# --- Peppol through the REST access point ---------------------------------------------


def test_peppol_success_stores_the_access_points_message_id(fake_ap, invoice, alice, fast_pdf):
    transmission = document_send(invoice=invoice, channel=PEPPOL, by=alice)

    assert transmission.status == Transmission.Status.SENT
    assert transmission.external_id == "ap-msg-1"
    [request] = fake_ap.requests
    assert request["headers"]["Idempotency-Key"] == f"smartcoop-{invoice.display_number}"
    assert request["headers"]["Authorization"] == "Bearer test-token"
    assert request["body"]["receiver"] == "0208:0403170701"


def test_a_server_error_is_recorded_then_the_retry_succeeds(fake_ap, invoice, alice, fast_pdf):
    fake_ap.answer(500)

    with pytest.raises(TransientError):
        document_send(invoice=invoice, channel=PEPPOL, by=alice)
    failed = Transmission.objects.get(invoice=invoice, channel=PEPPOL)
    assert failed.status == Transmission.Status.FAILED
    assert "500" in failed.last_error
    assert failed.attempts == 1

    sent = document_send(invoice=invoice, channel=PEPPOL, by=alice)

    assert sent.pk == failed.pk
    assert sent.status == Transmission.Status.SENT
    assert sent.attempts == 2
    assert sent.last_error == ""
    keys = [request["headers"]["Idempotency-Key"] for request in fake_ap.requests]
    assert keys == [f"smartcoop-{invoice.display_number}"] * 2
    actions = [event.action for event in audit_trail(invoice)]
    assert actions.count("invoice.sending_failed") == 1 and actions.count("invoice.sent") == 1


def test_a_rejection_is_recorded_as_failed_and_not_raised(fake_ap, invoice, alice, fast_pdf):
    fake_ap.answer(400)

    transmission = document_send(invoice=invoice, channel=PEPPOL, by=alice)

    assert transmission.status == Transmission.Status.FAILED
    assert "400" in transmission.last_error
    assert transmission.external_id == ""


def test_sending_twice_after_success_makes_one_request_and_one_transmission(
    fake_ap, invoice, alice, fast_pdf
):
    first = document_send(invoice=invoice, channel=PEPPOL, by=alice)
    second = document_send(invoice=invoice, channel=PEPPOL, by=alice)

    assert len(fake_ap.requests) == 1
    assert second.pk == first.pk
    assert (second.attempts, second.external_id) == (1, "ap-msg-1")
    assert Transmission.objects.filter(invoice=invoice, channel=PEPPOL).count() == 1


# --- the Celery task ------------------------------------------------------------------


@pytest.fixture
def worker_like():
    """Eager tasks that handle retries as a worker does, instead of raising Retry."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


def test_the_task_retries_a_server_error_until_it_is_sent(fake_ap, invoice, fast_pdf, worker_like):
    fake_ap.answer(500, 503)

    result = send_document.delay(invoice.pk, PEPPOL)

    assert result.successful()
    transmission = Transmission.objects.get(invoice=invoice, channel=PEPPOL)
    assert transmission.status == Transmission.Status.SENT
    assert transmission.attempts == 3
    assert len(fake_ap.requests) == 3


def test_the_task_does_not_retry_a_rejection(fake_ap, invoice, fast_pdf, worker_like):
    fake_ap.answer(400)

    send_document.delay(invoice.pk, PEPPOL)

    assert len(fake_ap.requests) == 1
    transmission = Transmission.objects.get(invoice=invoice, channel=PEPPOL)
    assert (transmission.status, transmission.attempts) == (Transmission.Status.FAILED, 1)


def test_the_task_gives_up_after_six_retries(fake_ap, invoice, fast_pdf, worker_like):
    fake_ap.answer(*[500] * 10)

    result = send_document.delay(invoice.pk, PEPPOL)

    assert result.failed()
    assert isinstance(result.result, TransientError)
    assert len(fake_ap.requests) == 7
    transmission = Transmission.objects.get(invoice=invoice, channel=PEPPOL)
    assert (transmission.status, transmission.attempts) == (Transmission.Status.FAILED, 7)


def test_the_task_run_twice_sends_once(fake_ap, invoice, fast_pdf):
    send_document.delay(invoice.pk, PEPPOL)
    send_document.delay(invoice.pk, PEPPOL)

    assert len(fake_ap.requests) == 1


def test_enqueue_sends_on_every_channel_after_commit(
    invoice, fast_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        channels = document_send_enqueue(invoice=invoice)

    assert channels == [PEPPOL, EMAIL]
    statuses = dict(Transmission.objects.filter(invoice=invoice).values_list("channel", "status"))
    assert statuses == {PEPPOL: Transmission.Status.SENT, EMAIL: Transmission.Status.SENT}
    assert len(mail.outbox) == 1


# --- e-mail ---------------------------------------------------------------------------


def test_email_carries_the_pdf_and_the_ubl_to_the_buyer(invoice, alice, fast_pdf):
    transmission = document_send(invoice=invoice, channel=EMAIL, by=alice)

    [message] = mail.outbox
    invoice.refresh_from_db()
    assert message.to == ["compta@brasserie.test"]
    assert invoice.display_number in message.subject
    assert "SmartCoop SC" in message.subject
    assert message.reply_to == [alice.email]
    names = [(name, mimetype) for name, _content, mimetype in message.attachments]
    assert names == [
        (f"{invoice.display_number}.pdf", "application/pdf"),
        (f"{invoice.display_number}.xml", "application/xml"),
    ]
    assert message.attachments[0][1] == FAKE_PDF
    with invoice.ubl.open("rb") as stored:
        assert message.attachments[1][1] == stored.read()
    reference = invoice.structured_reference
    assert f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++" in message.body
    assert "BE15 0682 1111 1130" in message.body
    assert transmission.status == Transmission.Status.SENT
    assert transmission.recipient == "compta@brasserie.test"
    assert transmission.external_id == message.extra_headers["Message-ID"]


def test_email_attaches_the_real_pdf(invoice, alice):
    document_send(invoice=invoice, channel=EMAIL, by=alice)

    pdf = mail.outbox[0].attachments[0][1]
    assert pdf.startswith(b"%PDF")


def test_email_is_written_in_the_documents_language(alice, alice_3en1, client_be, fast_pdf):
    dutch = issued_invoice(alice, alice_3en1, client_be, [line()], language="nl")
    english = issued_invoice(alice, alice_3en1, client_be, [line()], language="en")

    document_send(invoice=dutch, channel=EMAIL, by=alice)
    document_send(invoice=english, channel=EMAIL, by=alice)

    due = dutch.due_date
    # Belgian dates in every language: dd/mm/yyyy, never 17-12-2026 (the Netherlands) or
    # 12/17/2026 (the United States).
    assert due.strftime("%d/%m/%Y") in mail.outbox[0].body  # nl
    assert due.strftime("%d/%m/%Y") in mail.outbox[1].body  # en


def test_email_sent_once_however_often_it_is_asked(invoice, alice, fast_pdf):
    document_send(invoice=invoice, channel=EMAIL, by=alice)
    document_send(invoice=invoice, channel=EMAIL, by=alice)

    assert len(mail.outbox) == 1


def test_a_mail_server_outage_is_transient(invoice, alice, fast_pdf, monkeypatch):
    def down(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)

    with pytest.raises(TransientError):
        document_send(invoice=invoice, channel=EMAIL, by=alice)
    transmission = Transmission.objects.get(invoice=invoice, channel=EMAIL)
    assert transmission.status == Transmission.Status.FAILED
    assert "connection lost" in transmission.last_error


def test_a_refused_address_is_a_permanent_failure(invoice, alice, fast_pdf, monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"compta@brasserie.test": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)

    transmission = document_send(invoice=invoice, channel=EMAIL, by=alice)

    assert transmission.status == Transmission.Status.FAILED
    assert "refused" in transmission.last_error


# --- what can't be sent ---------------------------------------------------------------


def test_a_draft_cannot_be_sent(alice, alice_3en1, client_be):
    draft = invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])

    with pytest.raises(ValidationError, match="issued"):
        document_send(invoice=draft, channel=EMAIL, by=alice)
    assert not Transmission.objects.exists()


def test_peppol_needs_the_buyers_endpoint(alice, alice_3en1, claire):
    person = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        kind=Client.Kind.PERSON,
        name="Jeanne Dupont",
        enterprise_number="",
    )
    invoice = issued_invoice(alice, alice_3en1, person, [line()])

    with pytest.raises(ValidationError) as caught:
        document_send(invoice=invoice, channel=PEPPOL, by=alice)
    assert "Peppol endpoint" in caught.value.message_dict["channel"][0]
    assert not Transmission.objects.filter(channel=PEPPOL).exists()


def test_email_needs_the_buyers_address(alice, alice_3en1, claire):
    client = make_client(alice, alice_3en1, verify_by=claire, email="")
    invoice = issued_invoice(alice, alice_3en1, client, [line()])

    with pytest.raises(ValidationError, match="e-mail address"):
        document_send(invoice=invoice, channel=EMAIL, by=alice)
    assert not Transmission.objects.filter(channel=EMAIL).exists()


def test_an_unknown_channel_is_refused(invoice, alice):
    with pytest.raises(ValidationError, match="Unknown channel"):
        document_send(invoice=invoice, channel="fax", by=alice)


def test_a_member_cannot_send_another_members_document(invoice, bob):
    with pytest.raises(PermissionDenied):
        document_send(invoice=invoice, channel=EMAIL, by=bob)
    assert not Transmission.objects.filter(attempts__gt=0).exists()
    assert mail.outbox == []


def test_an_advisor_can_send_a_members_document(invoice, claire, fast_pdf):
    transmission = document_send(invoice=invoice, channel=EMAIL, by=claire)

    assert transmission.status == Transmission.Status.SENT
