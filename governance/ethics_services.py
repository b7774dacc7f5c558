"""The ethics committee: three members, the cases it receives, its meetings, its opinions.

Who reads what:
- A case's confidential text (and a meeting's notes) is read by the committee only: the
  accounts named on a term in force that day (`EthicsCommitteeTerm.user_access`, active). Not
  the board, not the advisors, not the superusers through the application either (they could
  name themselves on a term, but a term is a board decision and is audited).
- Subjects, dates, statuses and the published opinions are not confidential: the members read
  the published recommendations in the portal, the board sees the list in the back-office.
- Nothing confidential goes to the audit trail (the superusers read it).
"""

from datetime import date
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.audit import audit_log
from core.roles import require_board
from members.models import Member, User

from .models import EthicsCase, EthicsCommitteeTerm, EthicsMeeting

COMMITTEE_SIZE = 3


def today() -> date:
    return timezone.localdate()


# --- selectors -------------------------------------------------------------------------------


def ethics_committee_on(day: date) -> QuerySet[EthicsCommitteeTerm]:
    """The committee's terms in force on `day` (the end day is the last one)."""
    return (
        EthicsCommitteeTerm.objects.filter(start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("member")
        .order_by("member__last_name", "member__first_name")
    )


def is_ethics_committee(user: User | AnonymousUser, day: date | None = None) -> bool:
    """Whether `user` reads the committee's confidential texts (`day`: today)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return ethics_committee_on(day or today()).filter(user_access=user).exists()


def check_ethics_committee(by: User) -> None:
    if not is_ethics_committee(by):
        raise PermissionDenied(_("Only the ethics committee can do this."))


def ethics_published_opinions() -> QuerySet[EthicsCase]:
    """The opinions and recommendations published to the members, newest first. Callers show
    `received_on`, `subject`, `opinion` and `published_at`, never `confidential_text`."""
    return (
        EthicsCase.objects.filter(published_at__isnull=False)
        .exclude(opinion="")
        .defer("confidential_text")
        .order_by("-published_at", "-pk")
    )


class EthicsYear(NamedTuple):
    cases: int
    meetings: int


def ethics_year_figures(year: int) -> EthicsYear:
    """Cases received and meetings held in `year`, for the cooperative-principles report
    (seed 001: 7 new cases and 8 meetings in 2024), as (cases, meetings)."""
    return EthicsYear(
        cases=EthicsCase.objects.filter(received_on__year=year).count(),
        meetings=EthicsMeeting.objects.filter(date__year=year).count(),
    )


# --- the committee's terms (a board decision) ------------------------------------------------


def _sync_ethics_role(user: User | None) -> None:
    """Give the back-office pages of the committee to an account named on a term not over,
    take them back otherwise. (The pages show the confidential text only during a term.)"""
    if user is None:
        return
    group = Group.objects.get(name=roles.ETHICS)
    current = EthicsCommitteeTerm.objects.filter(user_access=user).filter(
        Q(end__isnull=True) | Q(end__gte=today())
    )
    if current.exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)


@transaction.atomic
def ethics_term_record(
    *,
    member: Member,
    start: date,
    end: date | None = None,
    user_access: User | None = None,
    by: User,
) -> EthicsCommitteeTerm:
    """Name `member` on the committee from `start` (to `end`, if known): three members at
    most at any time."""
    require_board(by)
    if end is not None and end < start:
        raise ValidationError({"end": _("The term can't end before it starts.")})
    # Lock the terms overlapping the new one: two board members adding at once can't both pass.
    overlapping = list(
        EthicsCommitteeTerm.objects.select_for_update()
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .filter(**({} if end is None else {"start__lte": end}))
    )
    if any(term.member_id == member.pk for term in overlapping):
        raise ValidationError({"member": _("This member already sits on the committee then.")})
    if len(overlapping) >= COMMITTEE_SIZE:
        raise ValidationError(
            _("The ethics committee has %(size)s members: end a term before naming another.")
            % {"size": COMMITTEE_SIZE}
        )
    if user_access is not None and not user_access.is_active:
        raise ValidationError({"user_access": _("This account is not active.")})
    term = EthicsCommitteeTerm.objects.create(
        member=member, start=start, end=end, user_access=user_access
    )
    _sync_ethics_role(user_access)
    audit_log(
        actor=by,
        action="ethics_term.recorded",
        obj=term,
        changes={
            "start": str(start),
            "end": str(end or ""),
            "user_access": getattr(user_access, "pk", None),
        },
    )
    return term


@transaction.atomic
def ethics_term_update(
    *,
    term: EthicsCommitteeTerm,
    end: date | None,
    user_access: User | None,
    by: User,
    reason: str = "",
) -> EthicsCommitteeTerm:
    """Set a term's end, or the account that reads the cases for it (audited)."""
    require_board(by)
    term = EthicsCommitteeTerm.objects.select_for_update().get(pk=term.pk)
    if end is not None and end < term.start:
        raise ValidationError({"end": _("The term can't end before it starts.")})
    if user_access is not None and not user_access.is_active:
        raise ValidationError({"user_access": _("This account is not active.")})
    changes: dict[str, list] = {}
    if term.end != end:
        changes["end"] = [str(term.end or ""), str(end or "")]
    if term.user_access_id != getattr(user_access, "pk", None):
        changes["user_access"] = [term.user_access_id, getattr(user_access, "pk", None)]
    before_user = term.user_access
    term.end = end
    term.user_access = user_access
    term.save(update_fields=["end", "user_access"])
    for user in {before_user, user_access} - {None}:
        _sync_ethics_role(user)
    if changes:
        audit_log(actor=by, action="ethics_term.updated", obj=term, changes=changes, reason=reason)
    return term


# --- cases and meetings (the committee) -------------------------------------------------------


@transaction.atomic
def ethics_case_receive(
    *, received_on: date, subject: str, confidential_text: str, by: User
) -> EthicsCase:
    """The committee records a case it received; its text stays within the committee."""
    check_ethics_committee(by)
    subject = (subject or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Give the case a subject (it is not confidential).")
    if not (confidential_text or "").strip():
        errors["confidential_text"] = _("Write down the case.")
    if received_on > today():
        errors["received_on"] = _("The date can't be in the future.")
    if errors:
        raise ValidationError(errors)
    case = EthicsCase.objects.create(
        received_on=received_on, subject=subject, confidential_text=confidential_text
    )
    audit_log(
        actor=by, action="ethics_case.received", obj=case, changes={"received_on": str(received_on)}
    )
    return case


@transaction.atomic
def ethics_case_review(*, case: EthicsCase, by: User) -> EthicsCase:
    """The committee takes a received case in review."""
    check_ethics_committee(by)
    case = EthicsCase.objects.select_for_update().get(pk=case.pk)
    if case.status != EthicsCase.Status.RECEIVED:
        raise ValidationError(_("Only a case just received can be taken in review."))
    case.status = EthicsCase.Status.IN_REVIEW
    case.save(update_fields=["status"])
    audit_log(
        actor=by,
        action="ethics_case.in_review",
        obj=case,
        changes={"status": [EthicsCase.Status.RECEIVED, case.status]},
    )
    return case


@transaction.atomic
def ethics_case_opinion_publish(*, case: EthicsCase, opinion: str, by: User) -> EthicsCase:
    """The committee publishes its opinion or recommendation to the members and closes the
    case. The opinion is public: it must not quote the confidential text."""
    check_ethics_committee(by)
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("Write the opinion or recommendation to publish.")})
    case = EthicsCase.objects.select_for_update().get(pk=case.pk)
    if case.published_at is not None:
        raise ValidationError(_("The opinion on this case is already published."))
    before = case.status
    case.opinion = opinion
    case.published_at = timezone.now()
    case.status = EthicsCase.Status.CLOSED
    case.save(update_fields=["opinion", "published_at", "status"])
    audit_log(
        actor=by,
        action="ethics_case.opinion_published",
        obj=case,
        changes={"status": [before, case.status]},
    )
    return case


@transaction.atomic
def ethics_meeting_record(*, day: date, notes: str = "", by: User) -> EthicsMeeting:
    """The committee records one of its meetings (notes read by the committee only)."""
    check_ethics_committee(by)
    if day > today():
        raise ValidationError({"date": _("Record a meeting once it took place.")})
    if EthicsMeeting.objects.filter(date=day).exists():
        raise ValidationError({"date": _("A meeting is already recorded that day.")})
    meeting = EthicsMeeting.objects.create(date=day, notes=notes or "")
    audit_log(actor=by, action="ethics_meeting.recorded", obj=meeting, changes={"date": str(day)})
    return meeting
