"""Peppol access-point adapters: the file outbox and the REST client (against a local server)."""

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from invoicing.access_points import (
    FileOutbox,
    HttpAccessPoint,
    PermanentError,
    TransientError,
    access_point,
    describe_document,
)

UBL = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>F-2026-000001</cbc:ID>
</Invoice>
"""
INVOICE_TYPE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)
PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SENDER = "0208:0450010021"
RECEIVER = "0208:0403170701"


class FakeAccessPoint:
    """A REST access point on 127.0.0.1 (a free port) for the tests.

    It records every request (path, headers, JSON body) and answers from a script of
    statuses given with answer(); once the script is used up it answers 201 with a message
    id, the same id for a repeated Idempotency-Key, as a real access point does.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[int] = []
        self.ids: dict[str, str] = {}
        self.server = HTTPServer(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/api/"

    def answer(self, *statuses: int) -> None:
        self.script.extend(statuses)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                fake.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
                )
                status = fake.script.pop(0) if fake.script else 201
                headers = {"Retry-After": "7"} if status == 429 else {}
                if status == 201:
                    key = self.headers.get("Idempotency-Key", "")
                    answer = {"id": fake.ids.setdefault(key, f"ap-msg-{len(fake.ids) + 1}")}
                else:
                    answer = {"error": f"scripted {status}"}
                payload = json.dumps(answer).encode()
                self.send_response(status)
                for name, value in {**headers, "Content-Type": "application/json"}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                pass

        return Handler


@pytest.fixture
def fake_ap(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = FakeAccessPoint()
    yield server
    server.stop()


def _http(fake_ap, **kwargs):
    return HttpAccessPoint(url=fake_ap.url, token="ap-secret-token", timeout=5, **kwargs)


def _send(ap, document_id="smartcoop-F-2026-000001", ubl=UBL):
    return ap.send(document_id=document_id, sender=SENDER, receiver=RECEIVER, ubl=ubl)


# --- the document's Peppol identifiers -------------------------------------------------


def test_document_type_and_process_come_from_the_ubl_itself():
    assert describe_document(UBL) == (INVOICE_TYPE, PROCESS)


@pytest.mark.parametrize(
    "document",
    [b"not xml", b"<Order xmlns='urn:x'/>", UBL.replace(b"cbc:ProfileID", b"cbc:Other")],
)
def test_a_document_that_is_not_peppol_ubl_is_refused_for_good(document):
    with pytest.raises(PermanentError):
        describe_document(document)


# --- file outbox ----------------------------------------------------------------------


def test_file_outbox_writes_the_ubl_and_its_envelope(tmp_path):
    message_id = _send(FileOutbox(tmp_path))

    assert (tmp_path / "smartcoop-F-2026-000001.xml").read_bytes() == UBL
    envelope = json.loads((tmp_path / "smartcoop-F-2026-000001.json").read_bytes())
    assert envelope["message_id"] == message_id
    assert envelope["sender"] == SENDER
    assert envelope["receiver"] == RECEIVER
    assert envelope["document_type"] == INVOICE_TYPE
    assert envelope["process"] == PROCESS
    assert envelope["sha256"] == hashlib.sha256(UBL).hexdigest()
    assert envelope["created_at"].startswith("20")
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "smartcoop-F-2026-000001.json",
        "smartcoop-F-2026-000001.xml",
    ]  # no temporary file left behind


def test_file_outbox_sending_again_returns_the_same_id_without_rewriting(tmp_path):
    outbox = FileOutbox(tmp_path)
    first = _send(outbox)
    envelope_before = (tmp_path / "smartcoop-F-2026-000001.json").read_bytes()

    again = _send(outbox)

    assert again == first
    assert (tmp_path / "smartcoop-F-2026-000001.json").read_bytes() == envelope_before
    assert len(list(tmp_path.iterdir())) == 2


def test_file_outbox_refuses_another_document_under_an_id_already_used(tmp_path):
    outbox = FileOutbox(tmp_path)
    _send(outbox)

    with pytest.raises(PermanentError, match="another content"):
        _send(outbox, ubl=UBL.replace(b"000001<", b"000002<"))
    assert (tmp_path / "smartcoop-F-2026-000001.xml").read_bytes() == UBL


