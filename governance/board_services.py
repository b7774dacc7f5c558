"""The board (conseil d'administration): its mandates, candidacies and cooptations.

Services are keyword-only, run in one transaction each and write the audit trail; the reads
(`board_on`, `mandates_count`, `mandates_ending_at_next_assembly`, `pending_ratifications`,
`candidacy_window`…) are in governance/selectors.py.

Rules kept here (issue 13, "The board and its mandates"):
- A mandate lasts `mandate_years` (the statutes' dated policy, frozen on the assembly) from the
  assembly that elected the member. A term's end is computed (`Mandate.end`), never recorded:
  only early ends (resignation, revocation, a refused ratification) are.
- The mandate limit (policy.mandate_limit, 2 by default) counts every mandate the member held
  or holds, elected or co-opted, EXCEPT a cooptation the assembly refused to ratify: the
  members never gave that one, and the statutes' limit is about mandates given by the assembly
  or confirmed by it. It is checked when a candidacy is filed and when a cooptation is recorded.
- Partial yearly renewal: a seat comes up for election at the ordinary assembly of the year its
  term ends (terms run from one June assembly to the same assembly four years later, whose day
  moves by a few days: the year is what matters).
"""

import datetime
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.roles import require_board
from members.models import Member, User

from .models import AgendaItem, Candidacy, ElectionCandidate, GeneralAssembly, Mandate
from .selectors import (
    board_on,
    candidacy_window,
    governance_policy_on,
    mandates_count,
    open_candidacies,
    today,
)
from .services.assemblies import agenda_item_add

How = Mandate.How
Ratification = Mandate.Ratification
EndReason = Mandate.EndReason
CandidacyStatus = Candidacy.Status
# Candidacies the candidate may still withdraw and the board still refuse.
STILL_OPEN = (CandidacyStatus.FILED, CandidacyStatus.DEFERRED)


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _mandate_years(assembly: GeneralAssembly) -> int:
    """The length of a mandate: frozen on the assembly once convened, else the policy's."""
    years = (assembly.rules or {}).get("mandate_years")
    return int(years) if years else governance_policy_on(assembly.date).mandate_years


def check_mandate_limit(*, member: Member, on: date, field_name: str | None = None) -> None:
    """Refuse one more mandate to a member who reached the statutes' limit."""
    limit = governance_policy_on(on).mandate_limit
    held = mandates_count(member)
    if held >= limit:
        message = _(
            "%(name)s has already held %(held)s board mandate(s): the statutes allow "
            "%(limit)s at most."
        ) % {"name": member.display_name, "held": held, "limit": limit}
        raise ValidationError({field_name: message} if field_name else message)


