"""Contracts: one per worker and period (one day or several), in the legal entity's name, with
its work days and its Dimona IN record, accepted by the worker before the work starts."""

from datetime import date
from decimal import Decimal

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
    WorkDay,
    WorkDeclaration,
    Worker,
)
from payroll.split import Pay
from production_units.models import ProductionUnit

from .tasks import render_contract_pdf, send_pending_dimonas
from .work_days import DayInput, split_gross_by_hours, work_days_errors


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
) -> Contract:
    """Create the contract covering `days` (first to last), its WorkDay rows (the gross split
    by hours, adding up exactly) and its Dimona IN record (to send before the work starts).

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
    WorkDay.objects.bulk_create(
        WorkDay(
            worker=worker,
            unit=unit,
            date=day.date,
            hours=day.hours,
            function=function,
            contract_type=contract_type,
            job=job,
            declaration=declaration,
            contract=contract,
            gross=gross,
        )
        for day, gross in zip(days, split_gross_by_hours(pay.gross, days), strict=True)
    )
    DimonaDeclaration.objects.create(
        contract=contract,
        kind=DimonaDeclaration.Kind.IN,
        start_date=start,
        end_date=end,
        worker_national_number=worker.national_number,
        employer_number=legal_entity.enterprise_number,
        contract_type_code=contract_type.code,
    )
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


@transaction.atomic
def contract_cancel(*, contract: Contract, by: User, reason: str) -> Contract:
    """Cancel a contract before the work starts: its days are freed, a Dimona cancellation is
    recorded. Raises ValidationError without a reason or once the work started."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contract is cancelled.")})
    if contract.status == Contract.Status.CANCELLED:
        raise ValidationError(_("This contract is already cancelled."))
    if contract.start_date <= timezone.localdate() and not is_staff(by):
        raise ValidationError(_("The work has started: only an advisor can cancel it."))
    contract.status = Contract.Status.CANCELLED
    contract.save(update_fields=["status"])
    contract.work_days.update(cancelled=True)
    DimonaDeclaration.objects.create(
        contract=contract,
        kind=DimonaDeclaration.Kind.CANCEL,
        start_date=contract.start_date,
        end_date=contract.end_date,
        worker_national_number=contract.worker.national_number,
        employer_number=contract.legal_entity.enterprise_number,
        contract_type_code=contract.contract_type.code,
    )
    transaction.on_commit(_send_dimonas)
    audit_log(
        actor=by,
        action="contract.cancelled",
        obj=contract,
        changes={"status": "cancelled"},
        reason=reason,
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
