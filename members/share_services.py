"""Moves of shares between members and categories: transfers, withdrawals, category changes."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.money import cents
from core.roles import require_staff

from .models import (
    Member,
    ShareRegisterEntry,
    User,
)
from .register_services import (
    Operation,
    check_active,
    check_date,
    check_shares,
    entry_append,
    entry_audit,
    lock_members,
    refund_record,
)
from .selectors import member_shares, share_policy_on
from .services import member_update


@transaction.atomic
def shares_transfer(
    *,
    from_member: Member,
    to_member: Member,
    shares: int,
    by: User | None,
    on: date,
    decision_reference: str,
    note: str = "",
) -> tuple[ShareRegisterEntry, ShareRegisterEntry]:
    """Transfer fully paid shares between two members on a board decision: both sides are
    recorded together, at the transferor's subscription price.

    Raises PermissionDenied (not an advisor) or ValidationError naming `shares` (more than
    held and fully paid, or fewer than the minimum left), `decision_reference`, `to_member`
    or `on`.
    """
    require_staff(by)
    errors: dict = {}
    if from_member.pk == to_member.pk:
        raise ValidationError({"to_member": _("A member can't transfer shares to themselves.")})
    source, target = lock_members(from_member, to_member)
    shares = check_shares(shares, errors)
    if not (decision_reference or "").strip():
        errors["decision_reference"] = _("A transfer needs the reference of the board decision.")
    check_active(source, errors, key="from_member")
    check_active(target, errors, key="to_member")
    check_date(source, on, errors)
    check_date(target, on, errors)
    if errors:
        raise ValidationError(errors)
    position = member_shares(member=source)
    policy = share_policy_on(on)
    minimum = policy.minimum_shares if policy else 1
    value = position.nominal_of(shares)
    if shares > position.fully_paid_shares or value > position.refundable:
        errors["shares"] = _(
            "%(name)s holds %(paid)s fully paid share(s): only those can be transferred."
        ) % {"name": source.display_name, "paid": position.fully_paid_shares}
    elif position.held - shares < minimum:
        errors["shares"] = _(
            "%(name)s would keep fewer than %(minimum)s share(s): record an exit instead."
        ) % {"name": source.display_name, "minimum": minimum}
    if errors:
        raise ValidationError(errors)
    unit_price = cents(value / shares)
    reference = decision_reference.strip()
    out = entry_append(
        member=source,
        operation=Operation.TRANSFER_OUT,
        shares=-shares,
        unit_price=unit_price,
        amount=-value,
        paid_amount=-value,
        counterparty=target,
        on=on,
        by=by,
        decision_reference=reference,
        note=note,
    )
    into = entry_append(
        member=target,
        operation=Operation.TRANSFER_IN,
        shares=shares,
        unit_price=unit_price,
        amount=value,
        paid_amount=value,
        counterparty=source,
        related_entry=out,
        on=on,
        by=by,
        decision_reference=reference,
        note=note,
    )
    entry_audit(out, by=by, action="shares.transferred_out")
    entry_audit(into, by=by, action="shares.transferred_in")
    return out, into


@transaction.atomic
def shares_withdraw(
    *,
    member: Member,
    shares: int,
    by: User | None,
    on: date,
    decision_reference: str,
    note: str = "",
) -> ShareRegisterEntry:
    """Withdraw some of a member's shares on a board decision, keeping at least the minimum;
    the refund (see `refund_for`) becomes a payout to the member's IBAN.

    Raises PermissionDenied or ValidationError naming `shares`, `decision_reference`, `iban`
    or `on`.
    """
    require_staff(by)
    (member,) = lock_members(member)
    errors: dict = {}
    shares = check_shares(shares, errors)
    if not (decision_reference or "").strip():
        errors["decision_reference"] = _("A withdrawal needs the reference of the board decision.")
    check_active(member, errors)
    check_date(member, on, errors)
    if errors:
        raise ValidationError(errors)
    position = member_shares(member=member)
    policy = share_policy_on(on)
    minimum = policy.minimum_shares if policy else 1
    if position.held - shares < minimum:
        raise ValidationError(
            {
                "shares": _(
                    "The member holds %(held)s share(s) and must keep %(minimum)s: "
                    "record an exit to give back all of them."
                )
                % {"held": position.held, "minimum": minimum}
            }
        )
    entry, _payout_row = refund_record(
        member=member,
        position=position,
        shares=shares,
        on=on,
        by=by,
        iban=member.iban,
        beneficiary=member.display_name,
        decision_reference=decision_reference.strip(),
        note=note,
    )
    entry_audit(entry, by=by, action="shares.withdrawn")
    return entry


@transaction.atomic
def member_category_change(
    *,
    member: Member,
    category: str,
    by: User | None,
    on: date,
    decision_reference: str = "",
    reason: str = "",
) -> ShareRegisterEntry:
    """Move a member to another category (recorded in the register); category A gives the
    right to open production units, the others don't.

    Raises PermissionDenied or ValidationError naming `category` or `on`.
    """
    require_staff(by)
    (member,) = lock_members(member)
    errors: dict = {}
    if category not in Member.Category.values:
        errors["category"] = _("Unknown category.")
    elif category == member.category:
        errors["category"] = _("The member is already in this category.")
    check_active(member, errors)
    check_date(member, on, errors)
    if errors:
        raise ValidationError(errors)
    member = member_update(member=member, by=by, reason=reason, category=category)
    may_open = category == Member.Category.A
    if member.may_open_units != may_open:
        Member.objects.filter(pk=member.pk).update(may_open_units=may_open)
        member.may_open_units = may_open
    entry = entry_append(
        member=member,
        operation=Operation.CATEGORY_CHANGE,
        on=on,
        by=by,
        category=category,
        decision_reference=(decision_reference or "").strip(),
        note=reason,
    )
    entry_audit(entry, by=by, action="member.category_changed", reason=reason)
    return entry
