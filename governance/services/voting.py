"""Voting online: the window opening and closing, who may vote now (and why not), the ballot
checked, sealed to the assembly's key and chained, the receipt e-mailed.

A ballot is cast in one transaction with the assembly locked: the participation (who, channel,
the day) and the sealed ballot (what, without who) are written together but never linked.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from members.emails import member_address, send_on_commit
from members.models import Member

from .. import sealing
from ..models import AgendaItem, EncryptedBallot, GeneralAssembly, Participation, Proxy
from ..models.voting import Choice
from .base import EMAILS, lock_assembly, resolve_now
from .proxies import proxies_given_cancel
from .roll import on_roll, why_not_on_roll

Status = GeneralAssembly.Status
Kind = AgendaItem.Kind
Channel = Participation.Channel

ITEM_CHOICES = {Choice.FOR, Choice.AGAINST, Choice.ABSTAIN, Choice.BLANK}
CANDIDATE_CHOICES = {Choice.FOR, Choice.AGAINST, Choice.ABSTAIN}


# --- the voting window ---------------------------------------------------------------------------


def _status_due(assembly: GeneralAssembly, now: datetime) -> str | None:
    """The status the assembly should have at `now`, when its vote opens or closes."""
    target = None
    if assembly.status == Status.CONVENED and now >= assembly.voting_opens_at:
        target = Status.VOTING_OPEN
    if (
        assembly.status in (Status.CONVENED, Status.VOTING_OPEN)
        and now >= assembly.voting_closes_at
    ):
        target = Status.CLOSED
    return target


def assembly_sync_status(*, assembly: GeneralAssembly, now: datetime | None = None) -> str:
    """Open or close the online vote when its time has come (the beat task and the pages call
    it; casting checks the times itself anyway)."""
    now = resolve_now(now)
    assembly.refresh_from_db(fields=["status", "closed_at"])
    target = _status_due(assembly, now)
    if target is None:
        return assembly.status
    with transaction.atomic():
        locked = lock_assembly(assembly)
        if locked.status in (Status.CONVENED, Status.VOTING_OPEN) and locked.status != target:
            before = locked.status
            locked.status = target
            if target == Status.CLOSED:
                locked.closed_at = now
            locked.save(update_fields=["status", "closed_at"])
            audit_log(
                actor=None,
                action=f"assembly_{target}",
                obj=locked,
                changes={"status": [before, target]},
            )
        assembly.status, assembly.closed_at = locked.status, locked.closed_at
    return assembly.status


def voting_is_open(assembly: GeneralAssembly, now: datetime) -> bool:
    return (
        assembly.status in (Status.CONVENED, Status.VOTING_OPEN)
        and assembly.online
        and assembly.voting_opens_at <= now < assembly.voting_closes_at
    )


# --- who may vote -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    can_vote: bool
    reason: str
    message: str
    participation: Participation | None = None


def _already_voted(participation: Participation) -> Eligibility:
    return Eligibility(
        False,
        "already_voted",
        _("A vote was already recorded (%(channel)s, %(day)s).")
        % {
            "channel": participation.get_channel_display(),
            "day": participation.day.strftime("%d/%m/%Y"),
        },
        participation,
    )


def _window_eligibility(assembly: GeneralAssembly, now: datetime) -> Eligibility:
    """Whether the online vote is open at `now`, for someone on the roll who has not voted."""
    if not assembly.online:
        return Eligibility(False, "no_online_vote", _("This assembly votes in the room only."))
    if now < assembly.voting_opens_at:
        opens = timezone.localtime(assembly.voting_opens_at)
        return Eligibility(
            False,
            "not_open_yet",
            _("The online vote opens on %(when)s.") % {"when": opens.strftime("%d/%m/%Y %H:%M")},
        )
    if now >= assembly.voting_closes_at or assembly.status in (Status.CLOSED, Status.PUBLISHED):
        return Eligibility(False, "closed", _("The online vote is closed."))
    return Eligibility(True, "ok", _("You can vote."))


def eligibility(
    *,
    assembly: GeneralAssembly,
    member: Member,
    now: datetime | None = None,
    on_behalf: bool = False,
) -> Eligibility:
    """Whether `member` can vote now (or be voted for, `on_behalf`), and why not."""
    now = resolve_now(now)
    if assembly.status == Status.DRAFT:
        return Eligibility(False, "draft", _("This assembly is not convened yet."))
    if not on_roll(assembly, member):
        return Eligibility(False, "not_on_roll", why_not_on_roll(assembly, member))
    participation = Participation.objects.filter(assembly=assembly, member=member).first()
    if participation is not None:
        return _already_voted(participation)
    return _window_eligibility(assembly, now)


# --- ballots ------------------------------------------------------------------------------------


def _clean_election(item: AgendaItem, given: dict, errors: dict) -> dict | None:
    """The choices for each candidate of an election item, or None (with the error noted)."""
    key = str(item.pk)
    picked = {}
    for candidate in item.candidates.all():
        value = given.get(str(candidate.pk))
        if value not in CANDIDATE_CHOICES:
            errors[f"item_{key}"] = _(
                "Item %(n)s: choose for, against or abstention for each candidate."
            ) % {"n": item.position}
            return None
        picked[str(candidate.pk)] = value
    if sum(1 for v in picked.values() if v == Choice.FOR) > item.seats:
        errors[f"item_{key}"] = _("Item %(n)s: at most %(seats)s candidates can get your vote.") % {
            "n": item.position,
            "seats": item.seats,
        }
    return picked


def clean_choices(*, assembly: GeneralAssembly, choices: dict) -> dict:
    """A complete, well-formed ballot for the assembly's items, or a ValidationError naming the
    item: every voted item gets for, against, abstention or blank; every candidate of an
    election for, against or abstention, with no more "for" than seats."""
    clean: dict = {"items": {}, "candidates": {}}
    errors: dict = {}
    items = choices.get("items", {}) if isinstance(choices, dict) else {}
    candidates = choices.get("candidates", {}) if isinstance(choices, dict) else {}
    for item in assembly.items.prefetch_related("candidates"):
        key = str(item.pk)
        if item.kind == Kind.INFORMATION:
            continue
        if item.kind == Kind.ELECTION:
            picked = _clean_election(item, candidates.get(key) or {}, errors)
            if picked is not None:
                clean["candidates"][key] = picked
            continue
        value = items.get(key)
        if value not in ITEM_CHOICES:
            errors[f"item_{key}"] = _("Item %(n)s: choose for, against, abstention or blank.") % {
                "n": item.position
            }
            continue
        clean["items"][key] = value
    if errors:
        raise ValidationError(errors)
    return clean


@dataclass(frozen=True)
class Cast:
    receipt: str
    position: int


def _voting_for(
    assembly: GeneralAssembly, voter: Member, for_member: Member | None, now: datetime
) -> Proxy | None:
    """The validated proxy the voter uses for `for_member`; for their own vote, none (and the
    proxies they gave are cancelled)."""
    if for_member is not None:
        proxy = (
            Proxy.objects.select_for_update()
            .filter(
                assembly=assembly, giver=for_member, holder=voter, status=Proxy.Status.VALIDATED
            )
            .first()
        )
        if proxy is None:
            raise PermissionDenied(_("You hold no validated proxy of this member."))
        return proxy
    if not on_roll(assembly, voter):
        raise ValidationError(why_not_on_roll(assembly, voter))
    # A giver who votes online themselves cancels their proxy.
    proxies_given_cancel(
        assembly=assembly, giver=voter, reason="voted online themselves", by=voter.user, now=now
    )
    return None


def _participation_record(
    assembly: GeneralAssembly,
    represented: Member,
    voter: Member,
    proxy: Proxy | None,
    now: datetime,
) -> None:
    """Who took part, how and on which day: refused by the database for a second time."""
    try:
        with transaction.atomic():
            Participation.objects.create(
                assembly=assembly,
                member=represented,
                channel=Channel.PROXY if proxy else Channel.ONLINE,
                day=timezone.localdate(now),
                proxy_holder=voter if proxy else None,
            )
    except IntegrityError as error:
        raise ValidationError(_("A vote was already recorded for this member.")) from error
    if proxy is not None:
        proxy.status = Proxy.Status.USED
        proxy.save(update_fields=["status"])


def _ballot_seal(assembly: GeneralAssembly, clean: dict) -> Cast:
    """The ballot sealed to the assembly's key, as the next link of its chain."""
    sealed = sealing.seal(clean, public_hex=assembly.public_key)
    receipt = sealing.receipt_of(sealed)
    position = assembly.ballot_count + 1
    chain = sealing.next_link(assembly.chain_head, receipt)
    EncryptedBallot.objects.create(
        assembly=assembly, position=position, sealed=sealed, receipt=receipt, chain=chain
    )
    assembly.ballot_count = position
    assembly.chain_head = chain
    assembly.save(update_fields=["ballot_count", "chain_head"])
    return Cast(receipt=receipt, position=position)


