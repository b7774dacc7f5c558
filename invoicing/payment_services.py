"""Writes about payments: an advisor's manual entry, the matching queue, bank statement imports.

Every door (admin, portal, API, tasks, commands) goes through these functions.
Lock order, where several rows are locked: invoices (by id), then payments.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.money import cents, is_cents, to_decimal
from core.roles import require_staff
from members.models import LegalEntity, User
from members.notifications import kinds as notice
from members.notifications.services import notify
from members.payment_routing import ShareRouting, share_payment_route

from .camt053 import Statement, Transaction, parse_camt053
from .models import BankStatement, Invoice, Payment
from .selectors import invoice_amount_paid, invoice_balance_due, invoices_with_balance


def _clean_amount(amount: object) -> Decimal:
    if isinstance(amount, str):
        amount = amount.strip().replace(",", ".")
    if not isinstance(amount, Decimal | int | str):  # a float (money is never one), None…
        raise ValidationError({"amount": _("The amount is not a number.")})
    try:
        value = to_decimal(amount)
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("The amount is not a number.")}) from None
    if not value.is_finite():
        raise ValidationError({"amount": _("The amount is not a number.")})
    if value == 0:
        raise ValidationError({"amount": _("The amount can't be zero.")})
    if not is_cents(value):
        raise ValidationError({"amount": _("The amount has at most two decimals.")})
    if abs(value) >= Decimal("1e12"):
        raise ValidationError({"amount": _("The amount is too large.")})
    return value.quantize(Decimal("0.01"))


def _tell_if_now_paid(invoice: Invoice, amount: Decimal) -> None:
    """The holder is told once, by the payment that settles the invoice in full."""
    due = invoice_balance_due(invoice=invoice)
    if amount > 0 and due <= 0 < due + amount:
        holder = invoice.unit.holder
        what = invoice.display_number
        notify(
            holder,
            notice.INVOICE_PAID,
            url="portal:invoice_detail",
            pk=invoice.pk,
            params={"what": what},
        )


def _lock_payable_invoice(invoice: Invoice) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE or not invoice.is_issued:
        raise ValidationError(
            {"invoice": _("Payments go to an issued invoice, not a draft or a credit note.")}
        )
    return invoice


def _check_refund(invoice: Invoice, amount: Decimal) -> None:
    """A refund (negative amount) can't give back more than the client has paid."""
    if amount < 0:
        paid = invoice_amount_paid(invoice=invoice)
        if paid + amount < 0:
            raise ValidationError(
                {
                    "amount": _(
                        "A refund can't exceed what the client has paid on this invoice "
                        "(%(paid)s €)."
                    )
                    % {"paid": paid}
                }
            )


@transaction.atomic
def payment_record(
    *, invoice: Invoice, amount: object, received_on: date, by: User, note: str = ""
) -> Payment:
    """An advisor records money received for an invoice (negative: a refund to the client).

    Raises PermissionDenied for non-staff, ValidationError naming the bad field.
    """
    require_staff(by)
    amount = _clean_amount(amount)
    if not isinstance(received_on, date):
        raise ValidationError({"received_on": _("Give the date the money was received.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date can't be in the future.")})
    invoice = _lock_payable_invoice(invoice)
    _check_refund(invoice, amount)
    payment = Payment.objects.create(
        invoice=invoice,
        status=Payment.Status.MATCHED,
        source=Payment.Source.MANUAL,
        amount=amount,
        received_on=received_on,
        payer_name=invoice.buyer.get("name", "")[:200],
        note=note,
        created_by=by,
    )
    audit_log(
        actor=by,
        action="payment.recorded",
        obj=invoice,
        changes={"payment": payment.pk, "amount": amount, "received_on": received_on},
        reason=note,
    )
    _tell_if_now_paid(invoice, amount)
    return payment


