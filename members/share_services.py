"""Writes to the share register: subscriptions, payments, transfers, withdrawals, category
changes, exits and their refunds, certificates.

The register is written here and nowhere else. Every service takes the member's row lock
first (several members: in primary-key order), reads the position, checks, appends, audits,
all in one transaction. A member's entries are in date order: a new entry is never dated
before their last one, so every check made when an entry is recorded holds at every date.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.be import ogm_vcs

from core.audit import audit_log
from core.counters import counter_next
from core.money import cents, is_cents, to_decimal
from core.roles import is_staff, require_staff

from .emails import member_address, send_on_commit
from .models import (
    Member,
    MemberExit,
    MembershipApplication,
    RefundPayout,
    ShareCertificate,
    ShareRegisterEntry,
)
from .selectors import SharePosition, member_shares, share_policy_on

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


def _check_member_or_staff(by, member: Member) -> None:
    if not is_staff(by) and (member.user_id is None or member.user_id != getattr(by, "pk", None)):
        raise PermissionDenied(_("You can only do this for yourself."))


def _user_or_none(by):
    return by if getattr(by, "is_authenticated", False) else None


def _lock(*members: Member) -> list[Member]:
    """Lock the members' rows in primary-key order (no deadlock between two transfers)."""
    pks = sorted({member.pk for member in members})
    locked = {m.pk: m for m in Member.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [locked[member.pk] for member in members]


def _last_entry_date(member: Member) -> date | None:
    return (
        ShareRegisterEntry.objects.filter(member=member)
        .order_by("-date", "-id")
        .values_list("date", flat=True)
        .first()
    )


def _check_shares(shares, errors: dict, key: str = "shares") -> int:
    if isinstance(shares, bool) or not isinstance(shares, int) or shares < 1:
        errors[key] = _("Enter a whole number of shares, at least 1.")
        return 0
    return shares


def _check_date(member: Member, on: date, errors: dict, key: str = "on") -> None:
    """An operation is dated no later than today, no earlier than the member's admission
    and their last register entry, and while they are a member."""
    if on > today():
        errors[key] = _("The date can't be in the future.")
        return
    if member.member_since is None or on < member.member_since:
        errors[key] = _("The member was not admitted yet on that date.")
        return
    last = _last_entry_date(member)
    if last is not None and on < last:
        errors[key] = _(
            "The register of member %(number)s already has an operation on %(last)s: "
            "a new operation can't be dated before it."
        ) % {"number": member.number, "last": last.isoformat()}


def _check_active(member: Member, errors: dict, key: str = "member") -> None:
    if member.status != Member.Status.MEMBER or member.left_on is not None:
        errors[key] = _("%(name)s is no longer a member.") % {"name": member.display_name}


def _clean_amount(amount, errors: dict, key: str = "amount") -> Decimal:
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


def entry_append(*, member: Member, operation: str, on: date, by, **fields) -> ShareRegisterEntry:
    """Append one entry (validated) for a member the caller has locked and checked."""
    fields.setdefault("category", member.category)
    entry = ShareRegisterEntry(
        member=member, operation=operation, date=on, recorded_by=_user_or_none(by), **fields
    )
    entry.full_clean()
    entry.save()
    return entry


def entry_audit(entry: ShareRegisterEntry, *, by, action: str, reason: str = "") -> None:
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


def payout_create(*, amount: Decimal, beneficiary: str, iban: str, remittance: str, **links):
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


# --- subscriptions and payments -------------------------------------------------------------


@transaction.atomic
def shares_subscribe(
    *, member: Member, shares: int, by, on: date | None = None, note: str = ""
) -> ShareRegisterEntry:
    """Record a member's subscription of more shares at the price in force, with a structured
    reference to pay them. The member themselves or an advisor.

    Raises PermissionDenied, or ValidationError naming `shares`, `on` or `member`.
    """
    _check_member_or_staff(by, member)
    if on is not None and on != today() and not is_staff(by):
        raise PermissionDenied(_("Only an advisor can date a subscription."))
    (member,) = _lock(member)
    on = on or today()
    errors: dict = {}
    shares = _check_shares(shares, errors)
    _check_active(member, errors)
    _check_date(member, on, errors)
    policy = share_policy_on(on)
    if policy is None:
        errors["on"] = _("No share policy is in force on that date.")
    if errors:
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


def share_payment_match_reference(reference: str):
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
    by=None,
    bank_reference: str = "",
    note: str = "",
):
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
    amount = _clean_amount(amount, errors)
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


def _application_payment(application, amount, paid_on, by, bank_reference):
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


def _subscription_payment(subscription, amount, paid_on, by, bank_reference, note):
    (member,) = _lock(subscription.member)
    errors: dict = {}
    _check_active(member, errors, key="target")
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
    last = _last_entry_date(member)
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
        note=note or (_("Received on %(day)s") % {"day": paid_on.isoformat()}),
    )
    entry_audit(entry, by=by, action="shares.paid")
    return entry


# --- transfers, withdrawals, category changes ---------------------------------------------------


