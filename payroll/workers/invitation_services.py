"""Worker invitations: a unit holder invites someone who is not the holder to work for the
unit; the invitee opens the emailed link, gives their identity, and gets a portal account,
a Worker record and the link to the unit.

The token in the link proves that the invitee reads the invited address: accepting marks
that address verified. An address that already has an account must log in first (the token
alone never opens an existing account, which may be a member's or carry a second factor).
"""

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.be import nn
from stdnum.exceptions import ValidationError as StdnumError

from core.audit import audit_log
from core.dates import format_day
from core.encryption import lookup_hash
from core.permissions import member_of
from members.models import Member, User
from payroll.models import UnitWorker, Worker, WorkerInvitation
from production_units.models import ProductionUnit

from .invitation_mail import INVITATION_VALID_DAYS, invitation_effective_status, site_language
from .tasks import send_worker_invitation
from .worker_services import unit_managed_by, unit_worker_add, worker_for_member

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, fits the 64 of the column


def _normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def invitation_by_token(token: str) -> WorkerInvitation | None:
    """The invitation a link's token names, or None."""
    if not token or len(token) > 64:
        return None
    return (
        WorkerInvitation.objects.select_related("unit", "unit__holder").filter(token=token).first()
    )


# Inviting --------------------------------------------------------------------------------