@transaction.atomic
def payment_match(*, payment: Payment, invoice: Invoice, by: User) -> Payment:
    """An advisor matches a payment of the queue (or one set aside) to an issued invoice.

    Raises PermissionDenied for non-staff, ValidationError if already matched.
    """
    require_staff(by)
    invoice = _lock_payable_invoice(invoice)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == Payment.Status.MATCHED:
        raise ValidationError(
            _("This payment is already matched to %(invoice)s.") % {"invoice": payment.invoice}
        )
    _check_refund(invoice, payment.amount)
    previous = payment.status
    payment.invoice = invoice
    payment.status = Payment.Status.MATCHED
    payment.save(update_fields=["invoice", "status"])
    audit_log(
        actor=by,
        action="payment.matched",
        obj=invoice,
        changes={"payment": payment.pk, "amount": payment.amount, "was": previous},
    )
    _tell_if_now_paid(invoice, payment.amount)
    return payment


@transaction.atomic
def payment_ignore(*, payment: Payment, by: User, reason: str) -> Payment:
    """An advisor sets aside a queued payment that pays no invoice, saying why."""
    require_staff(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this payment is set aside.")})
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.UNMATCHED:
        raise ValidationError(_("Only a payment waiting to be matched can be set aside."))
    payment.status = Payment.Status.IGNORED
    payment.note = f"{payment.note}\n{reason}".strip()
    payment.save(update_fields=["status", "note"])
    audit_log(actor=by, action="payment.ignored", obj=payment, reason=reason)
    return payment


# Bank statements ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What a statement import did. `already_imported`: the very same file was imported before."""

    statements: list[str] = field(default_factory=list)
    created: int = 0
    matched: int = 0
    unmatched: int = 0
    ignored: int = 0
    skipped_duplicates: int = 0
    not_booked: int = 0
    already_imported: bool = False
    shares: int = 0  # credits recorded as share payments (counted in `ignored` too)


def _file_digest(file_bytes: bytes, position: int) -> str:
    """BankStatement.file_sha256 is unique: a file's first statement carries the file's hash,
    any further statement of the same file a hash derived from it and its position."""
    digest = hashlib.sha256(file_bytes).hexdigest()
    if position == 0:
        return digest
    return hashlib.sha256(f"{digest}:{position}".encode()).hexdigest()


def _entry_key(statement: Statement, transaction_: Transaction) -> str:
    """The key that makes an entry import once: the bank's reference, else statement id and
    position; prefixed by the account, since two banks may use the same references."""
    own = transaction_.bank_reference or f"{statement.identifier}#{transaction_.position}"
    key = f"{statement.iban}:{own}"
    if len(key) > 100:
        key = f"{statement.iban}:sha256:{hashlib.sha256(own.encode()).hexdigest()[:40]}"
    return key


def _normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.casefold()).split())


def _names_match(payer: str, names: list[str]) -> bool:
    """Case- and accent-insensitive: one name contains the other (banks shorten and add forms)."""
    payer = _normalise_name(payer)
    if len(payer) < 3:
        return False
    for name in names:
        name = _normalise_name(name)
        if len(name) >= 3 and (name in payer or payer in name):
            return True
    return False


def bank_statement_import(*, file_bytes: bytes, by: User | None = None) -> ImportResult:
    """Import a camt.053 file: one payment per booked entry, matched to an invoice by its
    structured reference, else by amount and client name, else left for an advisor. A credit
    whose structured reference is a share payment's is recorded in the share register instead
    (members.payment_routing) and kept as "not an invoice payment".

    All or nothing: a bad file raises ValidationError naming the problem and saves nothing.
    The same file twice, or an entry already imported from another file, changes nothing.
    `by`: the advisor importing, or None for a command or a task.
    """
    if by is not None:
        require_staff(by)
    if BankStatement.objects.filter(file_sha256=_file_digest(file_bytes, 0)).exists():
        return ImportResult(already_imported=True)
    statements = parse_camt053(file_bytes)
    entities = {}
    for parsed in statements:
        entity = LegalEntity.objects.filter(iban=parsed.iban).first()
        if entity is None:
            raise ValidationError(
                _("The account %(iban)s is not an account of the cooperative's legal entities.")
                % {"iban": parsed.iban}
            )
        entities[parsed.iban] = entity
    result = ImportResult()
    try:
        with transaction.atomic():
            for position, parsed in enumerate(statements):
                _import_statement(
                    parsed,
                    entity=entities[parsed.iban],
                    digest=_file_digest(file_bytes, position),
                    by=by,
                    result=result,
                )
    except IntegrityError:
        # A unique constraint (file, statement or entry) tripped: someone imported the same
        # statement at the same moment. The transaction is rolled back as a whole.
        raise ValidationError(
            _(
                "The same statement was being imported at the same time: nothing was saved. "
                "Import the file again to see what is left."
            )
        ) from None
    return result


