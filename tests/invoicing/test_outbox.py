"""No issued document left unsent, none sent twice: the transactional outbox of transmissions
(written with the issue, claimed by the task, swept again when its task is lost), the
back-office list of stuck ones and their replay, and the Celery settings that keep a killed
worker's message."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from core.audit import audit_trail
from invoicing import sending
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Invoice, Transmission
from invoicing.sending import (
    MAX_ATTEMPTS,
    MAX_RETRY_DELAY,
    document_send,
    retry_delay,
    transmissions_requeue_overdue,
)
from invoicing.tasks import send_document
from smartcoop.celery import app as celery_app
from tests.invoicing_helpers import issued_invoice, line, make_client

pytestmark = pytest.mark.django_db

PEPPOL, EMAIL = Transmission.Channel.PEPPOL, Transmission.Channel.EMAIL
PENDING, SENT, FAILED = (
    Transmission.Status.PENDING,
    Transmission.Status.SENT,
    Transmission.Status.FAILED,
)


@pytest.fixture(autouse=True)
def _outbox_and_fast_pdf(settings, tmp_path, monkeypatch):
    settings.PEPPOL_ACCESS_POINT = "file"
    settings.PEPPOL_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.OUTBOX_STALE_SECONDS = 600
    monkeypatch.setattr("invoicing.pdf.render_pdf", lambda invoice: b"%PDF-1.7 test")


@pytest.fixture
def client_be(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


@pytest.fixture
def invoice(alice, alice_3en1, client_be):
    return issued_invoice(alice, alice_3en1, client_be, [line(unit_price="200.00")])


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no except clause."""


def _kill_while_sending(monkeypatch):
    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(sending, "_send_email", killed)
    monkeypatch.setattr(sending, "_send_peppol", killed)


def _time_passes(seconds: int) -> None:
    Transmission.objects.update(next_attempt_at=F("next_attempt_at") - timedelta(seconds=seconds))


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The beat task: the tasks it queues run at its commit (eagerly here)."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return transmissions_requeue_overdue()

    return run


# --- issuing writes the outbox --------------------------------------------------------------


def test_issuing_writes_a_pending_transmission_per_channel_with_the_issue(invoice):
    rows = {t.channel: t for t in Transmission.objects.filter(invoice=invoice)}

    assert set(rows) == {PEPPOL, EMAIL}
    assert {t.status for t in rows.values()} == {PENDING}
    assert {t.attempts for t in rows.values()} == {0}
    assert all(t.next_attempt_at is not None for t in rows.values())
    assert rows[EMAIL].recipient == "compta@brasserie.test"
    assert rows[PEPPOL].recipient == "0208:0403170701"


def test_an_issue_rolled_back_leaves_no_transmission(alice, alice_3en1, client_be):
    draft = invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])

    with pytest.raises(RuntimeError), transaction.atomic():
        invoice_issue(invoice=draft, by=alice)
        assert Transmission.objects.filter(invoice=draft).count() == 2
        raise RuntimeError("the caller's transaction fails after the issue")

    assert Invoice.objects.get(pk=draft.pk).status == Invoice.Status.DRAFT
    assert not Transmission.objects.exists()


def test_the_sending_is_queued_only_after_the_issue_commits(
    alice, alice_3en1, client_be, django_capture_on_commit_callbacks
):
    draft = invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invoice_issue(invoice=draft, by=alice)
        assert len(mail.outbox) == 0

    assert len(callbacks) == 3  # render, then one sending per channel
    assert set(Transmission.objects.values_list("status", flat=True)) == {SENT}
    assert len(mail.outbox) == 1


# --- a killed worker, the sweeper -----------------------------------------------------------


def test_an_attempt_killed_midway_counts_and_leaves_the_transmission_due(invoice, monkeypatch):
    _kill_while_sending(monkeypatch)

    with pytest.raises(WorkerKilled):
        document_send(invoice=invoice, channel=EMAIL, by=None)

    transmission = Transmission.objects.get(invoice=invoice, channel=EMAIL)
    assert (transmission.status, transmission.attempts) == (PENDING, 1)
    assert transmission.claimed_at is not None
    assert transmission.next_attempt_at is not None
    assert mail.outbox == []


def test_the_sweeper_sends_a_killed_attempt_after_the_threshold_exactly_once(
    invoice, monkeypatch, sweep
):
    with monkeypatch.context() as killing:
        _kill_while_sending(killing)
        with pytest.raises(WorkerKilled):
            document_send(invoice=invoice, channel=EMAIL, by=None)
        with pytest.raises(WorkerKilled):
            document_send(invoice=invoice, channel=PEPPOL, by=None)

    _time_passes(599)
    assert sweep() == 0  # not overdue yet: its task may still be on its way
    assert mail.outbox == []

    _time_passes(2)
    assert sweep() == 2

    email = Transmission.objects.get(invoice=invoice, channel=EMAIL)
    assert (email.status, email.attempts) == (SENT, 2)
    assert email.next_attempt_at is None and email.claimed_at is None
    assert Transmission.objects.get(invoice=invoice, channel=PEPPOL).status == SENT
    assert len(mail.outbox) == 1
    assert "invoice.sending_requeued" in [event.action for event in audit_trail(invoice)]

    _time_passes(3600)
    assert sweep() == 0
    send_document.delay(invoice.pk, EMAIL)  # a late second delivery of the lost task
    assert len(mail.outbox) == 1


