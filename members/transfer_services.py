"""Share transfers between members as a queue: a request (the transferor in the portal, or an
advisor for them), then a board decision (approve → both sides in the register, or refuse with
a reason), or the requester cancels it while it waits.

The register itself is written by share_services.shares_transfer: approving a request calls it,
so the rules of a transfer (fully paid shares only, the minimum kept, dates) live there. A
request is only checked enough not to send the board something it can't approve.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.roles import is_staff, require_board

from .emails import member_address, send_on_commit
from .models import Member, ShareTransferRequest, User
from .register_services import lock_members, today
from .selectors import member_shares, share_policy_on
from .share_services import shares_transfer

Status = ShareTransferRequest.Status


# --- who may do what ---------------------------------------------------------------------------


def _check_transferor_or_staff(by: User | None, member: Member) -> None:
    if is_staff(by):
        return
    if member.user_id is None or member.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("You can only transfer your own shares."))


# --- reads ------------------------------------------------------------------------------------


def shares_pending_transfer(*, member: Member, exclude: ShareTransferRequest | None = None) -> int:
    """Shares of `member` in transfer requests still waiting for the board."""
    pending = ShareTransferRequest.objects.filter(from_member=member, status=Status.REQUESTED)
    if exclude is not None:
        pending = pending.exclude(pk=exclude.pk)
    return pending.aggregate(total=Sum("shares"))["total"] or 0


def shares_transferable(*, member: Member) -> int:
    """Fully paid shares the member could still ask to transfer (pending requests deducted)."""
    position = member_shares(member=member)
    return max(0, position.fully_paid_shares - shares_pending_transfer(member=member))


def transfer_requests_of(*, member: Member) -> QuerySet[ShareTransferRequest]:
    """The transfer requests of a transferor, latest first."""
    return (
        ShareTransferRequest.objects.filter(from_member=member)
        .select_related("to_member")
        .order_by("-requested_at", "-id")
    )


# --- writes -----------------------------------------------------------------------------------


def _clean_member_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@transaction.atomic
def share_transfer_request(
    *, from_member: Member, to_member_number: object, shares: int, note: str = "", by: User | None
) -> ShareTransferRequest:
    """Ask the board to transfer `shares` fully paid shares of `from_member` to the active member
    with number `to_member_number`. The transferor themselves or an advisor.

    Raises PermissionDenied, or ValidationError naming `to_member` (no active member with this
    number, or the transferor), `shares` (not a whole number ≥ 1, more than the fully paid
    shares not already in a pending request, fewer than the minimum left) or `from_member`.
    """
    _check_transferor_or_staff(by, from_member)
    (source,) = lock_members(from_member)
    errors: dict = {}
    if source.status != Member.Status.MEMBER or source.left_on is not None:
        errors["from_member"] = _("Only a member can transfer shares.")
    # The same answer for an unknown number and a former member: the recipient's status is
    # none of the requester's business.
    number = _clean_member_number(to_member_number)
    target = None
    if number is not None:
        target = Member.objects.filter(
            number=number, status=Member.Status.MEMBER, left_on__isnull=True
        ).first()
    if target is None:
        errors["to_member"] = _("There is no active member with this number.")
    elif target.pk == source.pk:
        errors["to_member"] = _("You can't transfer shares to yourself.")
    if isinstance(shares, bool) or not isinstance(shares, int) or shares < 1:
        errors["shares"] = _("Enter a whole number of shares, at least 1.")
    if errors or target is None:
        raise ValidationError(errors)
    position = member_shares(member=source)
    pending = shares_pending_transfer(member=source)
    available = max(0, position.fully_paid_shares - pending)
    policy = share_policy_on(today())
    minimum = policy.minimum_shares if policy else 1
    if shares > available:
        errors["shares"] = _(
            "Only %(available)s fully paid share(s) can be transferred: %(paid)s fully paid, "
            "%(pending)s already in a request waiting for the board."
        ) % {"available": available, "paid": position.fully_paid_shares, "pending": pending}
    elif position.held - pending - shares < minimum:
        errors["shares"] = _(
            "You must keep at least %(minimum)s share(s): to give back all of them, resign."
        ) % {"minimum": minimum}
    if errors:
        raise ValidationError(errors)
    request = ShareTransferRequest.objects.create(
        from_member=source,
        to_member=target,
        shares=shares,
        note=(note or "").strip(),
        requested_by=account_or_none(by),
    )
    audit_log(
        actor=by,
        action="share_transfer.requested",
        obj=request,
        changes={
            "from_member": source.number,
            "to_member": target.number,
            "shares": shares,
        },
        reason=request.note,
    )
    return request


def _lock_request(request: ShareTransferRequest) -> ShareTransferRequest:
    return ShareTransferRequest.objects.select_for_update().get(pk=request.pk)


def _check_waiting(request: ShareTransferRequest) -> None:
    if request.status != Status.REQUESTED:
        raise ValidationError(
            {
                "status": _("This request is already %(status)s.")
                % {"status": request.get_status_display()}
            }
        )


@transaction.atomic
def share_transfer_approve(
    *, request: ShareTransferRequest, by: User | None, decision_reference: str, on: date
) -> ShareTransferRequest:
    """The board approves a waiting request: the transfer is recorded in the register on `on`
    (share_services.shares_transfer, with its rules) and linked to the request.

    Raises PermissionDenied (not the board), or ValidationError naming `status` (not waiting)
    or what shares_transfer names (`shares`, `decision_reference`, `on`, `to_member`,
    `from_member`).
    """
    require_board(by, _("Only the board can decide on a transfer of shares."))
    request = _lock_request(request)
    _check_waiting(request)
    out, into = shares_transfer(
        from_member=request.from_member,
        to_member=request.to_member,
        shares=request.shares,
        by=by,
        on=on,
        decision_reference=decision_reference,
        note=request.note,
    )
    request.status = Status.APPROVED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reference = out.decision_reference
    request.transfer_out_entry = out
    request.transfer_in_entry = into
    request.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reference",
            "transfer_out_entry",
            "transfer_in_entry",
        ]
    )
    audit_log(
        actor=by,
        action="share_transfer.approved",
        obj=request,
        changes={
            "status": request.status,
            "on": on.isoformat(),
            "decision_reference": request.decision_reference,
            "transfer_out_entry": out.pk,
            "transfer_in_entry": into.pk,
        },
    )
    _tell_transferor(request, "share_transfer_approved", on=on)
    return request


def _tell_transferor(request: ShareTransferRequest, template: str, **context: object) -> None:
    """The transferor learns the board's decision by e-mail (after commit)."""
    member = request.from_member
    send_on_commit(
        template=template,
        to=member_address(member),
        language=member.preferred_language,
        context={"request": request, "member": member, **context},
    )