def _import_statement(
    parsed: Statement, *, entity: LegalEntity, digest: str, by: User | None, result: ImportResult
) -> None:
    statement, _created = BankStatement.objects.get_or_create(
        account_iban=parsed.iban,
        identifier=parsed.identifier,
        defaults={
            "file_sha256": digest,
            "statement_date": parsed.created_on,
            "imported_by": account_or_none(by),
            "entry_count": parsed.entry_count,
        },
    )
    result.statements.append(f"{parsed.iban} {parsed.identifier}")
    result.not_booked += parsed.not_booked
    fresh = _fresh_transactions(parsed, result)
    counts_before = (result.created, result.matched, result.unmatched, result.ignored)
    # Pass 1: structured references; debits (money sent) only ever match that way.
    by_reference = _invoices_by_reference(entity, fresh)
    later = []
    for key, tx in fresh:
        invoice = _invoice_for_references(tx, by_reference)
        if invoice is not None:
            _create_payment(statement, key, tx, invoice, "structured_reference", by, result)
        elif (routing := _share_payment_hook(tx, key, by)) is not None:
            status = Payment.Status.IGNORED if routing.recorded else Payment.Status.UNMATCHED
            _create_payment(statement, key, tx, None, "", by, result, status, routing.note)
            result.shares += routing.recorded
        elif tx.is_credit:
            later.append((key, tx))
        else:
            _create_payment(statement, key, tx, None, "", by, result)
    # Pass 2, after pass 1's payments so balances include them: amount and payer name.
    for key, tx, invoice in _match_by_amount_and_name(entity, later):
        _create_payment(statement, key, tx, invoice, "amount_and_name", by, result)
    audit_log(
        actor=by,
        action="bank_statement.imported",
        obj=statement,
        changes={
            name: after - before
            for name, before, after in zip(
                ("created", "matched", "unmatched", "ignored"),
                counts_before,
                (result.created, result.matched, result.unmatched, result.ignored),
                strict=True,
            )
        },
    )


def _fresh_transactions(parsed: Statement, result: ImportResult) -> list[tuple[str, Transaction]]:
    """The statement's transactions not imported before (from this file or another)."""
    keyed = [(_entry_key(parsed, tx), tx) for tx in parsed.transactions]
    known: set[str] = set()
    keys = [key for key, _tx in keyed]
    for start in range(0, len(keys), 500):
        known.update(
            Payment.objects.filter(bank_reference__in=keys[start : start + 500]).values_list(
                "bank_reference", flat=True
            )
        )
    fresh = []
    for key, tx in keyed:
        if key in known:
            result.skipped_duplicates += 1
            continue
        known.add(key)  # the same reference twice in one file imports once
        fresh.append((key, tx))
    return fresh


def _invoices_by_reference(
    entity: LegalEntity, fresh: list[tuple[str, Transaction]]
) -> dict[str, Any]:
    references = {ref for _key, tx in fresh for ref in tx.references}
    if not references:
        return {}
    rows = Invoice.objects.filter(
        legal_entity=entity, status=Invoice.Status.ISSUED, structured_reference__in=references
    ).values("pk", "kind", "credited_invoice_id", "structured_reference")
    return {row["structured_reference"]: row for row in rows}