def test_a_sent_transmission_is_never_sent_again_by_a_second_delivery(invoice, sweep):
    send_document.delay(invoice.pk, EMAIL)
    send_document.delay(invoice.pk, EMAIL)
    Transmission.objects.filter(invoice=invoice, channel=EMAIL).update(
        next_attempt_at=F("sent_at") - timedelta(days=1)
    )  # even if something made it look overdue
    sweep()

    [message] = mail.outbox
    transmission = Transmission.objects.get(invoice=invoice, channel=EMAIL)
    assert (transmission.status, transmission.attempts) == (SENT, 1)
    assert transmission.external_id == message.extra_headers["Message-ID"]
    assert f".t{transmission.pk}." in message.extra_headers["Message-ID"]
    assert message.extra_headers["X-SmartCoop-Transmission"] == str(transmission.pk)


def test_a_document_that_kills_every_worker_is_given_up_then_listed_as_stuck(
    invoice, monkeypatch, admin_client
):
    with monkeypatch.context() as killing:
        _kill_while_sending(killing)
        for _attempt in range(MAX_ATTEMPTS):
            with pytest.raises(WorkerKilled):
                document_send(invoice=invoice, channel=EMAIL, by=None)

    given_up = document_send(invoice=invoice, channel=EMAIL, by=None)

    assert (given_up.status, given_up.attempts) == (FAILED, MAX_ATTEMPTS)
    assert given_up.next_attempt_at is None
    assert "never finished" in given_up.last_error
    _time_passes(3600)
    assert Transmission.objects.filter(channel=EMAIL, next_attempt_at__isnull=True).count() == 1
    url = reverse("admin:invoicing_transmission_changelist") + "?stuck=yes&channel__exact=email"
    assert list(admin_client.get(url).context["cl"].result_list) == [given_up]
    assert mail.outbox == []


# --- retries ----------------------------------------------------------------------------------


def test_retry_delays_never_exceed_an_hour_whatever_the_access_point_asks():
    assert retry_delay(1, retry_after=86400) == MAX_RETRY_DELAY == 3600
    assert retry_delay(20) <= MAX_RETRY_DELAY
    assert retry_delay(1, retry_after=120) == 120


def test_the_broker_keeps_a_message_longer_than_any_countdown():
    options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    # send_document waits at most MAX_RETRY_DELAY; retry_backoff's default cap is 600 s.
    assert options["visibility_timeout"] > max(MAX_RETRY_DELAY, 600)
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert send_document.reject_on_worker_lost is True


def test_the_sweeper_runs_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["requeue-overdue-transmissions"]

    assert entry["task"] == "invoicing.tasks.requeue_overdue_transmissions"
    assert entry["schedule"] <= django_settings.OUTBOX_STALE_SECONDS


# --- the back-office: stuck ones, replayed ------------------------------------------------------


def test_the_back_office_lists_stuck_transmissions_and_replays_them(
    invoice, admin_client, monkeypatch, django_capture_on_commit_callbacks, settings
):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    other = issued_invoice(
        invoice.created_by, invoice.unit, invoice.client, [line(unit_price="50.00")]
    )
    with monkeypatch.context() as killing:
        _kill_while_sending(killing)
        with pytest.raises(WorkerKilled):
            document_send(invoice=invoice, channel=EMAIL, by=None)
    _time_passes(601)
    Transmission.objects.filter(invoice=other).update(next_attempt_at=F("created_at"))
    send_document.delay(other.pk, PEPPOL)  # sent: never stuck
    url = reverse("admin:invoicing_transmission_changelist")

    stuck = admin_client.get(url + "?stuck=yes").context["cl"].result_list
    index = admin_client.get(reverse("admin:index")).content.decode()

    # Both of the first invoice's (one killed, one never run); none of the other's.
    assert {(t.invoice_id, t.channel) for t in stuck} == {(invoice.pk, EMAIL), (invoice.pk, PEPPOL)}
    assert "Documents not sent (stuck)" in index
    chosen = Transmission.objects.filter(invoice=invoice, channel=EMAIL)
    sent = Transmission.objects.get(invoice=other, channel=PEPPOL)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "action": "send_failed_again",
                "_selected_action": [chosen.get().pk, sent.pk],
            },
            follow=True,
        )
    messages = [str(m) for m in response.context["messages"]]
    assert "1 transmission queued again." in messages
    assert any("was sent: it is not sent again" in m for m in messages)
    replayed = chosen.get()
    assert (replayed.status, replayed.attempts) == (SENT, 1)  # a fresh budget after the replay
    assert len(mail.outbox) == 1
    assert "invoice.sending_replayed" in [event.action for event in audit_trail(invoice)]


# --- the broker down, a refused e-mail ---------------------------------------------------------


def test_issuing_stands_when_the_broker_is_down_and_the_sweeper_sends_it_later(
    alice, alice_3en1, client_be, monkeypatch, sweep, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    draft = invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])
    with monkeypatch.context() as down:
        down.setattr("invoicing.tasks.render_invoice_documents.delay", broker_down)
        down.setattr("invoicing.tasks.send_document.delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            issued = invoice_issue(invoice=draft, by=alice)

    assert issued.status == Invoice.Status.ISSUED
    assert set(Transmission.objects.values_list("status", flat=True)) == {PENDING}
    _time_passes(601)
    assert sweep() == 2
    assert set(Transmission.objects.values_list("status", flat=True)) == {SENT}
    assert len(mail.outbox) == 1


def test_a_refused_email_leaves_no_sent_record(invoice, monkeypatch):
    import smtplib

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"compta@brasserie.test": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)

    transmission = document_send(invoice=invoice, channel=EMAIL, by=None)

    stored = Transmission.objects.get(pk=transmission.pk)
    assert (stored.status, stored.external_id, stored.sent_at) == (FAILED, "", None)
    assert stored.next_attempt_at is None  # a refusal is not retried
    actions = [event.action for event in audit_trail(invoice)]
    assert "invoice.sent" not in actions and actions.count("invoice.sending_failed") == 1