@transaction.atomic
def share_transfer_refuse(
    *, request: ShareTransferRequest, by: User | None, reason: str
) -> ShareTransferRequest:
    """The board refuses a waiting request, with a reason (shown to the member).

    Raises PermissionDenied (not the board), or ValidationError naming `reason` (empty) or
    `status` (not waiting).
    """
    require_board(by, _("Only the board can decide on a transfer of shares."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A refusal needs a reason.")})
    request = _lock_request(request)
    _check_waiting(request)
    request.status = Status.REFUSED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.refusal_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    audit_log(
        actor=by,
        action="share_transfer.refused",
        obj=request,
        changes={"status": request.status},
        reason=reason,
    )
    _tell_transferor(request, "share_transfer_refused")
    return request


@transaction.atomic
def share_transfer_cancel(
    *, request: ShareTransferRequest, by: User | None
) -> ShareTransferRequest:
    """The requester (or the transferor) withdraws a request still waiting for the board.

    Raises PermissionDenied (someone else), or ValidationError naming `status` (decided).
    """
    request = _lock_request(request)
    by_pk = getattr(by, "pk", None)
    allowed = by_pk is not None and by_pk in {
        request.requested_by_id,
        request.from_member.user_id,
    }
    if not allowed:
        raise PermissionDenied(_("Only the person who asked can cancel this request."))
    _check_waiting(request)
    request.status = Status.CANCELLED
    request.save(update_fields=["status"])
    audit_log(
        actor=by,
        action="share_transfer.cancelled",
        obj=request,
        changes={"status": request.status},
    )
    return request
