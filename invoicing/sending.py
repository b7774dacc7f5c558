"""Sending issued documents to the buyer: by e-mail (PDF + UBL) and over Peppol.

One Transmission row per (document, channel) records each sending: status, attempts, last
error and the reference the other side gave. Sending is idempotent: a sent transmission is
never sent again, and the Peppol access point is handed a stable document id as its
idempotency key.
"""

import re
import smtplib
from collections.abc import Sequence
from datetime import timedelta
from email.utils import parseaddr

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from core.audit import audit_log

from .access_points import PermanentError, TransientError, access_point
from .documents import invoice_documents_render
from .languages import first_language
from .models import Client, Invoice, Transmission
from .presentation import fill_placeholders
from .queue import SEND_DOCUMENT, queue_task
from .references import format_structured_reference

Channel = Transmission.Channel

BELGIAN_ENTERPRISE_SCHEME = "0208"
PEPPOL_PARTICIPANT = re.compile(r"^[0-9]{4}:[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")

SUBJECT_TEMPLATE = "invoicing/email/invoice_subject.txt"
BODY_TEMPLATE = "invoicing/email/invoice_body.txt"


def buyer_peppol_endpoint(invoice: Invoice) -> str:
    """The buyer's Peppol participant id ("0208:0403170701") from the issued snapshot, or ''."""
    endpoint = "".join((invoice.buyer or {}).get("peppol_endpoint", "").split())
    return endpoint if PEPPOL_PARTICIPANT.match(endpoint) else ""


def seller_peppol_id(invoice: Invoice) -> str:
    """The issuing legal entity's Peppol participant id (its enterprise number, scheme 0208)."""
    seller = invoice.seller or {}
    registered = "".join((seller.get("peppol_id") or "").split())
    if PEPPOL_PARTICIPANT.match(registered):
        return registered
    return f"{BELGIAN_ENTERPRISE_SCHEME}:{seller.get('enterprise_number', '')}"


def peppol_document_id(invoice: Invoice) -> str:
    """A document id unique across the cooperative: numbers are unique per legal entity."""
    return f"{invoice.legal_entity.code}-{invoice.display_number}"


def channels_for(invoice: Invoice) -> list[Transmission.Channel]:
    """The channels an issued document goes out on.

    Peppol for a Belgian company, non-profit or public body with a Peppol endpoint (B2B
    e-invoicing is mandatory in Belgium since 2026-01-01); e-mail whenever the buyer has an
    address. Both may apply; none when the buyer has neither (the member hands it over).
    """
    buyer = invoice.buyer or {}
    channels = []
    is_belgian_business = buyer.get("country") == "BE" and buyer.get("kind") != Client.Kind.PERSON
    if is_belgian_business and buyer_peppol_endpoint(invoice):
        channels.append(Channel.PEPPOL)
    if buyer.get("email"):
        channels.append(Channel.EMAIL)
    return channels


# The first attempt and six retries (1 min, 2, 4 … up to 1 h): then the transmission is given
# up and waits in the back-office (Transmissions, "stuck") for someone to send it again.
MAX_ATTEMPTS = 7
MAX_RETRY_DELAY = 3600  # seconds; below the broker's visibility timeout (settings)


def retry_delay(attempt: int, retry_after: int | None = None) -> int:
    """Seconds to wait after failed attempt number `attempt` (1-based): 1 min, 2, 4 … up to
    an hour with full jitter, or what the access point asked, never more than an hour."""
    backoff = get_exponential_backoff_interval(
        factor=60, retries=attempt - 1, maximum=MAX_RETRY_DELAY, full_jitter=True
    )
    return min(max(backoff, retry_after or 0), MAX_RETRY_DELAY)


def transmissions_open(*, invoice: Invoice, channels: Sequence[str] | None = None) -> list[str]:
    """Make the document's transmissions due now and queue their sending after commit.

    The outbox half of issuing: called in the issuing transaction, the pending rows commit
    (or roll back) with the issue, so no issued document is left without its transmissions.
    A transmission already sent is left alone. Returns the channels queued.
    """
    chosen: Sequence[str] = channels_for(invoice) if channels is None else channels
    if not chosen:
        return []
    now = timezone.now()
    # One read and at most one insert and one update whatever the channels (issuing calls
    # this under the series' lock).
    existing = {
        transmission.channel: transmission
        for transmission in Transmission.objects.filter(
            invoice=invoice, channel__in=chosen
        ).order_by()
    }
    new = [
        Transmission(
            invoice=invoice,
            channel=channel,
            recipient=_recipient(invoice, channel),
            next_attempt_at=now,
        )
        for channel in chosen
        if channel not in existing
    ]
    # Asked again by hand (the back-office): a fresh budget of attempts, unless sent.
    again = [
        transmission
        for transmission in existing.values()
        if transmission.status != Transmission.Status.SENT
    ]
    if new:
        # A row another request has just made for the same channel stands (its sending is
        # queued by that request, and sending twice is refused by the task's claim).
        Transmission.objects.bulk_create(new, ignore_conflicts=True)
    if again:
        Transmission.objects.filter(pk__in=[row.pk for row in again]).update(
            next_attempt_at=now, attempts=0
        )
    # The new and the asked-again, in the order the channels were chosen.
    opened = {row.channel for row in new} | {row.channel for row in again}
    queued = [channel for channel in chosen if channel in opened]
    for channel in queued:
        _queue_send_after_commit(invoice.pk, channel)
    return queued


