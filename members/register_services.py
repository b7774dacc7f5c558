"""The share register's primitives: every share service appends entries, audits them and
creates payouts through these, after taking the members' row locks (several members: in
primary-key order). A member's entries are in date order: a new entry is never dated before
their last one, so every check made when an entry is recorded holds at every date.

The register is written by the *_services modules of this app and nowhere else:
share_payment_services (subscriptions and payments), share_services (transfers, withdrawals,
category changes), exit_services (exits and refunds), certificate_services (certificates)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.be import ogm_vcs

from core.audit import account_or_none, audit_log
from core.counters import counter_next
from core.dates import format_day
from core.money import cents, is_cents, to_decimal
from core.roles import is_staff

from .models import (
    Member,
    RefundPayout,
    ShareRegisterEntry,
    User,
)
from .selectors import SharePosition

Operation = ShareRegisterEntry.Operation

# Structured references of share payments start with these two digits; invoice series use
# others (invoicing.InvoiceSeries.reference_prefix), so a bank line names one thing only.
SHARE_REFERENCE_PREFIX = "90"
REMITTANCE_MAX = 140


# --- helpers -------------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def share_reference_next() -> str:
    """A new structured reference for a share payment: 90 + counter (8 digits) + mod 97."""
    base = f"{SHARE_REFERENCE_PREFIX}{counter_next('share.structured_reference'):08d}"
    return base + ogm_vcs.calc_check_digits(base)


def normalise_reference(reference: str) -> str:
    """'+++900/0000/01234+++' → '900000001234' ('' unless it is a valid share reference)."""
    digits = "".join(char for char in str(reference or "") if char.isdigit())
    if len(digits) != 12 or not digits.startswith(SHARE_REFERENCE_PREFIX):
        return ""
    return digits if ogm_vcs.is_valid(digits) else ""


def check_member_or_staff(by: User | None, member: Member) -> None:
    if not is_staff(by) and (member.user_id is None or member.user_id != getattr(by, "pk", None)):
        raise PermissionDenied(_("You can only do this for yourself."))


def lock_members(*members: Member) -> list[Member]:
    """Lock the members' rows in primary-key order (no deadlock between two transfers)."""
    pks = sorted({member.pk for member in members})
    locked = {m.pk: m for m in Member.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [locked[member.pk] for member in members]


def last_entry_date(member: Member) -> date | None:
    return (
        ShareRegisterEntry.objects.filter(member=member)
        .order_by("-date", "-id")
        .values_list("date", flat=True)
        .first()
    )


def check_shares(shares: object, errors: dict, key: str = "shares") -> int:
    if isinstance(shares, bool) or not isinstance(shares, int) or shares < 1:
        errors[key] = _("Enter a whole number of shares, at least 1.")
        return 0
    return shares


def check_date(member: Member, on: date, errors: dict, key: str = "on") -> None:
    """An operation is dated no later than today, no earlier than the member's admission
    and their last register entry, and while they are a member."""
    if on > today():
        errors[key] = _("The date can't be in the future.")
        return
    if member.member_since is None or on < member.member_since:
        errors[key] = _("The member was not admitted yet on that date.")
        return
    last = last_entry_date(member)
    if last is not None and on < last:
        errors[key] = _(
            "The register of member %(number)s already has an operation on %(last)s: "
            "a new operation can't be dated before it."
        ) % {"number": member.number, "last": format_day(last)}


def check_active(member: Member, errors: dict, key: str = "member") -> None:
    if member.status != Member.Status.MEMBER or member.left_on is not None:
        errors[key] = _("%(name)s is no longer a member.") % {"name": member.display_name}


def clean_amount(amount: Decimal | int | str, errors: dict, key: str = "amount") -> Decimal:
    try:
        value = to_decimal(amount)  # a float raises TypeError: money is never a float
    except (InvalidOperation, ValueError):
        errors[key] = _("The amount is not a number.")
        return Decimal(0)
    if not value.is_finite() or value <= 0:
        errors[key] = _("The amount must be more than zero.")
    elif not is_cents(value):
        errors[key] = _("Amounts are to the cent.")
    return value


def entry_append(
    *, member: Member, operation: str, on: date, by: User | None, **fields: object
) -> ShareRegisterEntry:
    """Append one entry (validated) for a member the caller has locked and checked."""
    fields.setdefault("category", member.category)
    entry = ShareRegisterEntry(
        member=member, operation=operation, date=on, recorded_by=account_or_none(by), **fields
    )
    entry.full_clean()
    entry.save()
    return entry


def entry_audit(
    entry: ShareRegisterEntry, *, by: User | None, action: str, reason: str = ""
) -> None:
    audit_log(
        actor=by,
        action=action,
        obj=entry.member,
        changes={
            "entry": entry.pk,
            "operation": entry.operation,
            "date": entry.date.isoformat(),
            "shares": entry.shares,
            "amount": str(entry.amount),
            "paid_amount": str(entry.paid_amount),
        },
        reason=reason,
    )


def payout_create(
    *, amount: Decimal, beneficiary: str, iban: str, remittance: str, **links: object
) -> RefundPayout:
    """A pending refund payout, for the credit-transfer export to pick up."""
    payout = RefundPayout(
        amount=amount,
        beneficiary=beneficiary[:200],
        iban=iban,
        remittance=remittance[:REMITTANCE_MAX],
        **links,
    )
    payout.full_clean()
    payout.save()
    return payout


def refund_for(position: SharePosition, shares: int) -> tuple[Decimal, Decimal]:
    """(nominal value, refund) when `shares` of the shares held leave the cooperative.

    The refund is the subscription price of the shares actually paid up and not yet refunded,
    never anything more (no share of the reserves, statutes art. 20). Unpaid shares leave
    first: the shares kept stay as paid up as they were, up to their value.
    """
    nominal = position.nominal_of(shares)
    kept_paid = min(position.refundable, position.nominal - nominal)
    refund = max(Decimal("0.00"), position.refundable - kept_paid)
    return nominal, min(refund, nominal, position.refundable)


def refund_record(
    *,
    member: Member,
    position: SharePosition,
    shares: int,
    on: date,
    by: User | None,
    iban: str,
    beneficiary: str,
    decision_reference: str,
    note: str,
) -> tuple[ShareRegisterEntry, RefundPayout | None]:
    """Refund `shares` of the member's shares (a register entry) and, when money comes back,
    the payout that pays it to `iban`. Raises ValidationError naming `iban` when it is missing."""
    nominal, refund = refund_for(position, shares)
    if refund > 0 and not iban:
        raise ValidationError({"iban": _("An IBAN is needed to pay the refund.")})
    entry = entry_append(
        member=member,
        operation=Operation.REFUND,
        on=on,
        by=by,
        shares=-shares,
        unit_price=cents(nominal / shares),
        amount=-nominal,
        paid_amount=-refund,
        decision_reference=decision_reference,
        note=note,
    )
    payout = None
    if refund > 0:
        payout = payout_create(
            amount=refund,
            beneficiary=beneficiary,
            iban=iban,
            remittance=_("Refund of %(shares)s share(s), member %(number)s")
            % {"shares": shares, "number": member.number},
            member=member,
            entry=entry,
        )
    return entry, payout
