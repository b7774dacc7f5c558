"""Sending issued documents to the buyer: by e-mail (PDF + UBL) and over Peppol.

One Transmission row per (document, channel) records each sending: status, attempts, last
error and the reference the other side gave. Sending is idempotent: a sent transmission is
never sent again, and the Peppol access point is handed a stable document id as its
idempotency key.
"""

import re
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from smartcoop.audit import audit_log

from .access_points import PermanentError, TransientError, access_point
from .documents import invoice_documents_render
from .models import Client, Invoice, Transmission
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


def channels_for(invoice: Invoice) -> list[str]:
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


def document_send_enqueue(*, invoice: Invoice, channels: list[str] | None = None) -> list[str]:
    """Queue the sending of an issued document on its channels once the transaction commits.

    Returns the channels queued (channels_for() when not given).
    """
    from .tasks import send_document

    channels = channels_for(invoice) if channels is None else channels
    for channel in channels:
        transaction.on_commit(
            lambda channel=channel: send_document.delay(invoice.pk, channel), robust=True
        )
    return channels


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


def _lock_transmission(invoice: Invoice, channel: str, recipient: str) -> Transmission:
    transmission, _created = Transmission.objects.get_or_create(
        invoice=invoice, channel=channel, defaults={"recipient": recipient}
    )
    return Transmission.objects.select_for_update().get(pk=transmission.pk)


def document_send(*, invoice: Invoice, channel: str, by) -> Transmission:
    """Send an issued document on one channel, once.

    Already sent: the transmission is returned unchanged, nothing is sent. Otherwise one
    attempt is made and recorded on the (invoice, channel) transmission: sent with the
    other side's reference, or failed with the error. The transmission row stays locked
    during the attempt, so two workers never send the same document at once; the
    attempt's I/O is bounded (the access point's timeout).

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
    sent = Transmission.objects.filter(
        invoice=invoice, channel=channel, status=Transmission.Status.SENT
    ).first()
    if sent is not None:
        return sent
    invoice_documents_render(invoice=invoice)
    failure = None
    with transaction.atomic():
        transmission = _lock_transmission(invoice, channel, recipient)
        if transmission.status == Transmission.Status.SENT:
            return transmission
        transmission.attempts += 1
        transmission.recipient = recipient
        try:
            if channel == Channel.PEPPOL:
                external_id = _send_peppol(invoice, recipient)
            else:
                external_id = _send_email(invoice, recipient)
        except (TransientError, PermanentError) as exc:
            failure = exc
            transmission.status = Transmission.Status.FAILED
            transmission.last_error = str(exc)[:2000]
        else:
            transmission.status = Transmission.Status.SENT
            transmission.sent_at = timezone.now()
            transmission.external_id = external_id[:200]
            transmission.last_error = ""
        transmission.save()
        audit_log(
            actor=by,
            action="invoice.sent" if failure is None else "invoice.sending_failed",
            obj=invoice,
            changes={
                "channel": channel,
                "recipient": recipient,
                "attempt": transmission.attempts,
                "external_id": transmission.external_id,
            },
            reason=transmission.last_error,
        )
    if isinstance(failure, TransientError):
        raise failure
    return transmission


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
    codes = {code for code, _name in settings.LANGUAGES}
    return invoice.language if invoice.language in codes else settings.LANGUAGE_CODE


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


def _message_id(invoice: Invoice) -> str:
    """A stable Message-ID, so a mail sent again after a lost answer can be recognised."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "smartcoop.invalid"
    return f"<{peppol_document_id(invoice)}.{invoice.hash[:16]}@{domain}>"


def _send_email(invoice: Invoice, recipient: str) -> str:
    context = _email_context(invoice)
    with translation.override(document_language(invoice)):
        subject = " ".join(render_to_string(SUBJECT_TEMPLATE, context).split())
        body = render_to_string(BODY_TEMPLATE, context).strip() + "\n"
    holder_user = invoice.unit.holder.user
    message_id = _message_id(invoice)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[recipient],
        reply_to=[holder_user.email] if holder_user and holder_user.email else None,
        headers={"Message-ID": message_id},
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
