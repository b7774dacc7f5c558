"""Contracts: one per worker and period (one day or several), in the legal entity's name, with
its work days and its Dimona IN record, accepted by the worker before the work starts;
cancelled before it starts (Dimona CANCEL) or ended early by an advisor (Dimona OUT)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.counters import counter_next
from core.dates import format_day
from core.roles import is_staff, require_staff
from core.scoping import UNIT_OFFICE, require_office
from members.models import LegalEntity, User
from members.notifications import kinds as notice
from members.notifications.services import notify
from payroll.models import (
    Contract,
    ContractType,
    DimonaDeclaration,
    Job,
    WorkDeclaration,
    Worker,
)
from payroll.split import Pay
from production_units.models import ProductionUnit

from .dimona import dimona_record, dimona_withdraw, live_in
from .tasks import render_contract_pdf, send_pending_dimonas
from .work_days import DayInput, book_days, split_gross_by_hours, work_days_errors


def _after_contract(contract_id: int) -> None:
    render_contract_pdf.delay(contract_id)
    send_pending_dimonas.delay()


def _send_dimonas() -> None:
    send_pending_dimonas.delay()


def contract_reference_text(entity_code: str, year: int, number: int) -> str:
    """A contract reference: the legal entity's initials, CT, the year, the number."""
    initials = "".join(word[0] for word in entity_code.split("-") if word).upper()
    return f"{initials}-CT-{year}-{number:06d}"


def contract_reference(legal_entity: LegalEntity, year: int) -> str:
    """The next contract reference of a legal entity and year, gap-free (in the transaction)."""
    number = counter_next(f"contract:{legal_entity.code}:{year}")
    return contract_reference_text(legal_entity.code, year, number)


@transaction.atomic
def contract_create(
    *,
    unit: ProductionUnit,
    worker: Worker,
    contract_type: ContractType,
    function: str,
    days: list[DayInput],
    pay: Pay,
    by: User,
    job: Job | None = None,
    declaration: WorkDeclaration | None = None,
    past_start_reason: str = "",
    place_of_work: str = "",
) -> Contract:
    """Create the contract covering `days` (first to last), its WorkDay rows (the gross split
    by hours, adding up exactly) and its Dimona IN record (to send before the work starts).
    The contract keeps its type's joint committee and the place of work the member gave
    (empty: the PDF says the default, payroll.work.contract_pdf.place_of_work).

    A start in the past needs a staff member (`by`) and a reason: it is recorded on the
    contract. Raises ValidationError({"days": [...]}) for a day already declared for the
    worker, bad hours, or a past day without that override.
    """
    allow_past = is_staff(by) and bool(past_start_reason.strip())
    errors = work_days_errors(
        worker=worker,
        days=days,
        allow_past=allow_past,
        exclude_job=job,
        exclude_declaration=declaration,
    )
    if errors:
        raise ValidationError({"days": errors})
    start, end = days[0].date, days[-1].date
    legal_entity = unit.legal_entity
    contract = Contract.objects.create(
        reference=contract_reference(legal_entity, start.year),
        legal_entity=legal_entity,
        unit=unit,
        worker=worker,
        contract_type=contract_type,
        function=function,
        joint_committee=contract_type.joint_committee,
        place_of_work=place_of_work.strip(),
        start_date=start,
        end_date=end,
        days=len(days),
        hours=sum((day.hours for day in days), Decimal(0)),
        gross=pay.gross,
        employer_charges=pay.employer_charges,
        net_estimate=pay.net,
        job=job,
        declaration=declaration,
        past_start_approved_by=by if start < timezone.localdate() else None,
        past_start_reason=past_start_reason.strip() if start < timezone.localdate() else "",
    )
    book_days(
        days,
        worker=worker,
        unit=unit,
        function=function,
        contract_type=contract_type,
        job=job,
        declaration=declaration,
        contract=contract,
        grosses=split_gross_by_hours(pay.gross, days),
    )
    dimona_record(contract=contract, kind=DimonaDeclaration.Kind.IN)
    transaction.on_commit(lambda: _after_contract(contract.pk))
    audit_log(
        actor=by,
        action="contract.created",
        obj=contract,
        changes={
            "reference": contract.reference,
            "unit": unit.pk,
            "worker": worker.pk,
            "start": start,
            "end": end,
            "days": len(days),
            "gross": str(pay.gross),
        },
        reason=contract.past_start_reason,
    )
    notify(
        worker,
        notice.CONTRACT_TO_ACCEPT,
        url="portal:work_contract_detail",
        pk=contract.pk,
        params={"what": contract.reference, "start_day": start, "end_day": end},
    )
    return contract