def ballot_cast(
    *,
    assembly: GeneralAssembly,
    voter: Member,
    choices: dict,
    for_member: Member | None = None,
    now: datetime | None = None,
) -> Cast:
    """Cast one online ballot: for the voter, or (`for_member`) for the member who gave the
    voter a validated proxy. In one transaction: the participation (who, channel, the day),
    the sealed ballot (what, without who) as the next link of the chain. Refused when the
    window is closed, the person is not on the roll or already took part (database
    constraint). Returns the receipt: the SHA-256 of the sealed ballot."""
    now = resolve_now(now)
    represented = for_member or voter
    clean = clean_choices(assembly=assembly, choices=choices)
    with transaction.atomic():
        assembly = lock_assembly(assembly)
        if not voting_is_open(assembly, now):
            raise ValidationError(_("The online vote is not open."))
        if not on_roll(assembly, represented):
            raise ValidationError(why_not_on_roll(assembly, represented))
        proxy = _voting_for(assembly, voter, for_member, now)
        _participation_record(assembly, represented, voter, proxy, now)
        cast = _ballot_seal(assembly, clean)
        _receipt_emails(
            assembly=assembly, voter=voter, represented=represented, receipt=cast.receipt
        )
    return cast


def _receipt_emails(
    *, assembly: GeneralAssembly, voter: Member, represented: Member, receipt: str
) -> None:
    context = {"assembly": assembly, "receipt": receipt, "voter": voter, "represented": represented}
    recipients = [("receipt", voter)]
    if represented.pk != voter.pk:
        recipients.append(("proxy_used", represented))
    for template, member in recipients:
        send_on_commit(
            folder=EMAILS,
            template=template,
            to=member_address(member),
            language=member.preferred_language,
            context=context,
        )
