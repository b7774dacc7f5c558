"""Payouts: the credit transfers the cooperative makes (salary advances and balances, expense
reimbursements, share refunds), grouped in batches written as pain.001 files.

A payout line is created by the service that decides the money is owed (job validation,
payroll run, expense approval; share refunds are picked up here from members). A batch takes
every line due by a date that no batch holds yet: a line is batched once, whatever runs
concurrently. The batch is marked sent once the file is handed to the bank; refunds then
become paid and expense claims reimbursed.
"""

import logging
from datetime import date, timedelta
from decimal import Decimal

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.roles import require_staff
from members.exit_services import refund_payout_mark_paid
from members.models import LegalEntity, RefundPayout
from payroll.models import ExpenseClaim, PayoutBatch, PayoutLine

from .sepa import Debtor, Transfer, end_to_end_id, iban_is_valid, pain001

logger = logging.getLogger(__name__)

# The legal entity whose account pays every payout (the pooled treasury); see docs/payouts.md.
DEFAULT_DEBTOR_CODE = "smartcoop"
# The scheduled task runs on these days (Monday = 0): Tuesday and Friday. A run takes the
# lines due by the next run day, so no line waits past its due date (docs/payouts.md).
RUN_WEEKDAYS = (1, 4)
# Lines updated per statement (PostgreSQL takes at most 65,535 parameters).
CHUNK = 5000


def _today() -> date:
    return timezone.localdate()


def _check_staff(by) -> None:
    """`by` is a staff user, or None for the system (tasks, commands)."""
    if by is not None:
        require_staff(by, _("Only staff can do this."))


# Dates -------------------------------------------------------------------------------------


def is_banking_day(day: date) -> bool:
    """A TARGET2 business day: SEPA transfers are executed on those only."""
    return day.weekday() < 5 and day not in holidays.financial_holidays("ECB", years=day.year)


def next_banking_day(day: date) -> date:
    """The first banking day strictly after `day`."""
    day += timedelta(days=1)
    while not is_banking_day(day):
        day += timedelta(days=1)
    return day


def next_run_day(day: date) -> date:
    """The next scheduled run strictly after `day` (RUN_WEEKDAYS)."""
    day += timedelta(days=1)
    while day.weekday() not in RUN_WEEKDAYS:
        day += timedelta(days=1)
    return day


# Who pays ----------------------------------------------------------------------------------


def payout_debtor() -> Debtor:
    """The paying account: the legal entity `PAYOUT_DEBTOR_LEGAL_ENTITY` (a code; SmartCoop
    by default). Its BIC is written when it has one ("NOTPROVIDED" otherwise).

    Raises ValidationError when the entity doesn't exist or has no valid IBAN.
    """
    code = getattr(settings, "PAYOUT_DEBTOR_LEGAL_ENTITY", DEFAULT_DEBTOR_CODE)
    entity = LegalEntity.objects.filter(code=code).first()
    if entity is None or not iban_is_valid(entity.iban):
        raise ValidationError(
            _("The paying legal entity (%(code)s) is missing or has no valid IBAN.")
            % {"code": code}
        )
    return Debtor(name=entity.name, iban=entity.iban, bic=entity.bic or "")


# Lines -------------------------------------------------------------------------------------


@transaction.atomic
def payout_lines_from_refunds(*, by=None) -> int:
    """A share-refund payout line for each pending refund that has none yet, due today.
    Idempotent (a refund has at most one line). Returns how many lines were created."""
    _check_staff(by)
    refunds = (
        RefundPayout.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=RefundPayout.Status.PENDING, payout_line__isnull=True)
        .order_by("pk")
    )
    today = _today()
    created = 0
    for refund in refunds:
        line = PayoutLine.objects.create(
            kind=PayoutLine.Kind.SHARE_REFUND,
            refund=refund,
            beneficiary=refund.beneficiary[:140],
            iban=refund.iban,
            amount=refund.amount,
            remittance=refund.remittance,
            due_on=today,
        )
        audit_log(
            actor=account_or_none(by),
            action="payout_line.created",
            obj=line,
            changes={"kind": line.kind, "refund": refund.pk, "amount": str(line.amount)},
        )
        created += 1
    return created