@transaction.atomic
def shares_transfer(
    *,
    from_member: Member,
    to_member: Member,
    shares: int,
    by,
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
    source, target = _lock(from_member, to_member)
    shares = _check_shares(shares, errors)
    if not (decision_reference or "").strip():
        errors["decision_reference"] = _("A transfer needs the reference of the board decision.")
    _check_active(source, errors, key="from_member")
    _check_active(target, errors, key="to_member")
    _check_date(source, on, errors)
    _check_date(target, on, errors)
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
    common = {"on": on, "by": by, "decision_reference": decision_reference.strip(), "note": note}
    out = entry_append(
        member=source,
        operation=Operation.TRANSFER_OUT,
        shares=-shares,
        unit_price=unit_price,
        amount=-value,
        paid_amount=-value,
        counterparty=target,
        **common,
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
        **common,
    )
    entry_audit(out, by=by, action="shares.transferred_out")
    entry_audit(into, by=by, action="shares.transferred_in")
    return out, into


@transaction.atomic
def shares_withdraw(
    *,
    member: Member,
    shares: int,
    by,
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
    (member,) = _lock(member)
    errors: dict = {}
    shares = _check_shares(shares, errors)
    if not (decision_reference or "").strip():
        errors["decision_reference"] = _("A withdrawal needs the reference of the board decision.")
    _check_active(member, errors)
    _check_date(member, on, errors)
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
    entry, _payout_row = _refund(
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


def _refund(*, member, position, shares, on, by, iban, beneficiary, decision_reference, note):
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


@transaction.atomic
def member_category_change(
    *, member: Member, category: str, by, on: date, decision_reference: str = "", reason: str = ""
) -> ShareRegisterEntry:
    """Move a member to another category (recorded in the register); category A gives the
    right to open production units, the others don't.

    Raises PermissionDenied or ValidationError naming `category` or `on`.
    """
    from .services import member_update

    require_staff(by)
    (member,) = _lock(member)
    errors: dict = {}
    if category not in Member.Category.values:
        errors["category"] = _("Unknown category.")
    elif category == member.category:
        errors["category"] = _("The member is already in this category.")
    _check_active(member, errors)
    _check_date(member, on, errors)
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


# --- exits ---------------------------------------------------------------------------------------


@transaction.atomic
def member_exit_request(*, member: Member, by, reason: str = "") -> MemberExit:
    """A member asks to resign (portal or letter): waits for an advisor to record it.

    Raises PermissionDenied, or ValidationError when the member has left or already asked.
    """
    _check_member_or_staff(by, member)
    (member,) = _lock(member)
    errors: dict = {}
    _check_active(member, errors)
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
    by,
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
    (member,) = _lock(member)
    errors: dict = {}
    statuses = {
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
    _check_active(member, errors)
    _check_date(member, on, errors)
    iban = payout_iban or member.iban
    if payout_iban:
        iban = _clean_iban(payout_iban, errors)
    if errors:
        raise ValidationError(errors)
    position = member_shares(member=member)
    entry = None
    if position.held > 0:
        try:
            entry, _payout_row = _refund(
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
    record.recorded_by = _user_or_none(by)
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
    from stdnum import iban as stdnum_iban

    from core.validators import validate_iban

    try:
        validate_iban(value)
    except ValidationError as exc:
        errors["payout_iban"] = exc.messages
        return ""
    return stdnum_iban.compact(value)


@transaction.atomic
def refund_payout_mark_paid(*, payout: RefundPayout, by, paid_on: date) -> RefundPayout:
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


# --- certificates ---------------------------------------------------------------------------------


@transaction.atomic
def certificate_request(*, member: Member, by, as_of: date | None = None) -> ShareCertificate:
    """A share certificate of the member's shares on `as_of` (today by default), rendered as
    PDF by a task after commit. Asking again for the same day returns the same certificate.

    Raises PermissionDenied (someone else's), ValidationError naming `as_of` (future date, no
    share held then).
    """
    _check_member_or_staff(by, member)
    as_of = as_of or today()
    if as_of > today():
        raise ValidationError({"as_of": _("The date can't be in the future.")})
    position = member_shares(member=member, at=as_of)
    if position.held <= 0:
        raise ValidationError({"as_of": _("No share was held on that date.")})
    existing = ShareCertificate.objects.filter(
        member=member,
        as_of=as_of,
        shares=position.held,
        nominal_amount=position.nominal,
        paid_up_amount=position.refundable,
    ).first()
    if existing is not None:
        if existing.status != ShareCertificate.Status.READY:
            _enqueue_certificate(existing.pk)
        return existing
    certificate = ShareCertificate.objects.create(
        member=member,
        as_of=as_of,
        shares=position.held,
        nominal_amount=position.nominal,
        paid_up_amount=position.refundable,
        language=member.preferred_language,
        requested_by=_user_or_none(by),
    )
    audit_log(
        actor=by,
        action="share_certificate.requested",
        obj=member,
        changes={"certificate": certificate.pk, "as_of": as_of.isoformat()},
    )
    _enqueue_certificate(certificate.pk)
    return certificate


def _enqueue_certificate(certificate_id: int) -> None:
    from .tasks import render_share_certificate

    transaction.on_commit(lambda: render_share_certificate.delay(certificate_id), robust=True)


def certificate_render(*, certificate: ShareCertificate) -> ShareCertificate:
    """Write the certificate's PDF once (idempotent: a ready certificate is left as it is)."""
    from django.core.files.base import ContentFile

    from .pdf import render_certificate_pdf

    certificate = ShareCertificate.objects.select_related("member").get(pk=certificate.pk)
    if certificate.status == ShareCertificate.Status.READY and certificate.pdf:
        return certificate
    content = render_certificate_pdf(certificate)
    name = f"certificate-{certificate.member.number}-{certificate.as_of:%Y%m%d}.pdf"
    certificate.pdf.save(name, ContentFile(content), save=False)
    ShareCertificate.objects.filter(pk=certificate.pk).update(
        pdf=certificate.pdf.name, status=ShareCertificate.Status.READY
    )
    certificate.status = ShareCertificate.Status.READY
    return certificate