@transaction.atomic
def contract_accept(*, contract: Contract, by: User, today: date | None = None) -> Contract:
    """The worker accepts their contract (timestamp recorded). Only the worker, only before the
    work starts (unless an advisor approved a start in the past), only once.

    Raises ValidationError naming what is wrong.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    today = today or timezone.localdate()
    if contract.worker.user_id is None or contract.worker.user_id != getattr(by, "pk", None):
        raise ValidationError(_("Only the worker named in the contract can accept it."))
    if contract.status != Contract.Status.OFFERED:
        raise ValidationError(
            _("This contract is %(status)s: it can't be accepted.")
            % {"status": contract.get_status_display()}
        )
    if contract.start_date < today and contract.past_start_approved_by_id is None:
        raise ValidationError(
            _("The work started on %(day)s: a contract must be accepted before it starts.")
            % {"day": format_day(contract.start_date)}
        )
    contract.status = Contract.Status.ACCEPTED
    contract.accepted_at = timezone.now()
    contract.save(update_fields=["status", "accepted_at"])
    audit_log(actor=by, action="contract.accepted", obj=contract, changes={"status": "accepted"})
    return contract


def _refuse_once_started(contract: Contract, today: date) -> None:
    if contract.start_date <= today:
        raise ValidationError(
            _(
                "Contract %(reference)s started on %(day)s: a contract whose work has started "
                "can't be cancelled (the Dimona IN stands). An advisor ends it instead, on the "
                "last day worked (Dimona OUT)."
            )
            % {"reference": contract.reference, "day": format_day(contract.start_date)}
        )


@transaction.atomic
def contract_cancel(
    *, contract: Contract, by: User, reason: str, today: date | None = None
) -> Contract:
    """Cancel a contract before the work starts: its days are freed and its Dimona IN is
    cancelled — a CANCEL to send when the IN has gone out, both withdrawn when it had not.

    Raises ValidationError without a reason, for a contract already cancelled, or once the
    work started (the start day included): that one is ended (`contract_end`)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contract is cancelled.")})
    if contract.status == Contract.Status.CANCELLED:
        raise ValidationError(_("This contract is already cancelled."))
    _refuse_once_started(contract, today or timezone.localdate())
    contract.status = Contract.Status.CANCELLED
    contract.save(update_fields=["status"])
    contract.work_days.update(cancelled=True)
    declared = live_in(contract)
    cancel = dimona_record(contract=contract, kind=DimonaDeclaration.Kind.CANCEL,
                           in_declaration=declared)  # fmt: skip
    if declared is None or declared.status == DimonaDeclaration.Status.PENDING:
        # The IN never went out: nothing to cancel at the ONSS.
        message = _("Not sent: the contract was cancelled before its IN went out.")
        if declared is not None:
            dimona_withdraw(declaration=declared, by=by, message=message)
        dimona_withdraw(declaration=cancel, by=by, message=message)
    else:
        transaction.on_commit(_send_dimonas)
    audit_log(
        actor=by,
        action="contract.cancelled",
        obj=contract,
        changes={"status": "cancelled"},
        reason=reason,
    )
    return contract