@transaction.atomic
def candidacy_file(
    *,
    member: Member,
    statement: str,
    representative_name: str = "",
    by: User,
    now: datetime.datetime | None = None,
) -> Candidacy:
    """File `member`'s candidacy to the board for the next election (a late one is kept for
    the following year's, status DEFERRED). Raises ValidationError (limit of mandates, not a
    member, already a candidate, no statement) or PermissionDenied (someone else's)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.user_id is None or member.user_id != getattr(by, "pk", None):
        require_board(by)
    day = timezone.localdate(now) if now is not None else today()
    if not Member.objects.admitted_on(day).filter(pk=member.pk).exists():
        raise ValidationError(_("Only members of the cooperative can stand for the board."))
    statement = (statement or "").strip()
    representative_name = (representative_name or "").strip()
    errors = {}
    if not statement:
        errors["statement"] = _("Tell the members why you stand: the statement is required.")
    if member.is_organisation and not representative_name:
        errors["representative_name"] = _(
            "An organisation stands represented by a named person: give their name."
        )
    if errors:
        raise ValidationError(errors)
    check_mandate_limit(member=member, on=day)
    window = candidacy_window(day)
    if open_candidacies(member).filter(year=window.year).exists():
        raise ValidationError(
            _("You are already a candidate for the %(year)s election.") % {"year": window.year}
        )
    candidacy = Candidacy.objects.create(
        member=member,
        representative_name=representative_name if member.is_organisation else "",
        statement=statement,
        year=window.year,
        status=CandidacyStatus.DEFERRED if window.late else CandidacyStatus.FILED,
    )
    audit_log(
        actor=by,
        action="candidacy.deferred" if window.late else "candidacy.filed",
        obj=candidacy,
        changes={"year": window.year, "status": candidacy.status},
    )
    return candidacy


@transaction.atomic
def candidacy_withdraw(*, candidacy: Candidacy, by: User) -> Candidacy:
    """The candidate withdraws (filed or deferred only: once on the ballot, the board decides)."""
    candidacy = Candidacy.objects.select_for_update().select_related("member").get(pk=candidacy.pk)
    if candidacy.member.user_id is None or candidacy.member.user_id != getattr(by, "pk", None):
        require_board(by)
    _check_still_open(
        candidacy, _("This candidacy is %(status)s: it can no longer be withdrawn here.")
    )
    _candidacy_status_set(candidacy, CandidacyStatus.WITHDRAWN, by=by)
    return candidacy


@transaction.atomic
def candidacy_refuse(*, candidacy: Candidacy, reason: str, by: User) -> Candidacy:
    """The board finds a candidacy not admissible, with a reason the candidate reads."""
    require_board(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the candidacy is not admissible.")})
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    _check_still_open(candidacy, _("This candidacy is %(status)s: it can't be refused any more."))
    _candidacy_status_set(candidacy, CandidacyStatus.REFUSED, by=by, reason=reason)
    return candidacy


def _check_still_open(candidacy: Candidacy, refusal: str) -> None:
    """Refuse (with `refusal`, naming the status) a candidacy no longer filed nor deferred."""
    if candidacy.status not in STILL_OPEN:
        raise ValidationError(refusal % {"status": candidacy.get_status_display()})


def _candidacy_status_set(candidacy: Candidacy, status: str, *, by: User, reason: str = "") -> None:
    """Move a candidacy to `status` (with the reason the candidate reads, when given), audited
    as `candidacy.<status>`."""
    before = candidacy.status
    candidacy.status = status
    fields = ["status"]
    if reason:
        candidacy.reason = reason
        fields.append("reason")
    candidacy.save(update_fields=fields)
    audit_log(
        actor=by,
        action=f"candidacy.{status}",
        obj=candidacy,
        changes={"status": [before, status]},
        reason=reason,
    )


# --- elections and ratifications (called by the count) ---------------------------------------


@transaction.atomic
def mandates_start_for_elected(
    *, item: AgendaItem, elected: list[ElectionCandidate], by: User
) -> list[Mandate]:
    """Start the mandates of an election item's elected candidates on the assembly's date, for
    the frozen `mandate_years`; mark the item's candidacies elected or not. Idempotent: a
    candidate who already has their mandate from this item gets no second one."""
    item = AgendaItem.objects.select_for_update().select_related("assembly").get(pk=item.pk)
    if item.kind != AgendaItem.Kind.ELECTION:
        raise ValidationError(_("Only a board election starts mandates."))
    assembly = item.assembly
    start = assembly.date
    end = add_years(start, _mandate_years(assembly))
    elected_ids = {candidate.pk for candidate in elected}
    if ElectionCandidate.objects.filter(pk__in=elected_ids).exclude(item=item).exists():
        raise ValidationError(_("An elected candidate is not on this election's ballot."))
    started = []
    for candidate in item.candidates.select_related("member", "candidacy").order_by("pk"):
        if candidate.pk in elected_ids:
            mandate = Mandate.objects.filter(elected_by=item, member=candidate.member).first()
            if mandate is None:
                _renewed_term_ends(member=candidate.member, on=start, item=item, by=by)
                mandate = Mandate.objects.create(
                    member=candidate.member,
                    representative_name=candidate.representative_name,
                    how=How.ELECTED,
                    start=start,
                    end=end,
                    elected_by=item,
                    recorded_by=account_or_none(by),
                )
                audit_log(
                    actor=by,
                    action="mandate.started",
                    obj=mandate,
                    changes={"how": How.ELECTED, "start": str(start), "end": str(end)},
                    reason=str(item),
                )
                started.append(mandate)
            outcome = CandidacyStatus.ELECTED
        else:
            outcome = CandidacyStatus.NOT_ELECTED
        candidacy = candidate.candidacy
        if candidacy is not None and candidacy.status != outcome:
            _candidacy_status_set(candidacy, outcome, by=by)
    return started


def _renewed_term_ends(*, member: Member, on: date, item: AgendaItem, by: User) -> None:
    """A member re-elected at the assembly that ends their term: the old mandate ends that day
    (terms run from June to June and the assembly's day moves, so without this both would be
    active for a few days)."""
    renewed = board_on(on).filter(member=member, end__year__lte=on.year)
    for old in renewed.select_for_update(of=("self",)):
        old.ended_on = on
        old.end_reason = EndReason.TERM
        old.save(update_fields=["ended_on", "end_reason"])
        audit_log(
            actor=by,
            action="mandate.renewed",
            obj=old,
            changes={"ended_on": ["", str(on)], "end_reason": ["", EndReason.TERM]},
            reason=str(item),
        )


@transaction.atomic
def ratification_decided(*, item: AgendaItem, adopted: bool, by: User) -> Mandate:
    """The assembly ratified the cooptation of `item.mandate`, or refused it: the mandate then
    ends on the assembly's date. Deciding the same way again changes nothing."""
    item = AgendaItem.objects.select_related("assembly").get(pk=item.pk)
    if item.kind != AgendaItem.Kind.RATIFICATION or item.mandate_id is None:
        raise ValidationError(_("This agenda item does not ratify a cooptation."))
    mandate = Mandate.objects.select_for_update().get(pk=item.mandate_id)
    outcome = Ratification.RATIFIED if adopted else Ratification.REFUSED
    if mandate.ratification == outcome and mandate.ratified_by_id == item.pk:
        return mandate
    if mandate.ratification != Ratification.PENDING:
        raise ValidationError(
            _("The cooptation of %(name)s is already %(state)s.")
            % {"name": mandate.member.display_name, "state": mandate.get_ratification_display()}
        )
    before = {"ratification": mandate.ratification, "ended_on": mandate.ended_on}
    mandate.ratification = outcome
    mandate.ratified_by = item
    day = item.assembly.date
    if not adopted and (mandate.ended_on is None or mandate.ended_on > day):
        mandate.ended_on = max(day, mandate.start)
        mandate.end_reason = EndReason.RATIFICATION_REFUSED
    mandate.save(update_fields=["ratification", "ratified_by", "ended_on", "end_reason"])
    audit_log(
        actor=by,
        action="mandate.ratified" if adopted else "mandate.ratification_refused",
        obj=mandate,
        changes={
            "ratification": [before["ratification"], outcome],
            "ended_on": [str(before["ended_on"] or ""), str(mandate.ended_on or "")],
        },
        reason=str(item),
    )
    return mandate