def test_file_outbox_different_documents_get_different_ids(tmp_path):
    outbox = FileOutbox(tmp_path)

    assert _send(outbox, "doc-1") != _send(outbox, "doc-2")


@pytest.mark.parametrize("document_id", ["../escape", ".hidden", "a/b", ""])
def test_file_outbox_refuses_a_document_id_that_is_not_a_plain_file_name(tmp_path, document_id):
    with pytest.raises(PermanentError, match="document id"):
        _send(FileOutbox(tmp_path / "outbox"), document_id)
    assert not (tmp_path / "outbox").exists()
    assert not (tmp_path / "escape.xml").exists()


def test_file_outbox_refuses_a_receiver_that_is_not_scheme_and_identifier(tmp_path):
    with pytest.raises(PermanentError, match="receiver"):
        FileOutbox(tmp_path).send(document_id="d", sender=SENDER, receiver="0403170701", ubl=UBL)


def test_file_outbox_that_cannot_write_reports_a_transient_error(tmp_path):
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")

    with pytest.raises(TransientError, match="outbox"):
        _send(FileOutbox(blocker))


# --- REST access point ----------------------------------------------------------------


def test_http_access_point_posts_the_document_with_token_and_idempotency_key(fake_ap):
    message_id = _send(_http(fake_ap))

    assert message_id == "ap-msg-1"
    [request] = fake_ap.requests
    assert request["path"] == "/api/documents"
    assert request["headers"]["Authorization"] == "Bearer ap-secret-token"
    assert request["headers"]["Idempotency-Key"] == "smartcoop-F-2026-000001"
    body = request["body"]
    assert base64.b64decode(body["document"]) == UBL
    assert (body["sender"], body["receiver"]) == (SENDER, RECEIVER)
    assert body["document_type"] == INVOICE_TYPE
    assert body["process"] == PROCESS
    assert body["sha256"] == hashlib.sha256(UBL).hexdigest()


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_http_access_point_server_errors_and_throttling_are_transient(fake_ap, status):
    fake_ap.answer(status)

    with pytest.raises(TransientError, match=str(status)):
        _send(_http(fake_ap))


def test_http_access_point_passes_on_how_long_to_wait_after_429(fake_ap):
    fake_ap.answer(429)

    with pytest.raises(TransientError) as caught:
        _send(_http(fake_ap))
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("status", [302, 400, 401, 403, 404, 422])
def test_http_access_point_rejections_are_permanent_with_the_answer(fake_ap, status):
    fake_ap.answer(status)

    with pytest.raises(PermanentError, match=f"{status}: .*scripted {status}"):
        _send(_http(fake_ap))


def test_http_access_point_unreachable_is_transient(fake_ap):
    url = fake_ap.url
    fake_ap.stop()
    fake_ap.stop = lambda: None  # already stopped

    with pytest.raises(TransientError, match="unreachable"):
        _send(HttpAccessPoint(url=url, token="t", timeout=5))


def test_http_access_point_refuses_a_url_that_is_not_http():
    with pytest.raises(ImproperlyConfigured):
        HttpAccessPoint(url="file:///etc/passwd", token="t")


# --- choice by settings ---------------------------------------------------------------


def test_the_file_outbox_is_the_default_access_point(settings, tmp_path):
    settings.PEPPOL_OUTBOX_DIR = str(tmp_path)
    del settings.PEPPOL_ACCESS_POINT  # unset: the default

    chosen = access_point()

    assert isinstance(chosen, FileOutbox)
    assert chosen.directory == tmp_path


def test_the_http_access_point_is_chosen_by_settings(settings, fake_ap):
    settings.PEPPOL_ACCESS_POINT = "http"
    settings.PEPPOL_AP_URL = fake_ap.url
    settings.PEPPOL_AP_TOKEN = "from-settings"

    _send(access_point())

    assert fake_ap.requests[0]["headers"]["Authorization"] == "Bearer from-settings"


@pytest.mark.parametrize(
    "values",
    [
        {"PEPPOL_ACCESS_POINT": "carrier-pigeon"},
        {"PEPPOL_ACCESS_POINT": "http", "PEPPOL_AP_URL": ""},
    ],
)
def test_a_wrong_access_point_setting_is_reported(settings, values):
    for name, value in values.items():
        setattr(settings, name, value)

    with pytest.raises(ImproperlyConfigured):
        access_point()