def _check_end(contract: Contract, end_date: date, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contract ends.")})
    if contract.status == Contract.Status.CANCELLED:
        raise ValidationError(
            _("Contract %(reference)s is cancelled: it can't be ended.")
            % {"reference": contract.reference}
        )
    if (
        contract.dimonas.filter(kind=DimonaDeclaration.Kind.OUT)
        .exclude(status__in=DimonaDeclaration.CLOSED)
        .exists()
    ):
        raise ValidationError(
            _("Contract %(reference)s was already ended on %(day)s (Dimona OUT recorded).")
            % {"reference": contract.reference, "day": format_day(contract.end_date)}
        )
    if end_date < contract.start_date:
        raise ValidationError(
            {"end_date": _(
                "The contract starts on %(day)s: it can't end before. A contract whose work "
                "has not started is cancelled instead."
            ) % {"day": format_day(contract.start_date)}}
        )  # fmt: skip
    latest_ok = end_date <= contract.end_date if contract.contract_type.is_open_ended else (
        end_date < contract.end_date
    )  # fmt: skip
    if not latest_ok:
        raise ValidationError(
            {"end_date": _(
                "The contract ends on %(day)s: an end is declared only before that day (a "
                "fixed-term contract ends on its end date by itself)."
            ) % {"day": format_day(contract.end_date)}}
        )  # fmt: skip


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (amount * part / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def contract_end(*, contract: Contract, end_date: date, by: User, reason: str) -> Contract:
    """An advisor of the contract's office ends a contract on `end_date` (the last day of
    work): before its planned end, or on any day of an open-ended one. The days after are
    freed (not paid), the contract's days, hours and gross become those of the days kept
    (the employer charges and the estimated net in the same proportion), and a Dimona OUT
    is recorded, sent once its IN has gone out. Once only: a second end is refused (a refused
    OUT is corrected by ending again or sent again).

    Raises PermissionDenied for a non-staff user, Http404 for another office's contract,
    ValidationError naming `reason` or `end_date`, or for a cancelled or already ended one."""
    require_staff(by)
    require_office(by, contract, UNIT_OFFICE)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _check_end(contract, end_date, reason)
    declared = live_in(contract)
    if declared is None:
        raise ValidationError(
            _("Contract %(reference)s has no Dimona IN that stands: correct the IN first.")
            % {"reference": contract.reference}
        )
    planned_end, old_gross = contract.end_date, contract.gross
    contract.work_days.filter(date__gt=end_date, cancelled=False).update(cancelled=True)
    kept = list(contract.work_days.filter(cancelled=False))
    contract.end_date = end_date
    contract.days = len(kept)
    contract.hours = sum((day.hours for day in kept), Decimal(0))
    contract.gross = sum((day.gross for day in kept), Decimal("0.00"))
    contract.employer_charges = _share(contract.employer_charges, contract.gross, old_gross)
    contract.net_estimate = _share(contract.net_estimate, contract.gross, old_gross)
    contract.save(update_fields=["end_date", "days", "hours", "gross", "employer_charges",
                                 "net_estimate"])  # fmt: skip
    dimona_record(contract=contract, kind=DimonaDeclaration.Kind.OUT, in_declaration=declared)
    transaction.on_commit(_send_dimonas)
    audit_log(
        actor=by,
        action="contract.ended",
        obj=contract,
        changes={"end_date": end_date, "planned_end": planned_end, "gross": str(contract.gross)},
        reason=reason.strip(),
    )
    return contract


@transaction.atomic
def contract_pay_release(*, contract: Contract, by: User, reason: str) -> Contract:
    """An advisor of the contract's office overrides the hold on an offered contract the
    worker has not accepted: the next payroll run pays its days (as arrears for a month
    already run). Recorded on the contract and in the audit trail with the reason.

    Raises PermissionDenied for a non-staff user, Http404 for an advisor of another office,
    ValidationError naming `reason` without one, or when the contract is not held."""
    require_staff(by)
    require_office(by, contract, UNIT_OFFICE)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the contract is paid without the worker's acceptance.")}
        )
    if contract.status != Contract.Status.OFFERED or contract.pay_released_at is not None:
        raise ValidationError(
            _("The pay of contract %(reference)s is not held: nothing to release.")
            % {"reference": contract.reference}
        )
    contract.pay_released_by = by
    contract.pay_released_at = timezone.now()
    contract.pay_release_reason = reason.strip()
    contract.save(update_fields=["pay_released_by", "pay_released_at", "pay_release_reason"])
    audit_log(
        actor=by,
        action="contract.pay_released",
        obj=contract,
        changes={"pay_released": True},
        reason=contract.pay_release_reason,
    )
    return contract