@transaction.atomic
def worker_invite(
    *,
    unit: ProductionUnit,
    email: str,
    first_name: str,
    last_name: str,
    by: User,
    language: str | None = None,
    base_url: str = "",
) -> WorkerInvitation:
    """Invite `email` to work for `unit`; the email with the link leaves after commit, in
    `language` (the caller's language by default, French otherwise).

    Raises PermissionDenied unless `by` is the unit's holder (or staff following it);
    ValidationError naming the field: a closed unit ("unit"), the holder's own address, an
    invitation still pending for that address, someone already working for the unit
    ("email"), an empty name ("first_name", "last_name").
    """
    if not unit_managed_by(unit, by):
        raise PermissionDenied(_("Only the unit's holder can invite people to work for it."))
    unit = (
        ProductionUnit.objects.select_for_update(of=("self",))
        .select_related("holder__user")
        .get(pk=unit.pk)
    )
    email = _normalise_email(email)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors = _invitation_errors(unit, email, first_name, last_name)
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    invitation = WorkerInvitation(
        unit=unit,
        email=email,
        first_name=first_name,
        last_name=last_name,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        invited_by=by,
        expires_on=today + timedelta(days=INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_log(
        actor=by,
        action="worker_invitation.created",
        obj=invitation,
        changes={
            "unit": unit.code,
            "email": email,
            "expires_on": invitation.expires_on.isoformat(),
        },
    )
    language = site_language(language)
    base_url = base_url or getattr(settings, "PORTAL_BASE_URL", "")

    def enqueue() -> None:
        send_worker_invitation.delay(invitation.pk, language, base_url)

    transaction.on_commit(enqueue)
    return invitation


def _invitation_errors(
    unit: ProductionUnit, email: str, first_name: str, last_name: str
) -> dict[str, list[str]]:
    """What is wrong with an invitation, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    if unit.status != ProductionUnit.Status.ACTIVE:
        errors["unit"] = [
            _("Unit %(code)s is closed: nobody can be invited to work for it.")
            % {"code": unit.code}
        ]
    email_error = _email_error(unit, email)
    if email_error:
        errors["email"] = [email_error]
    if not first_name:
        errors["first_name"] = [_("Give the first name of the person to invite.")]
    if not last_name:
        errors["last_name"] = [_("Give the last name of the person to invite.")]
    return errors


def _email_error(unit: ProductionUnit, email: str) -> str:
    """Why `email` can't be invited to `unit` (empty: it can)."""
    if not email:
        return _("Give the email address of the person to invite.")
    holder_user = unit.holder.user
    if holder_user is not None and _normalise_email(holder_user.email) == email:
        return _("This is the holder's own address: the holder already works for the unit.")
    if _works_for(unit, email):
        return _("Someone with this address already works for this unit.")
    if _pending(unit, email).exists():
        return _(
            "An invitation to this address is already waiting for an answer: revoke it "
            "first to send a new one."
        )
    return ""


def _works_for(unit: ProductionUnit, email: str) -> bool:
    return (
        UnitWorker.objects.filter(
            unit=unit, ended_on__isnull=True, worker__email__iexact=email
        ).exists()
        or UnitWorker.objects.filter(
            unit=unit, ended_on__isnull=True, worker__user__email__iexact=email
        ).exists()
    )


def _pending(unit: ProductionUnit, email: str) -> QuerySet[WorkerInvitation]:
    return WorkerInvitation.objects.filter(
        unit=unit,
        email__iexact=email,
        status=WorkerInvitation.Status.PENDING,
        expires_on__gte=timezone.localdate(),
    )


# Revoking, expiring ---------------------------------------------------------------------


@transaction.atomic
def worker_invitation_revoke(
    *, invitation: WorkerInvitation, by: User, reason: str = ""
) -> WorkerInvitation:
    """Withdraw a pending invitation: its link stops working.

    Raises PermissionDenied unless `by` manages the unit; ValidationError when the invitation
    no longer waits for an answer.
    """
    invitation = (
        WorkerInvitation.objects.select_for_update(of=("self",))
        .select_related("unit__holder")
        .get(pk=invitation.pk)
    )
    if not unit_managed_by(invitation.unit, by):
        raise PermissionDenied(_("Only the unit's holder can revoke its invitations."))
    if invitation.status != WorkerInvitation.Status.PENDING:
        raise ValidationError(
            _("This invitation is %(status)s: only a pending invitation can be revoked.")
            % {"status": invitation.get_status_display()}
        )
    invitation.status = WorkerInvitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit_log(
        actor=by,
        action="worker_invitation.revoked",
        obj=invitation,
        changes={"status": ["pending", "revoked"]},
        reason=reason,
    )
    return invitation


def worker_invitations_expire(*, today: date | None = None) -> int:
    """Write down the expiry of pending invitations past their date (idempotent). Returns
    how many expired now."""
    today = today or timezone.localdate()
    count = 0
    with transaction.atomic():
        stale = WorkerInvitation.objects.select_for_update(skip_locked=True).filter(
            status=WorkerInvitation.Status.PENDING, expires_on__lt=today
        )
        for invitation in stale:
            invitation.status = WorkerInvitation.Status.EXPIRED
            invitation.save(update_fields=["status"])
            audit_log(
                actor=None,
                action="worker_invitation.expired",
                obj=invitation,
                changes={"status": ["pending", "expired"]},
            )
            count += 1
    return count


# Accepting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerIdentity:
    """Who the invitee says they are, as typed on the acceptance page."""

    first_name: str
    last_name: str
    national_number: str
    iban: str
    birth_date: date | None = None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "BE"


def _name_key(value: str) -> str:
    """A name as compared: without accents, case, hyphens or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("-", " ").casefold().split())


def _names_match(worker: Worker, identity: WorkerIdentity) -> bool:
    return _name_key(worker.first_name) == _name_key(identity.first_name) and _name_key(
        worker.last_name
    ) == _name_key(identity.last_name)


def _compact_national_number(value: str) -> str:
    try:
        return nn.validate(value or "")
    except StdnumError as exc:
        raise ValidationError(
            {
                "national_number": _(
                    "“%(value)s” is not a valid Belgian national register number (11 digits)."
                )
                % {"value": value}
            }
        ) from exc


def _check_birth_date(number: str, birth_date: date | None) -> None:
    """The national number starts with the birth date: the two must agree when both are known."""
    if birth_date is None:
        return
    try:
        from_number = nn.get_birth_date(number)
    except (StdnumError, ValueError):
        return  # numbers with an unknown birth date (bis numbers, day 00) carry none
    if from_number is not None and from_number != birth_date:
        raise ValidationError(
            {
                "birth_date": _(
                    "The birth date does not match the national register number (%(day)s)."
                )
                % {"day": format_day(from_number)}
            }
        )


def _account_for(
    invitation: WorkerInvitation, *, user: User | None, password: str, identity: WorkerIdentity
) -> User:
    """The account that accepts: the logged-in user (who must be the invited address), or a
    new one with `password`."""
    if user is not None:
        if _normalise_email(user.email) != _normalise_email(invitation.email):
            raise PermissionDenied(
                _("This invitation was sent to %(email)s: log in with that address to accept it.")
                % {"email": invitation.email}
            )
        return User.objects.select_for_update().get(pk=user.pk)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            {
                "email": _(
                    "An account already exists for %(email)s: log in first, then open the "
                    "invitation link again."
                )
                % {"email": invitation.email}
            }
        )
    account = User(
        email=invitation.email, first_name=identity.first_name, last_name=identity.last_name
    )
    if not password:
        raise ValidationError({"password": _("Choose a password for your new account.")})
    try:
        password_validation.validate_password(password, user=account)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    account.set_password(password)
    account.save()
    audit_log(actor=account, action="user.created", obj=account, changes={"via": "invitation"})
    return account


def _verify_address(account: User) -> None:
    """The token came to this address: it is verified, and the account's primary one."""
    address, _created = EmailAddress.objects.get_or_create(
        user=account, email__iexact=account.email, defaults={"email": account.email}
    )
    EmailAddress.objects.filter(user=account).exclude(pk=address.pk).update(primary=False)
    if not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])