def payouts_due(*, due_by: date, kinds=None):
    """The lines no batch holds yet, due by `due_by` (overdue ones included)."""
    lines = PayoutLine.objects.filter(batch__isnull=True, due_on__lte=due_by)
    if kinds:
        lines = lines.filter(kind__in=list(kinds))
    return lines


# Batches -----------------------------------------------------------------------------------


def _check_kinds(kinds) -> list[str] | None:
    if not kinds:
        return None
    kinds = list(kinds)
    unknown = sorted(set(kinds) - set(PayoutLine.Kind.values))
    if unknown:
        raise ValidationError(
            {"kinds": _("Unknown kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}}
        )
    return kinds


def _payable(line: PayoutLine) -> bool:
    """A line the bank can execute: a valid IBAN and a beneficiary's name."""
    return iban_is_valid(line.iban) and bool(line.beneficiary.strip())


def _transfers(lines) -> list[Transfer]:
    return [
        Transfer(
            end_to_end_id=end_to_end_id(line.pk),
            name=line.beneficiary.strip(),
            iban=line.iban,
            amount=line.amount,
            remittance=line.remittance.strip() or end_to_end_id(line.pk),
        )
        for line in sorted(lines, key=lambda line: line.pk)
    ]


def payout_batch_content(*, batch: PayoutBatch) -> bytes:
    """The pain.001 file of a batch, from its lines: the same lines give the same file
    (apart from the creation timestamp)."""
    return pain001(
        message_id=batch.reference,
        debtor=payout_debtor(),
        execution_date=batch.execution_date,
        transfers=_transfers(batch.lines.all()),
    )


def payout_batch_file_write(*, batch: PayoutBatch, content: bytes | None = None) -> PayoutBatch:
    """Store the batch's pain.001 file if it isn't stored yet (idempotent)."""
    if batch.file:
        return batch
    content = content if content is not None else payout_batch_content(batch=batch)
    batch.file.save(f"{batch.reference}.xml", ContentFile(content), save=False)
    PayoutBatch.objects.filter(pk=batch.pk).update(file=batch.file.name)
    return batch


def payout_batch_prepare(
    *, due_by: date, execution_date: date, by, kinds=None
) -> PayoutBatch | None:
    """One batch of every line due by `due_by` that no batch holds (of `kinds` only, when
    given), with its pain.001 file (written after commit). Lines locked by a concurrent
    prepare are skipped: a line is never in two batches. Lines with an invalid IBAN or no
    beneficiary name stay out (logged) until corrected. Returns None when nothing is due.

    Raises ValidationError naming `execution_date` (in the past or not a banking day) or
    `kinds`; PermissionDenied when `by` is not staff.
    """
    _check_staff(by)
    kinds = _check_kinds(kinds)
    if execution_date < _today():
        raise ValidationError({"execution_date": _("The execution date can't be in the past.")})
    if not is_banking_day(execution_date):
        raise ValidationError(
            {"execution_date": _("The execution date must be a banking day (TARGET2).")}
        )
    debtor = payout_debtor()
    with transaction.atomic():
        candidates = list(
            payouts_due(due_by=due_by, kinds=kinds)
            .select_for_update(skip_locked=True)
            .order_by("pk")
        )
        lines = [line for line in candidates if _payable(line)]
        left_out = len(candidates) - len(lines)
        if left_out:
            kept = {line.pk for line in lines}
            ids = [line.pk for line in candidates if line.pk not in kept]
            logger.warning("Payout lines left out (invalid IBAN or no name): %s", ids)
        if not lines:
            logger.info("No payout due by %s: no batch prepared.", due_by)
            return None
        reference = f"PAYOUT-{execution_date:%Y%m%d}-{lines[0].pk}"
        content = pain001(
            message_id=reference,
            debtor=debtor,
            execution_date=execution_date,
            transfers=_transfers(lines),
        )
        total = sum((line.amount for line in lines), Decimal("0.00"))
        batch = PayoutBatch.objects.create(
            reference=reference,
            execution_date=execution_date,
            total=total,
            count=len(lines),
            run=_single_run(lines),
            created_by=account_or_none(by),
        )
        ids = [line.pk for line in lines]
        updated = sum(
            PayoutLine.objects.filter(pk__in=ids[start : start + CHUNK], batch__isnull=True).update(
                batch=batch
            )
            for start in range(0, len(ids), CHUNK)
        )
        if updated != len(lines):  # the row locks make this impossible; refuse loudly
            raise RuntimeError("payout lines were batched concurrently")
        by_kind: dict[str, int] = {}
        for line in lines:
            by_kind[line.kind] = by_kind.get(line.kind, 0) + 1
        audit_log(
            actor=account_or_none(by),
            action="payout_batch.prepared",
            obj=batch,
            changes={
                "due_by": due_by.isoformat(),
                "execution_date": execution_date.isoformat(),
                "count": batch.count,
                "total": str(total),
                "kinds": by_kind,
                "left_out": left_out,
            },
        )
        transaction.on_commit(lambda: payout_batch_file_write(batch=batch, content=content))
    return batch


def _single_run(lines):
    """The payroll run of the batch when it pays the balances of one run only."""
    runs = {line.payslip.run_id if line.payslip_id else None for line in lines}
    if len(runs) == 1 and None not in runs:
        return lines[0].payslip.run
    return None


@transaction.atomic
def expense_claim_mark_reimbursed(*, claim: ExpenseClaim, by, batch: PayoutBatch | None = None):
    """An approved claim is reimbursed (its transfer was sent). Idempotent.

    Raises ValidationError naming `status` when the claim is not approved.
    """
    _check_staff(by)
    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status == ExpenseClaim.Status.REIMBURSED:
        return claim
    if claim.status != ExpenseClaim.Status.APPROVED:
        raise ValidationError(
            {
                "status": _("Expense claim %(claim)s is not approved: it can't be reimbursed.")
                % {"claim": claim.pk}
            }
        )
    claim.status = ExpenseClaim.Status.REIMBURSED
    claim.save(update_fields=["status"])
    audit_log(
        actor=account_or_none(by),
        action="expense_claim.reimbursed",
        obj=claim,
        changes={
            "status": [ExpenseClaim.Status.APPROVED.value, ExpenseClaim.Status.REIMBURSED.value],
            "batch": batch.reference if batch else None,
        },
    )
    return claim


@transaction.atomic
def payout_batch_mark_sent(*, batch: PayoutBatch, by) -> PayoutBatch:
    """The batch's file was handed to the bank: the batch is sent, its share refunds paid (on
    the execution date) and its expense claims reimbursed. Idempotent.

    Raises ValidationError when a claim of the batch is no longer approved (nothing changes).
    """
    _check_staff(by)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == PayoutBatch.Status.SENT:
        return batch
    lines = list(batch.lines.select_related("refund", "expense_claim").order_by("pk"))
    refunds = claims = 0
    for line in lines:
        if line.refund is not None:
            refund_payout_mark_paid(
                payout=line.refund, by=account_or_none(by), paid_on=batch.execution_date
            )
            refunds += 1
        if line.expense_claim is not None:
            expense_claim_mark_reimbursed(claim=line.expense_claim, by=by, batch=batch)
            claims += 1
    batch.status = PayoutBatch.Status.SENT
    batch.save(update_fields=["status"])
    audit_log(
        actor=account_or_none(by),
        action="payout_batch.sent",
        obj=batch,
        changes={
            "status": [PayoutBatch.Status.PREPARED.value, PayoutBatch.Status.SENT.value],
            "refunds_paid": refunds,
            "claims_reimbursed": claims,
        },
    )
    return batch


def payout_schedule(*, on: date) -> tuple[date, date]:
    """(due_by, execution_date) of the scheduled run on day `on`: the lines due by the next
    run day, executed on the next banking day."""
    return next_run_day(on), next_banking_day(on)