def _invoice_for_references(tx: Transaction, by_reference: dict) -> Invoice | None:
    """The invoice a transaction's structured reference names. Money received pays an invoice;
    money sent may name the invoice or a credit note of it (a refund to the client)."""
    for reference in tx.references:
        row = by_reference.get(reference)
        if row is None:
            continue
        if row["kind"] == Invoice.Kind.INVOICE:
            return Invoice(pk=row["pk"])
        if not tx.is_credit:
            return Invoice(pk=row["credited_invoice_id"])
    return None


def _match_by_amount_and_name(
    entity: LegalEntity, credits: list[tuple[str, Transaction]]
) -> Iterator[tuple[str, Transaction, Invoice | None]]:
    """(key, transaction, invoice or None) for each credit: the invoice when exactly one open
    invoice of the entity has this balance due and a client name like the payer's."""
    amounts = sorted({tx.amount for _key, tx in credits})
    candidates: dict[Decimal, list[dict]] = {}
    if amounts:
        rows = (
            invoices_with_balance(invoices=Invoice.objects.filter(legal_entity=entity))
            .filter(balance_due__in=amounts)
            .values("pk", "balance_due", "client__name", "buyer__name")
            .order_by("pk")
        )
        for row in rows:
            candidates.setdefault(cents(row["balance_due"]), []).append(row)
    chosen: dict[str, int] = {}
    for key, tx in credits:
        options = [
            row["pk"]
            for row in candidates.get(tx.amount, [])
            if row["pk"] not in chosen.values()
            and _names_match(tx.counterparty_name, [row["client__name"], row["buyer__name"] or ""])
        ]
        if len(options) == 1:
            chosen[key] = options[0]
    # Lock the chosen invoices (by id, the project's lock order) and check their balance again:
    # a payment recorded meanwhile would make the match wrong.
    list(Invoice.objects.select_for_update().filter(pk__in=chosen.values()).order_by("pk"))
    balances = dict(
        invoices_with_balance(invoices=Invoice.objects.filter(pk__in=chosen.values())).values_list(
            "pk", "balance_due"
        )
    )
    for key, tx in credits:
        pk = chosen.get(key)
        if pk is not None and cents(balances[pk]) == tx.amount:
            yield key, tx, Invoice(pk=pk)
        else:
            yield key, tx, None


def _share_payment_hook(tx: Transaction, key: str, by: User | None) -> ShareRouting | None:
    """Members' hook: a credit whose structured reference is a share payment's (an
    application or a subscription, never an invoice's) is recorded in the share register by
    members.payment_routing. None: not a share payment, go on matching invoices."""
    if not tx.is_credit or not tx.references:
        return None
    return share_payment_route(
        references=tx.references, amount=tx.amount, paid_on=tx.booked_on, bank_reference=key, by=by
    )


def _create_payment(
    statement: BankStatement,
    key: str,
    tx: Transaction,
    invoice: Invoice | None,
    rule: str,
    by: User | None,
    result: ImportResult,
    status: str | None = None,
    note: str = "",
) -> None:
    if status is None and invoice is not None:
        status = Payment.Status.MATCHED
    elif status is None and tx.is_credit:
        status = Payment.Status.UNMATCHED
    elif status is None:
        status = Payment.Status.IGNORED  # money sent that is no refund of an invoice
    payment = Payment.objects.create(
        invoice_id=invoice.pk if invoice is not None else None,
        status=status,
        source=Payment.Source.CAMT053,
        amount=tx.amount,
        received_on=tx.booked_on,
        payer_name=tx.counterparty_name,
        payer_iban=tx.counterparty_iban,
        communication=tx.communication,
        note=note,
        statement=statement,
        bank_reference=key,
        created_by=account_or_none(by),
    )
    result.created += 1
    if status == Payment.Status.MATCHED and payment.invoice is not None:
        result.matched += 1
        audit_log(
            actor=by,
            action="payment.matched",
            obj=payment.invoice,
            changes={"payment": payment.pk, "amount": payment.amount, "rule": rule},
        )
        _tell_if_now_paid(payment.invoice, payment.amount)
    elif status == Payment.Status.UNMATCHED:
        result.unmatched += 1
    else:
        result.ignored += 1
