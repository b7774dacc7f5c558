"""The outbox on PostgreSQL's row locks: two deliveries of the same sending at once send one
e-mail, and the sweeper leaves alone a transmission a live worker is sending."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.db.models import F

from invoicing import sending
from invoicing.models import Transmission
from invoicing.sending import transmissions_requeue_overdue
from invoicing.tasks import send_document
from tests.invoicing_helpers import issued_invoice, line, make_client

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]

EMAIL = Transmission.Channel.EMAIL


@pytest.fixture
def invoice(alice, alice_3en1, claire, settings, tmp_path, monkeypatch):
    settings.PEPPOL_OUTBOX_DIR = str(tmp_path / "outbox")
    monkeypatch.setattr("invoicing.pdf.render_pdf", lambda invoice: b"%PDF-1.7 test")
    client = make_client(alice, alice_3en1, verify_by=claire)
    with monkeypatch.context() as issuing:  # issued, its sending left to each test
        issuing.setattr("invoicing.tasks.send_document.delay", lambda *args: None)
        return issued_invoice(alice, alice_3en1, client, [line()])


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _hold_the_send_until(monkeypatch, released: threading.Event, *, on_lock: bool = True):
    """The e-mail send of the first delivery waits for `released` (or for another connection
    to wait on its lock), then sends for real."""
    real_send = sending._send_email
    sending_now = threading.Event()

    def held(invoice, transmission):
        sending_now.set()
        deadline = time.monotonic() + 30
        while not released.is_set() and not (on_lock and _waiting_on_a_lock()):
            assert time.monotonic() < deadline, "nobody came"
            released.wait(0.02)
        return real_send(invoice, transmission)

    monkeypatch.setattr(sending, "_send_email", held)
    return sending_now


def _run(target, errors):
    def work():
        try:
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_two_deliveries_of_one_sending_at_once_send_one_email(invoice, monkeypatch):
    second_done = threading.Event()
    sending_now = _hold_the_send_until(monkeypatch, second_done)
    errors = []

    first = _run(lambda: send_document.delay(invoice.pk, EMAIL), errors)
    assert sending_now.wait(30)

    def second_delivery():
        send_document.delay(invoice.pk, EMAIL)
        second_done.set()

    second = _run(second_delivery, errors)
    first.join()
    second.join()

    assert errors == []
    assert len(mail.outbox) == 1
    transmission = Transmission.objects.get(invoice=invoice, channel=EMAIL)
    assert transmission.status == Transmission.Status.SENT


def test_the_sweeper_skips_a_transmission_a_live_worker_is_sending(invoice, monkeypatch, settings):
    settings.OUTBOX_STALE_SECONDS = 0
    swept = threading.Event()
    sending_now = _hold_the_send_until(monkeypatch, swept, on_lock=False)
    Transmission.objects.update(next_attempt_at=F("next_attempt_at") - timedelta(hours=1))
    errors = []
    requeued = []

    worker = _run(lambda: send_document.delay(invoice.pk, EMAIL), errors)
    assert sending_now.wait(30)
    queued = []
    monkeypatch.setattr(
        "invoicing.tasks.send_document.delay", lambda *args: queued.append(args)
    )  # the sweeper's own queueing, recorded
    requeued.append(transmissions_requeue_overdue())
    swept.set()
    worker.join()

    assert errors == []
    # The e-mail being sent is skipped; the Peppol one nobody is sending is queued again.
    assert requeued == [1]
    assert queued == [(invoice.pk, Transmission.Channel.PEPPOL)]
    assert len(mail.outbox) == 1
