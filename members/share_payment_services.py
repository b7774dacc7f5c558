"""Subscriptions of shares and the payments received for them (or for an application)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.dates import format_day
from core.money import cents
from core.roles import is_staff, require_staff

from .models import (
    Member,
    MembershipApplication,
    ShareRegisterEntry,
    User,
)
from .register_services import (
    Operation,
    check_active,
    check_date,
    check_member_or_staff,
    check_shares,
    clean_amount,
    entry_append,
    entry_audit,
    last_entry_date,
    lock_members,
    normalise_reference,
    share_reference_next,
    today,
)
from .selectors import member_shares, share_policy_on


@transaction.atomic
def shares_subscribe(
    *, member: Member, shares: int, by: User | None, on: date | None = None, note: str = ""
) -> ShareRegisterEntry:
    """Record a member's subscription of more shares at the price in force, with a structured
    reference to pay them. The member themselves or an advisor.

    Raises PermissionDenied, or ValidationError naming `shares`, `on` or `member`.
    """
    check_member_or_staff(by, member)
    if on is not None and on != today() and not is_staff(by):
        raise PermissionDenied(_("Only an advisor can date a subscription."))
    (member,) = lock_members(member)
    on = on or today()
    errors: dict = {}
    shares = check_shares(shares, errors)
    check_active(member, errors)
    check_date(member, on, errors)
    policy = share_policy_on(on)
    if policy is None:
        errors["on"] = _("No share policy is in force on that date.")
    if errors or policy is None:
        raise ValidationError(errors)
    entry = entry_append(
        member=member,
        operation=Operation.SUBSCRIPTION,
        on=on,
        by=by,
        shares=shares,
        unit_price=policy.share_price,
        amount=cents(policy.share_price * shares),
        structured_reference=share_reference_next(),
        note=note,
    )
    entry_audit(entry, by=by, action="shares.subscribed")
    return entry


def subscription_unpaid(entry: ShareRegisterEntry) -> Decimal:
    """What is left to pay on a subscription entry."""
    paid = sum(
        ShareRegisterEntry.objects.filter(
            related_entry=entry, operation=Operation.PAYMENT
        ).values_list("paid_amount", flat=True),
        Decimal("0.00"),
    )
    return entry.amount - paid


def share_payment_match_reference(
    reference: str,
) -> ShareRegisterEntry | MembershipApplication | None:
    """What a structured reference read on a bank line pays: the subscription entry (also for
    an approved application), the open application, or None (not a share reference, unknown,
    or a refused application: left for an advisor)."""
    reference = normalise_reference(reference)
    if not reference:
        return None
    entry = ShareRegisterEntry.objects.filter(
        structured_reference=reference, operation=Operation.SUBSCRIPTION
    ).first()
    if entry is not None:
        return entry
    return MembershipApplication.objects.filter(
        structured_reference=reference, status=MembershipApplication.Status.SUBMITTED
    ).first()


@transaction.atomic
def share_payment_record(
    *,
    target: MembershipApplication | ShareRegisterEntry,
    amount: Decimal,
    paid_on: date,
    by: User | None = None,
    bank_reference: str = "",
    note: str = "",
) -> MembershipApplication | ShareRegisterEntry:
    """Record money received for shares: for an open application it waits on the application
    until the decision; for a subscription it is a payment entry in the register.

    `by`: the advisor confirming the payment, or None for the bank statement import. The
    entry is dated on the payment day, or on the member's last operation if that is later
    (money received before admission counts from admission). Returns the application or the
    entry. Raises ValidationError naming `amount` (more than what is due, not a positive
    amount to the cent) or `target` (refused application, member gone, not a subscription).
    The caller imports each bank line once (invoicing keys its payments by bank reference).
    """
    if by is not None:
        require_staff(by)
    errors: dict = {}
    amount = clean_amount(amount, errors)
    if errors:
        raise ValidationError(errors)
    if isinstance(target, MembershipApplication):
        application = MembershipApplication.objects.select_for_update().get(pk=target.pk)
        if application.status == MembershipApplication.Status.SUBMITTED:
            return _application_payment(application, amount, paid_on, by, bank_reference)
        if application.status == MembershipApplication.Status.REFUSED:
            raise ValidationError(
                {"target": _("This application was refused: return the money to the payer.")}
            )
        target = ShareRegisterEntry.objects.get(
            member=application.member,
            structured_reference=application.structured_reference,
            operation=Operation.SUBSCRIPTION,
        )
    if not isinstance(target, ShareRegisterEntry) or target.operation != Operation.SUBSCRIPTION:
        raise ValidationError({"target": _("A payment pays an application or a subscription.")})
    return _subscription_payment(target, amount, paid_on, by, bank_reference, note)


def _application_payment(
    application: MembershipApplication,
    amount: Decimal,
    paid_on: date,
    by: User | None,
    bank_reference: str,
) -> MembershipApplication:
    due = application.amount_due - application.paid_amount
    if amount > due:
        raise ValidationError(
            {"amount": _("Only %(due)s € is still due on this application.") % {"due": cents(due)}}
        )
    application.paid_amount += amount
    application.paid_on = paid_on
    application.save(update_fields=["paid_amount", "paid_on"])
    audit_log(
        actor=by,
        action="membership_application.payment_received",
        obj=application,
        changes={
            "amount": str(amount),
            "paid_on": paid_on.isoformat(),
            "bank_reference": bank_reference,
        },
    )
    return application


def _subscription_payment(
    subscription: ShareRegisterEntry,
    amount: Decimal,
    paid_on: date,
    by: User | None,
    bank_reference: str,
    note: str,
) -> ShareRegisterEntry:
    (member,) = lock_members(subscription.member)
    errors: dict = {}
    check_active(member, errors, key="target")
    if errors:
        raise ValidationError(errors)
    position = member_shares(member=member)
    due = min(subscription_unpaid(subscription), position.unpaid)
    if amount > due:
        raise ValidationError(
            {
                "amount": _("Only %(due)s € is still due on this subscription.")
                % {"due": cents(max(due, Decimal(0)))}
            }
        )
    last = last_entry_date(member)
    on = max(paid_on, last) if last else paid_on
    entry = entry_append(
        member=member,
        operation=Operation.PAYMENT,
        on=on,
        by=by,
        paid_amount=amount,
        related_entry=subscription,
        structured_reference=subscription.structured_reference,
        bank_reference=bank_reference[:100],
        note=note or (_("Received on %(day)s") % {"day": format_day(paid_on)}),
    )
    entry_audit(entry, by=by, action="shares.paid")
    return entry
