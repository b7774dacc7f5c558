"""Leaving the cooperative: an exit asked for or recorded, its refund, the refund marked paid."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from core.audit import account_or_none, audit_log
from core.roles import require_staff
from core.validators import validate_iban

from .emails import member_address, send_on_commit
from .models import (
    Member,
    MemberExit,
    RefundPayout,
    User,
)
from .register_services import (
    check_active,
    check_date,
    check_member_or_staff,
    lock_members,
    refund_record,
)
from .selectors import member_shares


@transaction.atomic
def member_exit_request(*, member: Member, by: User | None, reason: str = "") -> MemberExit:
    """A member asks to resign (portal or letter): waits for an advisor to record it.

    Raises PermissionDenied, or ValidationError when the member has left or already asked.
    """
    check_member_or_staff(by, member)
    (member,) = lock_members(member)
    errors: dict = {}
    check_active(member, errors)
    if MemberExit.objects.filter(member=member).exists():
        errors["member"] = _("A resignation is already waiting to be recorded.")
    if errors:
        raise ValidationError(errors)
    request = MemberExit.objects.create(
        member=member, kind=MemberExit.Kind.RESIGNATION, reason=reason
    )
    audit_log(actor=by, action="member.resignation_requested", obj=member, reason=reason)
    return request


@transaction.atomic
def member_exit(
    *,
    member: Member,
    by: User | None,
    kind: str,
    on: date,
    decision_reference: str = "",
    reason: str = "",
    payout_iban: str = "",
) -> MemberExit:
    """Record that a member leaves on `on` (resignation, exclusion by the board, death): their
    status changes, all their shares are refunded (paid up and not yet refunded, at the
    subscription price, never any share of the reserves) and the refund waits as a payout.

    `payout_iban`: where to pay (heirs, a new account); the member's IBAN otherwise.
    Raises PermissionDenied, or ValidationError naming `kind`, `decision_reference` and
    `reason` (an exclusion needs both), `payout_iban` or `on`.
    """
    require_staff(by)
    (member,) = lock_members(member)
    errors: dict = {}
    statuses: dict[str, str] = {
        MemberExit.Kind.RESIGNATION: Member.Status.RESIGNED,
        MemberExit.Kind.EXCLUSION: Member.Status.EXCLUDED,
        MemberExit.Kind.DEATH: Member.Status.DECEASED,
    }
    if kind not in statuses:
        errors["kind"] = _("Unknown kind of exit.")
    decision_reference = (decision_reference or "").strip()
    reason = (reason or "").strip()
    if kind == MemberExit.Kind.EXCLUSION:
        if not decision_reference:
            errors["decision_reference"] = _("An exclusion needs the board decision reference.")
        if not reason:
            errors["reason"] = _("An exclusion needs a reason.")
    check_active(member, errors)
    check_date(member, on, errors)
    iban = payout_iban or member.iban
    if payout_iban:
        iban = _clean_iban(payout_iban, errors)
    if errors:
        raise ValidationError(errors)
    position = member_shares(member=member)
    entry = None
    if position.held > 0:
        try:
            entry, _payout_row = refund_record(
                member=member,
                position=position,
                shares=position.held,
                on=on,
                by=by,
                iban=iban,
                beneficiary=member.display_name,
                decision_reference=decision_reference,
                note=reason,
            )
        except ValidationError as exc:
            raise ValidationError({"payout_iban": exc.message_dict["iban"]}) from None
    member.status = statuses[kind]
    member.left_on = on
    member.may_open_units = False
    member.save(update_fields=["status", "left_on", "may_open_units"])
    record = MemberExit.objects.filter(member=member).first() or MemberExit(member=member)
    record.kind = kind
    record.status = MemberExit.Status.RECORDED
    record.effective_on = on
    record.decision_reference = decision_reference
    record.reason = reason or record.reason
    record.recorded_by = account_or_none(by)
    record.refund_entry = entry
    record.save()
    audit_log(
        actor=by,
        action=f"member.{member.status}",
        obj=member,
        changes={
            "status": member.status,
            "left_on": on.isoformat(),
            "refund": str(entry.refund if entry else Decimal("0.00")),
            "decision_reference": decision_reference,
        },
        reason=reason,
    )
    if kind in (MemberExit.Kind.RESIGNATION, MemberExit.Kind.EXCLUSION):
        send_on_commit(
            template="member_exit_recorded",
            to=member_address(member),
            language=member.preferred_language,
            context={
                "member": member,
                "exit": record,
                "refund": entry.refund if entry else Decimal("0.00"),
                "iban": iban,
            },
        )
    return record


def _clean_iban(value: str, errors: dict) -> str:
    try:
        validate_iban(value)
    except ValidationError as exc:
        errors["payout_iban"] = exc.messages
        return ""
    return stdnum_iban.compact(value)


@transaction.atomic
def refund_payout_mark_paid(
    *, payout: RefundPayout, by: User | None, paid_on: date
) -> RefundPayout:
    """Mark a refund as paid (by the credit-transfer export or an advisor). Idempotent."""
    if by is not None:
        require_staff(by)
    payout = RefundPayout.objects.select_for_update().get(pk=payout.pk)
    if payout.status == RefundPayout.Status.PAID:
        return payout
    payout.status = RefundPayout.Status.PAID
    payout.paid_on = paid_on
    payout.save(update_fields=["status", "paid_on"])
    audit_log(
        actor=by, action="refund_payout.paid", obj=payout, changes={"paid_on": paid_on.isoformat()}
    )
    return payout