def _queue_send_after_commit(invoice_id: int, channel: str) -> None:
    """Queue the sending of one transmission once the transaction commits (robust: a broker
    down leaves the transmission due, and the sweeper queues it again)."""
    transaction.on_commit(lambda: queue_task(SEND_DOCUMENT, invoice_id, channel), robust=True)


def document_send_enqueue(*, invoice: Invoice, channels: list[str] | None = None) -> list[str]:
    """Queue the sending of an issued document on its channels once the transaction commits.

    Returns the channels queued (channels_for() when not given; a channel already sent is
    not queued again).
    """
    if not invoice.is_issued:
        return []
    with transaction.atomic():
        return transmissions_open(invoice=invoice, channels=channels)


def _recipient(invoice: Invoice, channel: str) -> str:
    if channel == Channel.PEPPOL:
        endpoint = buyer_peppol_endpoint(invoice)
        if not endpoint:
            raise ValidationError(
                {
                    "channel": _(
                        "The client has no Peppol endpoint (scheme:identifier, e.g. "
                        "0208:0403170701): send this document by e-mail."
                    )
                }
            )
        return endpoint
    if channel == Channel.EMAIL:
        email = (invoice.buyer or {}).get("email", "")
        if not email:
            raise ValidationError({"channel": _("The client has no e-mail address.")})
        return email
    raise ValidationError({"channel": _("Unknown channel: choose e-mail or Peppol.")})


def _check_access(invoice: Invoice, by) -> None:
    # `by` is None when a task sends on the system's behalf.
    if by is None or by.is_staff:
        return
    if invoice.unit.holder.user_id != by.pk:
        raise PermissionDenied(_("This document is not yours."))


def _claim(invoice: Invoice, channel: str, recipient: str) -> tuple[Transmission | None, bool]:
    """Count an attempt on the (invoice, channel) transmission and commit it before anything
    goes out, so an attempt a killed worker never finished still counts: a document that
    kills its worker is given up after MAX_ATTEMPTS instead of being delivered forever.

    Returns (transmission, claimed). Not claimed: None when another worker is sending it
    right now (its row is locked), or the transmission when it is sent or given up.
    """
    with transaction.atomic():
        row, _created = Transmission.objects.get_or_create(
            invoice=invoice,
            channel=channel,
            defaults={"recipient": recipient, "next_attempt_at": timezone.now()},
        )
        transmission = (
            Transmission.objects.select_for_update(skip_locked=True).filter(pk=row.pk).first()
        )
        if transmission is None or transmission.status == Transmission.Status.SENT:
            return transmission, False
        if transmission.attempts >= MAX_ATTEMPTS:
            if transmission.next_attempt_at is not None:
                _give_up(invoice, transmission)
            return transmission, False
        now = timezone.now()
        transmission.attempts += 1
        transmission.claimed_at = now
        # Due again OUTBOX_STALE_SECONDS from now (the sweeper) if this attempt never ends.
        transmission.next_attempt_at = now
        transmission.recipient = recipient
        transmission.save(update_fields=["attempts", "claimed_at", "next_attempt_at", "recipient"])
        return transmission, True


def _give_up(invoice: Invoice, transmission: Transmission) -> None:
    """The last attempts never finished (their worker died): stop, and wait for a replay."""
    transmission.status = Transmission.Status.FAILED
    transmission.last_error = _(
        "Given up after %(n)s attempts: the last one never finished (its worker stopped)."
    ) % {"n": transmission.attempts}
    transmission.next_attempt_at = None
    transmission.claimed_at = None
    transmission.save(update_fields=["status", "last_error", "next_attempt_at", "claimed_at"])
    audit_log(
        actor=None,
        action="invoice.sending_failed",
        obj=invoice,
        changes={"channel": transmission.channel, "attempt": transmission.attempts},
        reason=transmission.last_error,
    )