def _worker_for(account: User, identity: WorkerIdentity, *, email: str, by: User) -> Worker:
    """The worker who accepts: the account's own record, the record with that national number
    (same name, no other account), or a new one."""
    number = _compact_national_number(identity.national_number)
    _check_birth_date(number, identity.birth_date)
    own = Worker.objects.select_for_update().filter(user=account).first()
    member = member_of(account)
    if own is None and isinstance(member, Member):  # member_of is typed as any Model
        # A member invited to someone else's unit works under their member file.
        own = worker_for_member(member, by=by)
    if own is not None:
        if own.national_number != number:
            raise ValidationError(
                {
                    "national_number": _(
                        "Your worker file has another national register number. If it is "
                        "wrong, ask your advisor to correct it."
                    )
                }
            )
        return own
    known = (
        Worker.objects.select_for_update().filter(national_number_hash=lookup_hash(number)).first()
    )
    if known is not None:
        if known.user_id is not None and known.user_id != account.pk:
            raise ValidationError(
                {
                    "national_number": _(
                        "A worker with this national register number already has another "
                        "account. Log in with it, or contact your advisor."
                    )
                }
            )
        if not _names_match(known, identity):
            raise ValidationError(
                {
                    "national_number": _(
                        "A worker with this national register number is already known under "
                        "another name. Check the number, or contact your advisor."
                    )
                }
            )
        known.user = account
        known.save(update_fields=["user"])
        audit_log(actor=by, action="worker.linked", obj=known, changes={"user": account.pk})
        return known
    worker = Worker(
        user=account,
        first_name=identity.first_name.strip(),
        last_name=identity.last_name.strip(),
        email=email,
        national_number=number,
        birth_date=identity.birth_date,
        iban=identity.iban,
        street=identity.street.strip(),
        postal_code=identity.postal_code.strip(),
        city=identity.city.strip(),
        country=(identity.country or "BE").strip().upper(),
    )
    worker.full_clean(exclude=["user", "member"])
    worker.save()
    audit_log(actor=by, action="worker.created", obj=worker, changes={"via": "invitation"})
    return worker


def _link(unit: ProductionUnit, worker: Worker, *, by: User) -> UnitWorker:
    link = UnitWorker.objects.select_for_update().filter(unit=unit, worker=worker).first()
    if link is None:
        return unit_worker_add(unit=unit, worker=worker, by=by)
    if link.ended_on is not None:
        link.ended_on = None
        link.save(update_fields=["ended_on"])
        audit_log(actor=by, action="unit_worker.resumed", obj=unit, changes={"worker": worker.pk})
    return link


@transaction.atomic
def worker_invitation_accept(
    *,
    invitation: WorkerInvitation,
    identity: WorkerIdentity,
    user: User | None = None,
    password: str = "",
) -> Worker:
    """Accept an invitation: the account (the logged-in `user`, or a new one with
    `password`, its address verified by the token), the Worker record, and its link to the
    unit, all or nothing. Returns the worker (`worker.user` is the account to log in).

    Raises ValidationError naming the field (an invitation no longer pending or a closed unit
    under "token"; "email" when the address already has an account and nobody is logged in;
    "password", "national_number", "birth_date", "iban"…); PermissionDenied when the
    logged-in user is not the invited address.
    """
    invitation = (
        WorkerInvitation.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=invitation.pk)
    )
    status = invitation_effective_status(invitation)
    if status != WorkerInvitation.Status.PENDING:
        raise ValidationError(
            {"token": _("This invitation is %(status)s.") % {"status": _status_label(status)}}
        )
    unit = invitation.unit
    if unit.status != ProductionUnit.Status.ACTIVE:
        raise ValidationError({"token": _("The unit of this invitation is closed.")})
    account = _account_for(invitation, user=user, password=password, identity=identity)
    _verify_address(account)
    worker = _worker_for(account, identity, email=invitation.email, by=account)
    _link(unit, worker, by=account)
    invitation.status = WorkerInvitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.worker = worker
    invitation.save(update_fields=["status", "accepted_at", "worker"])
    audit_log(
        actor=account,
        action="worker_invitation.accepted",
        obj=invitation,
        changes={"worker": worker.pk, "status": ["pending", "accepted"]},
    )
    return worker


def _status_label(status: str) -> str:
    return str(WorkerInvitation.Status(status).label)
