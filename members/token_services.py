"""API tokens (django-rest-knox, model members.ApiToken): who may get one, creating, revoking.

Only a token's SHA-512 digest is stored; the clear token is shown once, when it is created.
A token expires after settings.API_TOKEN_TTL_DAYS. All of a user's tokens are revoked when
their password is changed or reset and when a second factor is removed (signals connected in
members.apps). Staff (and anyone with a TOTP authenticator) get a token only with a second
factor: a TOTP code sent with the request, or a session that passed it.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log

from .models import ApiToken, User


def _totp_of(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def session_passed_mfa(request: HttpRequest | None, user: User) -> bool:
    """Whether this browser session logged `user` in with a second factor (allauth's record)."""
    if request is None or not hasattr(request, "session"):
        return False
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def api_token_check_second_factor(
    *, user: User, request: HttpRequest | None = None, otp: str = ""
) -> None:
    """Refuse a token to an account that must prove a second factor and did not.

    An account with a TOTP authenticator needs a valid `otp` code or a session that passed
    the second factor; a staff account without one gets no token at all while staff MFA is
    required (settings.SMARTCOOP_STAFF_MFA_REQUIRED). Raises ValidationError naming "otp".
    """
    authenticator = _totp_of(user)
    if authenticator is None:
        if user.is_staff and settings.SMARTCOOP_STAFF_MFA_REQUIRED:
            raise ValidationError(
                {
                    "otp": _(
                        "Staff accounts get an API token only with two-factor authentication: "
                        "set it up first."
                    )
                }
            )
        return
    if session_passed_mfa(request, user):
        return
    if not otp:
        raise ValidationError(
            {
                "otp": _(
                    "This account uses two-factor authentication: "
                    "send the code of your authenticator app."
                )
            }
        )
    if not TOTP(authenticator).validate_code(otp):
        raise ValidationError({"otp": _("This code is not valid.")})


@transaction.atomic
def api_token_create(*, user: User, name: str = "", via: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the row (digest, expiry) and the clear token, shown once."""
    token, clear = ApiToken.objects.create(user=user, name=name.strip()[:100])
    audit_log(
        actor=user,
        action="user.api_token_created",
        obj=user,
        changes={"name": token.name, "expiry": token.expiry.isoformat(), "via": via},
    )
    return token, clear


def own_api_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that have not expired, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> None:
    """Delete one token: it authenticates nothing any more."""
    audit_log(
        actor=by,
        action="user.api_token_revoked",
        obj=token.user,
        changes={"name": token.name, "created": token.created.isoformat()},
    )
    token.delete()


@transaction.atomic
def api_tokens_revoke_all(*, user: User, by: User | None, reason: str) -> int:
    """Delete every token of `user`; returns how many there were (audited when any)."""
    count, _deleted = ApiToken.objects.filter(user=user).delete()
    if count:
        audit_log(
            actor=by,
            action="user.api_tokens_revoked",
            obj=user,
            changes={"count": count},
            reason=reason,
        )
    return count