def _attempt(invoice: Invoice, claimed: Transmission, by) -> tuple[Transmission, Exception | None]:
    """Send the claimed transmission once, with its row locked until the outcome is recorded:
    a second delivery of the task skips it (and finds it sent afterwards)."""
    with transaction.atomic():
        transmission = (
            Transmission.objects.select_for_update(skip_locked=True).filter(pk=claimed.pk).first()
        )
        if transmission is None or transmission.status == Transmission.Status.SENT:
            return transmission or claimed, None
        if transmission.channel == Channel.EMAIL:
            return transmission, _attempt_email(invoice, transmission, by)
        try:
            external_id = _send_peppol(invoice, transmission.recipient)
        except (TransientError, PermanentError) as exc:
            _record(invoice, transmission, by, failure=exc)
            return transmission, exc
        _record(invoice, transmission, by, external_id=external_id)
    return transmission, None


def _attempt_email(invoice: Invoice, transmission: Transmission, by) -> Exception | None:
    # Recorded as sent before the hand-over, so that only the commit follows it: a mail
    # server has no idempotency key, and a worker killed between its acceptance and our
    # commit is the one way a message goes twice (then with the same Message-ID, which
    # mail clients show once). A refusal undoes the record.
    savepoint = transaction.savepoint()
    _record(invoice, transmission, by, external_id=_message_id(invoice, transmission))
    try:
        _send_email(invoice, transmission)
    except (TransientError, PermanentError) as exc:
        transaction.savepoint_rollback(savepoint)
        _record(invoice, transmission, by, failure=exc)
        return exc
    transaction.savepoint_commit(savepoint)
    return None


def _record(invoice: Invoice, transmission: Transmission, by, *, external_id="", failure=None):
    """The outcome of an attempt, on the transmission and in the audit trail."""
    now = timezone.now()
    if failure is None:
        transmission.status = Transmission.Status.SENT
        transmission.sent_at = now
        transmission.external_id = external_id[:200]
        transmission.last_error = ""
        transmission.next_attempt_at = None
    else:
        transmission.status = Transmission.Status.FAILED
        transmission.sent_at = None
        transmission.external_id = ""
        transmission.last_error = str(failure)[:2000]
        retry = isinstance(failure, TransientError) and transmission.attempts < MAX_ATTEMPTS
        transmission.next_attempt_at = None
        if retry:
            delay = retry_delay(transmission.attempts, getattr(failure, "retry_after", None))
            transmission.next_attempt_at = now + timedelta(seconds=delay)
    transmission.claimed_at = None
    transmission.save()
    audit_log(
        actor=by,
        action="invoice.sent" if failure is None else "invoice.sending_failed",
        obj=invoice,
        changes={
            "channel": transmission.channel,
            "recipient": transmission.recipient,
            "attempt": transmission.attempts,
            "external_id": transmission.external_id,
        },
        reason=transmission.last_error,
    )


def document_send(*, invoice: Invoice, channel: str, by) -> Transmission:
    """Send an issued document on one channel, once.

    Already sent: the transmission is returned unchanged, nothing is sent; so is one given
    up after MAX_ATTEMPTS (until transmission_replay), and one another worker is sending
    right now. Otherwise one attempt is counted (committed first), then made and recorded
    on the (invoice, channel) transmission: sent with the other side's reference, or failed
    with the error and, when worth it, the time of the next attempt. The row stays locked
    from the send to the record of its outcome, so two workers never send it at once; the
    attempt's I/O is bounded (the access point's and the mail server's timeouts).

    Raises ValidationError (not issued, unknown channel, no address: nothing recorded),
    PermissionDenied, and TransientError after recording a failure worth retrying. A
    permanent refusal is recorded and the failed transmission returned. Call it outside a
    transaction: a caller's rollback would also undo the record of the attempt.
    """
    invoice = Invoice.objects.select_related("legal_entity", "series", "unit__holder").get(
        pk=invoice.pk
    )
    _check_access(invoice, by)
    if not invoice.is_issued:
        raise ValidationError(_("Only an issued document can be sent."))
    recipient = _recipient(invoice, channel)
    claimed, is_mine = _claim(invoice, channel, recipient)
    if not is_mine or claimed is None:  # sent, given up, or being sent by another worker now
        return claimed or Transmission.objects.get(invoice=invoice, channel=channel)
    invoice_documents_render(invoice=invoice)
    transmission, failure = _attempt(invoice, claimed, by)
    if isinstance(failure, TransientError):
        raise failure
    return transmission


@transaction.atomic
def transmission_replay(*, transmission: Transmission, by) -> Transmission:
    """Send a stuck transmission again (back-office): a fresh budget of MAX_ATTEMPTS, due now,
    queued after commit through the same task. Raises ValidationError when it was sent."""
    transmission = Transmission.objects.select_for_update().get(pk=transmission.pk)
    if transmission.status == Transmission.Status.SENT:
        raise ValidationError(_("This transmission was sent: it is not sent again."))
    previous = transmission.attempts
    transmission.attempts = 0
    transmission.next_attempt_at = timezone.now()
    transmission.save(update_fields=["attempts", "next_attempt_at"])
    audit_log(
        actor=by,
        action="invoice.sending_replayed",
        obj=transmission.invoice,
        changes={"channel": transmission.channel, "previous_attempts": previous},
        reason=transmission.last_error,
    )
    _queue_send_after_commit(transmission.invoice_id, transmission.channel)
    return transmission


