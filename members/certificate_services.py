"""Share certificates: asked for by the member or an advisor, rendered as PDF by a task."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log

from .models import (
    Member,
    ShareCertificate,
    User,
)
from .register_services import (
    check_member_or_staff,
    today,
)
from .selectors import member_shares
from .tasks import render_share_certificate


@transaction.atomic
def certificate_request(
    *, member: Member, by: User | None, as_of: date | None = None
) -> ShareCertificate:
    """A share certificate of the member's shares on `as_of` (today by default), rendered as
    PDF by a task after commit. Asking again for the same day returns the same certificate.

    Raises PermissionDenied (someone else's), ValidationError naming `as_of` (future date, no
    share held then).
    """
    check_member_or_staff(by, member)
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
        requested_by=account_or_none(by),
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
    transaction.on_commit(lambda: render_share_certificate.delay(certificate_id), robust=True)
