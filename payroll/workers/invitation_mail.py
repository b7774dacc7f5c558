"""The invitation email of a worker (sent by payroll.workers.tasks after the invitation is
saved) and the status of an invitation as of a day."""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from payroll.models import WorkerInvitation

# How long an invitation link stays valid. A constant for now: when the cooperative wants
# to change it, it becomes a field of PayrollPolicy (dated, like the other rules of work).
INVITATION_VALID_DAYS = 14


def site_language(language: str | None) -> str:
    """A language of the site (fr, nl, en); French when none or another is asked."""
    codes = [code for code, _name in settings.LANGUAGES]
    language = (language or translation.get_language() or "").split("-")[0].lower()
    return language if language in codes else settings.LANGUAGE_CODE


def invitation_effective_status(invitation: WorkerInvitation, *, today: date | None = None) -> str:
    """The invitation's status as of `today`: a pending one past its date counts as expired
    (the nightly task writes it down later)."""
    today = today or timezone.localdate()
    if invitation.status == WorkerInvitation.Status.PENDING and invitation.expires_on < today:
        return WorkerInvitation.Status.EXPIRED
    return invitation.status


def invitation_link(invitation: WorkerInvitation, *, base_url: str = "") -> str:
    path = reverse("portal:workers_invitation_accept", kwargs={"token": invitation.token})
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def worker_invitation_email(
    *, invitation: WorkerInvitation, language: str, base_url: str = ""
) -> EmailMessage:
    """The invitation email, in `language`."""
    unit = invitation.unit
    context = {
        "invitation": invitation,
        "unit": unit,
        "holder": unit.holder,
        "link": invitation_link(invitation, base_url=base_url),
        "valid_days": INVITATION_VALID_DAYS,
    }
    with translation.override(site_language(language)):
        subject = render_to_string("payroll/email/invitation_subject.txt", context)
        body = render_to_string("payroll/email/invitation_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[invitation.email],
        headers={"Content-Language": site_language(language)},
    )


def worker_invitation_send(*, invitation_id: int, language: str, base_url: str = "") -> bool:
    """Send the invitation email, if the invitation still waits for an answer. Returns
    whether it was sent (a revoked, accepted or expired invitation sends nothing)."""
    invitation = (
        WorkerInvitation.objects.select_related("unit", "unit__holder")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or invitation_effective_status(invitation) != WorkerInvitation.Status.PENDING
    ):
        return False
    worker_invitation_email(invitation=invitation, language=language, base_url=base_url).send()
    return True