def transmissions_requeue_overdue(*, limit: int = 500) -> int:
    """The sweeper (beat): queue again the transmissions overdue by OUTBOX_STALE_SECONDS,
    whose task was lost (worker killed, broker restarted without its queue, enqueue failed
    after commit). Rows being sent right now are locked and skipped. Returns how many."""
    now = timezone.now()
    before = now - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    with transaction.atomic():
        overdue = list(
            Transmission.objects.overdue(before=before)
            .select_for_update(skip_locked=True)
            .select_related("invoice")
            .order_by("next_attempt_at")[:limit]
        )
        for transmission in overdue:
            transmission.next_attempt_at = now
            transmission.save(update_fields=["next_attempt_at"])
            audit_log(
                actor=None,
                action="invoice.sending_requeued",
                obj=transmission.invoice,
                changes={"channel": transmission.channel, "attempts": transmission.attempts},
            )
            _queue_send_after_commit(transmission.invoice_id, transmission.channel)
    return len(overdue)


def _read(field) -> bytes:
    with field.open("rb") as file:
        return file.read()


def _send_peppol(invoice: Invoice, receiver: str) -> str:
    return access_point().send(
        document_id=peppol_document_id(invoice),
        sender=seller_peppol_id(invoice),
        receiver=receiver,
        ubl=_read(invoice.ubl),
    )


def document_language(invoice: Invoice) -> str:
    """The language of the document, and so of its mail (the client's, set at issue)."""
    return first_language(invoice.language)


def _email_context(invoice: Invoice) -> dict:
    seller = invoice.seller or {}
    credited = invoice.credited_invoice
    return {
        "is_credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        "number": invoice.display_number,
        "credited_number": credited.display_number if credited else "",
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "total": invoice.total,
        "currency": invoice.currency,
        "buyer_name": (invoice.buyer or {}).get("name", ""),
        "seller_name": seller.get("name", ""),
        "unit_name": seller.get("unit_name", ""),
        "iban": stdnum_iban.format(seller.get("iban", "")) if seller.get("iban") else "",
        "reference": format_structured_reference(invoice.structured_reference),
    }


def _message_id(invoice: Invoice, transmission: Transmission) -> str:
    """A Message-ID derived from the transmission: the same for every attempt, so a mail
    sent again after a lost answer (or a killed worker) is recognised as the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "smartcoop.invalid"
    return f"<{peppol_document_id(invoice)}.t{transmission.pk}.{invoice.hash[:12]}@{domain}>"


def email_subject_and_body(invoice: Invoice) -> tuple[str, str]:
    """The mail that sends an issued document, in its language: for an invoice, the unit's
    own subject and opening message in that language when it wrote them (frozen at issue
    with the document's presentation), their placeholders filled; the standard ones
    otherwise."""
    language = document_language(invoice)
    # A credit note's mail says which invoice it corrects: always the standard one.
    is_invoice = invoice.kind == Invoice.Kind.INVOICE
    presentation = (invoice.presentation or {}) if is_invoice else {}
    context = _email_context(invoice)
    filled = {
        name: fill_placeholders(
            presentation.get(name, ""),
            number=invoice.display_number,
            total=invoice.total,
            due_date=invoice.due_date,
            language=language,
        )
        for name in ("email_subject", "email_message")
    }
    context["custom_message"] = filled["email_message"]
    with translation.override(language):
        subject = filled["email_subject"] or render_to_string(SUBJECT_TEMPLATE, context)
        body = render_to_string(BODY_TEMPLATE, context).strip() + "\n"
    return " ".join(subject.split()), body


def _send_email(invoice: Invoice, transmission: Transmission) -> str:
    recipient = transmission.recipient
    subject, body = email_subject_and_body(invoice)
    holder_user = invoice.unit.holder.user
    message_id = _message_id(invoice, transmission)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[recipient],
        reply_to=[holder_user.email] if holder_user and holder_user.email else None,
        headers={"Message-ID": message_id, "X-SmartCoop-Transmission": str(transmission.pk)},
    )
    message.attach(f"{invoice.display_number}.pdf", _read(invoice.pdf), "application/pdf")
    message.attach(f"{invoice.display_number}.xml", _read(invoice.ubl), "application/xml")
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"The mail server refused {recipient}.") from exc
    except smtplib.SMTPResponseException as exc:
        error = PermanentError if exc.smtp_code >= 500 else TransientError
        raise error(f"The mail server answered {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"The mail could not be sent: {exc}") from exc
    return message_id
