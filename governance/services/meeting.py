"""The meeting in the room: advisors record who is present (they vote on paper or by show of
hands) and enter the paper totals of each item, which the count adds to the online ballots."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.roles import require_staff
from members.models import Member, User

from ..models import AgendaItem, ElectionCandidate, GeneralAssembly, PaperTally, Participation
from .base import lock_assembly
from .proxies import proxies_given_cancel
from .roll import on_roll

Status = GeneralAssembly.Status
Kind = AgendaItem.Kind
Channel = Participation.Channel


def _locked_for_the_room(assembly: GeneralAssembly, refusal: str) -> GeneralAssembly:
    """The assembly, locked, between convening and the count (else `refusal`)."""
    assembly = lock_assembly(assembly)
    if assembly.status not in (Status.CONVENED, Status.VOTING_OPEN, Status.CLOSED) or (
        assembly.tallied_at
    ):
        raise ValidationError(refusal)
    return assembly


def attendance_record(*, assembly: GeneralAssembly, member: Member, by: User) -> Participation:
    """An advisor records a member present in the room (they vote on paper or by show of
    hands). Refused for a member who already took part online or by proxy."""
    require_staff(by)
    with transaction.atomic():
        assembly = _locked_for_the_room(
            assembly, _("Attendance is recorded between convening and the count.")
        )
        if not on_roll(assembly, member):
            raise ValidationError({"member": _("This member is not on the voter roll.")})
        try:
            with transaction.atomic():
                participation = Participation.objects.create(
                    assembly=assembly, member=member, channel=Channel.IN_PERSON, day=assembly.date
                )
        except IntegrityError as error:
            raise ValidationError(
                {"member": _("This member has already voted (online or by proxy).")}
            ) from error
        # A proxy this member gave is no longer needed.
        proxies_given_cancel(assembly=assembly, giver=member, reason="present in person", by=by)
        audit_log(
            actor=by, action="attendance_recorded", obj=assembly, changes={"member": member.number}
        )
    return participation


def _check_totals(item: AgendaItem, candidate: ElectionCandidate | None, counts: list[int]) -> None:
    if item.kind == Kind.INFORMATION:
        raise ValidationError(_("This item takes no vote."))
    if (item.kind == Kind.ELECTION) != (candidate is not None):
        raise ValidationError({"candidate": _("Election totals are entered per candidate.")})
    if candidate is not None and candidate.item_id != item.pk:
        raise ValidationError({"candidate": _("This candidate stands in another election.")})
    if any(c is None or c < 0 for c in counts):
        raise ValidationError(_("Totals are whole numbers, zero or more."))


def paper_totals_enter(
    *,
    item: AgendaItem,
    by: User,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    blank: int = 0,
    candidate: ElectionCandidate | None = None,
) -> PaperTally:
    """An advisor enters the totals of the vote in the room for an item (or a candidate):
    never more ballots than members recorded present."""
    require_staff(by)
    counts = [votes_for, votes_against, abstentions, blank]
    _check_totals(item, candidate, counts)
    totals = {
        "votes_for": votes_for,
        "votes_against": votes_against,
        "abstentions": abstentions,
        "blank": blank,
    }
    with transaction.atomic():
        assembly = _locked_for_the_room(
            item.assembly, _("Totals are entered between convening and the count.")
        )
        present = Participation.objects.filter(assembly=assembly, channel=Channel.IN_PERSON).count()
        if sum(counts) > present:
            raise ValidationError(
                _("%(total)s votes for %(present)s members recorded present.")
                % {"total": sum(counts), "present": present}
            )
        tally, _created = PaperTally.objects.update_or_create(
            item=item, candidate=candidate, defaults={**totals, "entered_by": by}
        )
        audit_log(
            actor=by,
            action="paper_totals_entered",
            obj=item,
            changes={
                "candidate": getattr(candidate, "pk", None),
                "for": votes_for,
                "against": votes_against,
                "abstentions": abstentions,
                "blank": blank,
            },
        )
    return tally