# --- cooptations and early ends (the board, in the back-office) -------------------------------


@transaction.atomic
def cooptation_record(
    *,
    member: Member,
    replaces: Mandate,
    start: date,
    representative_name: str = "",
    by: User,
    reason: str,
) -> Mandate:
    """The board co-opts `member` on the seat `replaces` left vacant (resignation or
    revocation), from `start` to the end of that mandate, waiting for ratification; the
    ratification goes on the next ordinary assembly still in draft, when there is one (else
    `pending_ratifications` lists it for the next assembly created)."""
    require_board(by)
    replaces = Mandate.objects.select_for_update().select_related("member").get(pk=replaces.pk)
    reason = (reason or "").strip()
    representative_name = (representative_name or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the board's decision (reference or reason).")})
    if replaces.ended_on is None or replaces.end_reason not in (
        EndReason.RESIGNATION,
        EndReason.REVOCATION,
    ):
        raise ValidationError(
            _(
                "The mandate of %(name)s has not ended early (resignation or revocation): "
                "its seat is not vacant."
            )
            % {"name": replaces.member.display_name}
        )
    if not (replaces.ended_on <= start < replaces.end):
        raise ValidationError(
            {
                "start": _(
                    "A cooptation starts once the seat is vacant (from %(from)s) and before "
                    "the end of its term (%(to)s)."
                )
                % {"from": f"{replaces.ended_on:%d/%m/%Y}", "to": f"{replaces.end:%d/%m/%Y}"}
            }
        )
    if any(m.active_on(start) for m in replaces.replaced_by.all()):
        raise ValidationError(_("This seat is already filled by a cooptation."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not Member.objects.admitted_on(start).filter(pk=member.pk).exists():
        raise ValidationError(
            {"member": _("Only members of the cooperative can be co-opted to the board.")}
        )
    if board_on(start).filter(member=member).exists():
        raise ValidationError({"member": _("This member already sits on the board.")})
    if member.is_organisation and not representative_name:
        raise ValidationError(
            {
                "representative_name": _(
                    "An organisation sits represented by a named person: give their name."
                )
            }
        )
    check_mandate_limit(member=member, on=start, field_name="member")
    mandate = Mandate.objects.create(
        member=member,
        representative_name=representative_name if member.is_organisation else "",
        how=How.COOPTED,
        start=start,
        end=replaces.end,
        replaces=replaces,
        ratification=Ratification.PENDING,
        recorded_by=by,
    )
    audit_log(
        actor=by,
        action="mandate.coopted",
        obj=mandate,
        changes={"replaces": replaces.pk, "start": str(start), "end": str(replaces.end)},
        reason=reason,
    )
    assembly = (
        GeneralAssembly.objects.filter(
            kind=GeneralAssembly.Kind.ORDINARY,
            status=GeneralAssembly.Status.DRAFT,
            date__gt=start,
        )
        .order_by("date", "pk")
        .first()
    )
    if assembly is not None:
        ratification_item_add(mandate=mandate, assembly=assembly, by=by)
    return mandate


def ratification_item_add(*, mandate: Mandate, assembly: GeneralAssembly, by: User) -> AgendaItem:
    """Put "ratify the cooptation of X" on `assembly`'s agenda (a draft one)."""
    return agenda_item_add(
        assembly=assembly,
        title=ratification_title(mandate),
        kind=AgendaItem.Kind.RATIFICATION,
        mandate=mandate,
        by=by,
    )


def ratification_title(mandate: Mandate) -> str:
    if mandate.representative_name:
        return _("Ratify the cooptation of %(name)s, represented by %(person)s") % {
            "name": mandate.member.display_name,
            "person": mandate.representative_name,
        }
    return _("Ratify the cooptation of %(name)s") % {"name": mandate.member.display_name}


EARLY_ENDS = (EndReason.RESIGNATION, EndReason.REVOCATION)


@transaction.atomic
def mandate_end(*, mandate: Mandate, on: date, reason: str, by: User, note: str) -> Mandate:
    """End a mandate before its term: resignation or revocation, on `on` (the member is no
    longer on the board from that day). A term's end is not recorded: it is computed."""
    require_board(by)
    note = (note or "").strip()
    if reason not in EARLY_ENDS:
        raise ValidationError({"reason": _("A mandate ends early by resignation or revocation.")})
    if not note:
        raise ValidationError({"note": _("Say what was decided (date of the letter, decision).")})
    mandate = Mandate.objects.select_for_update().select_related("member").get(pk=mandate.pk)
    if mandate.ended_on is not None:
        raise ValidationError(
            _("This mandate already ended on %(day)s.") % {"day": f"{mandate.ended_on:%d/%m/%Y}"}
        )
    if not (mandate.start <= on < mandate.end):
        raise ValidationError(
            {
                "on": _("The mandate runs from %(start)s to %(end)s: choose a day in between.")
                % {"start": f"{mandate.start:%d/%m/%Y}", "end": f"{mandate.end:%d/%m/%Y}"}
            }
        )
    mandate.ended_on = on
    mandate.end_reason = reason
    mandate.save(update_fields=["ended_on", "end_reason"])
    audit_log(
        actor=by,
        action=f"mandate.{reason}",
        obj=mandate,
        changes={"ended_on": ["", str(on)], "end_reason": ["", reason]},
        reason=note,
    )
    return mandate


@transaction.atomic
def representative_change(*, mandate: Mandate, name: str, by: User, reason: str) -> Mandate:
    """A member organisation names another person to sit for it: same mandate, audited."""
    require_board(by)
    name = (name or "").strip()
    reason = (reason or "").strip()
    mandate = Mandate.objects.select_for_update().select_related("member").get(pk=mandate.pk)
    if not mandate.member.is_organisation:
        raise ValidationError(_("Only a member organisation sits through a representative."))
    if mandate.ended_on is not None or mandate.end <= today():
        raise ValidationError(_("This mandate is over: its representative can't change."))
    if not name:
        raise ValidationError({"name": _("Give the name of the new representative.")})
    if name == mandate.representative_name:
        raise ValidationError({"name": _("This person already represents the organisation.")})
    if not reason:
        raise ValidationError({"reason": _("Say why the representative changes.")})
    before = mandate.representative_name
    mandate.representative_name = name
    mandate.save(update_fields=["representative_name"])
    audit_log(
        actor=by,
        action="mandate.representative_changed",
        obj=mandate,
        changes={"representative_name": [before, name]},
        reason=reason,
    )
    return mandate
