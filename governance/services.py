"""General assemblies: prepare, convene, vote online, by proxy and in the room, close.

Every write goes through a function here (portal, back-office, API, tasks and commands call
the same ones). The count itself is in governance/tally.py; the board's mandates in
governance/board_services.py; why the vote is secret in docs/VOTING.md.

Locks: everything that changes an assembly's votes (a ballot, a participation, a proxy, the
roll) first locks the assembly's row, so the chain of sealed ballots grows one link at a time
and the proxy cap can't be passed by two requests at once. A second participation of the same
member is refused by the database itself (unique constraint), whatever the path.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.roles import is_board, require_staff
from members.emails import member_address, send_on_commit
from members.models import Member
from members.selectors import voter_roll

from . import sealing
from .board_services import governance_policy_on
from .models import (
    AgendaDocument,
    AgendaItem,
    ElectionCandidate,
    EncryptedBallot,
    GeneralAssembly,
    PaperTally,
    Participation,
    Proxy,
    VoterRollEntry,
)
from .models.voting import Choice

Status = GeneralAssembly.Status
Kind = AgendaItem.Kind
Channel = Participation.Channel

ITEM_CHOICES = {Choice.FOR, Choice.AGAINST, Choice.ABSTAIN, Choice.BLANK}
CANDIDATE_CHOICES = {Choice.FOR, Choice.AGAINST, Choice.ABSTAIN}
EDITABLE_FIELDS = ("title", "text", "kind", "seats", "position")
EMAILS = "governance/email/"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def check_board_or_admin(by) -> None:
    if not is_board(by):
        raise PermissionDenied(_("Only the board can do this."))


def _lock_assembly(assembly: GeneralAssembly) -> GeneralAssembly:
    return GeneralAssembly.objects.select_for_update().get(pk=assembly.pk)


# --- preparing an assembly --------------------------------------------------------------------


def assembly_create(
    *,
    kind: str,
    title: str,
    date: date,
    notice_date: date,
    record_date: date,
    voting_opens_at: datetime,
    voting_closes_at: datetime,
    by,
    place: str = "",
    online: bool = True,
) -> GeneralAssembly:
    """A draft assembly. An ordinary one gets the ratification of every co-opted mandate still
    waiting for one."""
    check_board_or_admin(by)
    assembly = GeneralAssembly(
        kind=kind,
        title=title,
        date=date,
        place=place,
        online=online,
        notice_date=notice_date,
        record_date=record_date,
        voting_opens_at=voting_opens_at,
        voting_closes_at=voting_closes_at,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _check_dates(assembly)
    with transaction.atomic():
        assembly.save()
        audit_log(actor=by, action="assembly_created", obj=assembly)
        if kind == GeneralAssembly.Kind.ORDINARY:
            add_pending_ratifications(assembly=assembly, by=by)
    return assembly


def _check_dates(assembly: GeneralAssembly) -> None:
    errors = {}
    if assembly.record_date > assembly.date:
        errors["record_date"] = _("The record date can't be after the meeting day.")
    if assembly.notice_date > assembly.date:
        errors["notice_date"] = _("The notice can't be sent after the meeting day.")
    if assembly.voting_closes_at <= assembly.voting_opens_at:
        errors["voting_closes_at"] = _("The vote must close after it opens.")
    if errors:
        raise ValidationError(errors)


def add_pending_ratifications(*, assembly: GeneralAssembly, by) -> list[AgendaItem]:
    """A "ratify the cooptation of X" item for each co-opted mandate waiting for one and not yet
    on an agenda (draft assemblies only)."""
    from .board_services import pending_ratifications

    added = []
    for mandate in pending_ratifications():
        if mandate.start > assembly.date or mandate.ratification_items.exists():
            continue
        added.append(
            agenda_item_add(
                assembly=assembly,
                title=_("Ratification of the cooptation of %(name)s") % {"name": mandate.member},
                kind=Kind.RATIFICATION,
                mandate=mandate,
                by=by,
            )
        )
    return added


def _check_draft(assembly: GeneralAssembly, *, by=None, obj=None, attempted=None) -> None:
    if assembly.status != Status.DRAFT:
        if obj is not None:
            # The refusal itself is recorded: someone tried to change a locked wording.
            audit_log(
                actor=by,
                action="change_refused",
                obj=obj,
                changes=attempted or {},
                reason="assembly convened: wording locked",
            )
        raise ValidationError(
            _("The assembly is convened: its agenda and wording can no longer change.")
        )


ASSEMBLY_FIELDS = (
    "kind",
    "title",
    "date",
    "place",
    "online",
    "notice_date",
    "record_date",
    "voting_opens_at",
    "voting_closes_at",
)


def assembly_change(*, assembly: GeneralAssembly, by, **fields) -> GeneralAssembly:
    """Change a draft assembly's dates, place or title (refused once convened)."""
    check_board_or_admin(by)
    unknown = set(fields) - set(ASSEMBLY_FIELDS)
    if unknown:
        raise ValidationError(_("These fields can't be changed: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        locked = _lock_assembly(assembly)
        _check_draft(locked)
        changes = {
            k: [str(getattr(locked, k)), str(v)]
            for k, v in fields.items()
            if getattr(locked, k) != v
        }
        for name, value in fields.items():
            setattr(locked, name, value)
        _check_dates(locked)
        locked.save()
        audit_log(actor=by, action="assembly_changed", obj=locked, changes=changes)
    return locked


def agenda_item_delete(*, item: AgendaItem, by) -> None:
    """Take an item off a draft assembly's agenda."""
    check_board_or_admin(by)
    with transaction.atomic():
        _check_draft(_lock_assembly(item.assembly))
        audit_log(actor=by, action="agenda_item_deleted", obj=item)
        item.delete()


def candidate_remove(*, candidate: ElectionCandidate, by) -> None:
    """Take a candidate off a draft assembly's ballot."""
    check_board_or_admin(by)
    with transaction.atomic():
        _check_draft(_lock_assembly(candidate.item.assembly))
        audit_log(actor=by, action="candidate_removed", obj=candidate)
        candidate.delete()


def agenda_document_add(*, item: AgendaItem, title: str, file, by) -> AgendaDocument:
    """A PDF of a draft assembly's item, kept with its SHA-256."""
    check_board_or_admin(by)
    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    with transaction.atomic():
        _check_draft(_lock_assembly(item.assembly))
        document = AgendaDocument(item=item, title=title, sha256=digest)
        document.file.save(file.name.rsplit("/", 1)[-1], file, save=True)
        audit_log(actor=by, action="document_added", obj=document, changes={"sha256": digest})
    return document


def agenda_document_remove(*, document: AgendaDocument, by) -> None:
    """Take a document off a draft assembly's item."""
    check_board_or_admin(by)
    with transaction.atomic():
        _check_draft(_lock_assembly(document.item.assembly))
        audit_log(actor=by, action="document_removed", obj=document)
        document.delete()


def agenda_item_add(
    *,
    assembly: GeneralAssembly,
    title: str,
    kind: str,
    by,
    text: str = "",
    seats: int = 0,
    mandate=None,
) -> AgendaItem:
    """An item at the end of a draft assembly's agenda."""
    _check_draft(assembly)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind of decision.")})
    if kind == Kind.ELECTION and seats < 1:
        raise ValidationError({"seats": _("An election fills at least one seat.")})
    if kind == Kind.RATIFICATION and mandate is None:
        raise ValidationError({"mandate": _("A ratification is about a co-opted mandate.")})
    with transaction.atomic():
        last = assembly.items.order_by("-position").values_list("position", flat=True).first()
        item = AgendaItem.objects.create(
            assembly=assembly,
            position=(last or 0) + 1,
            title=title,
            text=text,
            kind=kind,
            seats=seats if kind == Kind.ELECTION else 0,
            mandate=mandate if kind == Kind.RATIFICATION else None,
        )
        audit_log(actor=by, action="agenda_item_added", obj=item, changes={"title": title})
    return item


def agenda_item_change(*, item: AgendaItem, by, **fields) -> AgendaItem:
    """Change an item's wording while the assembly is a draft; refused (and audited) after."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields can't be changed: %s") % ", ".join(sorted(unknown)))
    changes = {k: [getattr(item, k), v] for k, v in fields.items() if getattr(item, k) != v}
    _check_draft(item.assembly, by=by, obj=item, attempted=changes)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
        audit_log(actor=by, action="agenda_item_changed", obj=item, changes=changes)
    return item


def candidate_add(
    *,
    item: AgendaItem,
    member: Member,
    by,
    representative_name: str = "",
    statement: str = "",
    candidacy=None,
) -> ElectionCandidate:
    """A candidate on the ballot of a draft assembly's election."""
    _check_draft(item.assembly)
    if item.kind != Kind.ELECTION:
        raise ValidationError(_("Candidates stand in a board election only."))
    if member.is_organisation and not representative_name:
        raise ValidationError(
            {"representative_name": _("An organisation sits through a named person.")}
        )
    with transaction.atomic():
        candidate, created = ElectionCandidate.objects.get_or_create(
            item=item,
            member=member,
            defaults={
                "representative_name": representative_name,
                "statement": statement,
                "candidacy": candidacy,
            },
        )
        if created:
            if candidacy is not None:
                candidacy.status = candidacy.Status.ON_BALLOT
                candidacy.save(update_fields=["status"])
            audit_log(actor=by, action="candidate_added", obj=candidate)
    return candidate


# --- convening: rules frozen, roll frozen, tellers' key -----------------------------------------


def item_rule(kind: str, rules: dict) -> dict:
    """The rule an item is decided by, from the assembly's frozen rules."""
    if kind == Kind.INFORMATION:
        return {}
    if kind == Kind.STATUTES:
        return {
            "quorum": rules["statute_quorum"],
            "majority": rules["statute_majority"],
            "strict": False,
        }
    return {
        "quorum": rules["ordinary_quorum"],
        "majority": rules["ordinary_majority"],
        "strict": True,
    }


def _check_window(assembly: GeneralAssembly, rules: dict) -> None:
    tz = timezone.get_current_timezone()
    opens_on = timezone.localtime(assembly.voting_opens_at, tz).date()
    earliest = assembly.date - timedelta(
        days=rules["early_voting_days"] if rules["early_voting"] else 0
    )
    if opens_on < earliest:
        if rules["early_voting"]:
            message = _(
                "The statutes let the online vote open %(days)s days before the "
                "meeting at most (%(day)s)."
            ) % {"days": rules["early_voting_days"], "day": earliest.strftime("%d/%m/%Y")}
        else:
            message = _(
                "The statutes in force don't let the online vote open before the meeting day."
            )
        raise ValidationError({"voting_opens_at": message})


@dataclass(frozen=True)
class Convened:
    assembly: GeneralAssembly
    key_file: str


def assembly_convene(*, assembly: GeneralAssembly, by, now: datetime | None = None) -> Convened:
    """Convene: the statutes' rules and each item's rule frozen, the wording locked, the roll
    frozen from the share register at the record date with its SHA-256, and a key pair made
    for the tellers. Returns the private key file: it is not stored anywhere, hand it to the
    tellers. Convocation e-mails leave after the commit."""
    check_board_or_admin(by)
    now = _now(now)
    with transaction.atomic():
        assembly = _lock_assembly(assembly)
        _check_draft(assembly)
        items = list(assembly.items.all())
        if not items:
            raise ValidationError(_("The agenda is empty."))
        for item in items:
            if item.kind == Kind.ELECTION and not item.candidates.exists():
                raise ValidationError(
                    _("Item %(n)s is an election without candidates.") % {"n": item.position}
                )
        rules = governance_policy_on(assembly.date).frozen()
        _check_window(assembly, rules)
        for item in items:
            item.rule = item_rule(item.kind, rules)
            item.save(update_fields=["rule"])
        entries = [
            VoterRollEntry(
                assembly=assembly,
                member_id=member.pk,
                number=member.number,
                category=member.category_at or member.category,
            )
            for member in voter_roll(at=assembly.record_date).only("pk", "number", "category")
        ]
        VoterRollEntry.objects.bulk_create(entries, batch_size=5000)
        public_hex, private = sealing.new_keypair()
        assembly.rules = rules
        assembly.public_key = public_hex
        assembly.roll_size = len(entries)
        assembly.roll_sha256 = sealing.roll_digest(e.number for e in entries)
        assembly.chain_head = ""
        assembly.ballot_count = 0
        assembly.convened_at = now
        assembly.status = Status.CONVENED
        assembly.save()
        audit_log(
            actor=by,
            action="assembly_convened",
            obj=assembly,
            changes={
                "roll_size": assembly.roll_size,
                "roll_sha256": assembly.roll_sha256,
                "public_key": public_hex,
                "rules": rules,
            },
        )
        from .tasks import send_convocations

        transaction.on_commit(lambda: send_convocations.delay(assembly.pk), robust=True)
    key_file = sealing.key_file_text(
        assembly_id=assembly.pk, title=assembly.title, private=private, public_hex=public_hex
    )
    del private
    return Convened(assembly=assembly, key_file=key_file)


def roll_correct(*, assembly: GeneralAssembly, member: Member, reason: str, by) -> VoterRollEntry:
    """Add a member forgotten on a frozen roll (an advisor, with a reason); the roll's hash is
    recomputed and both hashes are kept in the audit trail."""
    require_staff(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the roll is corrected.")})
    with transaction.atomic():
        assembly = _lock_assembly(assembly)
        if assembly.status not in (Status.CONVENED, Status.VOTING_OPEN):
            raise ValidationError(_("The roll can be corrected between convening and closing."))
        if VoterRollEntry.objects.filter(assembly=assembly, member=member).exists():
            raise ValidationError({"member": _("This member is already on the roll.")})
        if member.number is None:
            raise ValidationError({"member": _("This person has no member number.")})
        entry = VoterRollEntry.objects.create(
            assembly=assembly,
            member=member,
            number=member.number,
            category=member.category,
            correction_reason=reason.strip(),
        )
        before = assembly.roll_sha256
        numbers = VoterRollEntry.objects.filter(assembly=assembly).values_list("number", flat=True)
        assembly.roll_sha256 = sealing.roll_digest(numbers)
        assembly.roll_size += 1
        assembly.save(update_fields=["roll_sha256", "roll_size"])
        audit_log(
            actor=by,
            action="roll_corrected",
            obj=assembly,
            changes={"member": member.number, "roll_sha256": [before, assembly.roll_sha256]},
            reason=reason.strip(),
        )
    return entry


# --- the voting window ---------------------------------------------------------------------------


def assembly_sync_status(*, assembly: GeneralAssembly, now: datetime | None = None) -> str:
    """Open or close the online vote when its time has come (the beat task and the pages call
    it; casting checks the times itself anyway)."""
    now = _now(now)
    assembly.refresh_from_db(fields=["status", "closed_at"])
    target = None
    if assembly.status == Status.CONVENED and now >= assembly.voting_opens_at:
        target = Status.VOTING_OPEN
    if (
        assembly.status in (Status.CONVENED, Status.VOTING_OPEN)
        and now >= assembly.voting_closes_at
    ):
        target = Status.CLOSED
    if target is None:
        return assembly.status
    with transaction.atomic():
        locked = _lock_assembly(assembly)
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


def on_roll(assembly: GeneralAssembly, member: Member) -> bool:
    return VoterRollEntry.objects.filter(assembly=assembly, member=member).exists()


def why_not_on_roll(assembly: GeneralAssembly, member: Member) -> str:
    """Why a member is not on the roll, in words the member understands."""
    record = assembly.record_date.strftime("%d/%m/%Y")
    if member.status == Member.Status.APPLICANT or member.member_since is None:
        return _(
            "Your membership application was not yet approved on the record date (%(day)s)."
        ) % {"day": record}
    if member.member_since > assembly.record_date:
        return _("You joined after the record date of the voter roll (%(day)s).") % {"day": record}
    if member.left_on and member.left_on <= assembly.record_date:
        return _("You were no longer a member on the record date (%(day)s).") % {"day": record}
    return _("You held no fully paid share on the record date (%(day)s).") % {"day": record}


def eligibility(
    *,
    assembly: GeneralAssembly,
    member: Member,
    now: datetime | None = None,
    on_behalf: bool = False,
) -> Eligibility:
    """Whether `member` can vote now (or be voted for, `on_behalf`), and why not."""
    now = _now(now)
    if assembly.status == Status.DRAFT:
        return Eligibility(False, "draft", _("This assembly is not convened yet."))
    if not on_roll(assembly, member):
        return Eligibility(False, "not_on_roll", why_not_on_roll(assembly, member))
    participation = Participation.objects.filter(assembly=assembly, member=member).first()
    if participation is not None:
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


# --- ballots ------------------------------------------------------------------------------------


def clean_choices(*, assembly: GeneralAssembly, choices: dict) -> dict:
    """A complete, well-formed ballot for the assembly's items, or a ValidationError naming the
    item: every voted item gets for, against, abstention or blank; every candidate of an
    election for, against or abstention, with no more "for" than seats."""
    clean: dict = {"items": {}, "candidates": {}}
    errors = {}
    items = choices.get("items", {}) if isinstance(choices, dict) else {}
    candidates = choices.get("candidates", {}) if isinstance(choices, dict) else {}
    for item in assembly.items.prefetch_related("candidates"):
        key = str(item.pk)
        if item.kind == Kind.INFORMATION:
            continue
        if item.kind == Kind.ELECTION:
            given = candidates.get(key) or {}
            picked = {}
            for candidate in item.candidates.all():
                value = given.get(str(candidate.pk))
                if value not in CANDIDATE_CHOICES:
                    errors[f"item_{key}"] = _(
                        "Item %(n)s: choose for, against or abstention for each candidate."
                    ) % {"n": item.position}
                    break
                picked[str(candidate.pk)] = value
            else:
                if sum(1 for v in picked.values() if v == Choice.FOR) > item.seats:
                    errors[f"item_{key}"] = _(
                        "Item %(n)s: at most %(seats)s candidates can get your vote."
                    ) % {"n": item.position, "seats": item.seats}
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
    now = _now(now)
    represented = for_member or voter
    clean = clean_choices(assembly=assembly, choices=choices)
    with transaction.atomic():
        assembly = _lock_assembly(assembly)
        if not voting_is_open(assembly, now):
            raise ValidationError(_("The online vote is not open."))
        if not on_roll(assembly, represented):
            raise ValidationError(why_not_on_roll(assembly, represented))
        proxy = None
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
        else:
            if not on_roll(assembly, voter):
                raise ValidationError(why_not_on_roll(assembly, voter))
            # A giver who votes online themselves cancels their proxy.
            for given in Proxy.objects.select_for_update().filter(
                assembly=assembly, giver=voter, status__in=Proxy.ACTIVE
            ):
                given.status = Proxy.Status.CANCELLED
                given.reason = "voted online themselves"
                given.decided_at = now
                given.save(update_fields=["status", "reason", "decided_at"])
                audit_log(
                    actor=voter.user,
                    action="proxy_cancelled",
                    obj=given,
                    reason="voted online themselves",
                )
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
        _receipt_emails(assembly=assembly, voter=voter, represented=represented, receipt=receipt)
    return Cast(receipt=receipt, position=position)


def _receipt_emails(*, assembly, voter: Member, represented: Member, receipt: str) -> None:
    context = {"assembly": assembly, "receipt": receipt, "voter": voter, "represented": represented}
    send_on_commit(
        folder=EMAILS,
        template="receipt",
        to=member_address(voter),
        language=voter.preferred_language,
        context=context,
    )
    if represented.pk != voter.pk:
        send_on_commit(
            folder=EMAILS,
            template="proxy_used",
            to=member_address(represented),
            language=represented.preferred_language,
            context=context,
        )


# --- proxies ------------------------------------------------------------------------------------


def proxy_give(
    *, assembly: GeneralAssembly, giver: Member, holder: Member, now: datetime | None = None
) -> Proxy:
    """The giver asks `holder` to vote for them. Both must be on the roll and not have voted;
    the holder may hold at most the statutes' cap of proxies."""
    now = _now(now)
    with transaction.atomic():
        assembly = _lock_assembly(assembly)
        if assembly.status not in (Status.CONVENED, Status.VOTING_OPEN) or (
            now >= assembly.voting_closes_at
        ):
            raise ValidationError(_("Proxies can be given between convening and closing."))
        if giver.pk == holder.pk:
            raise ValidationError({"holder": _("You can't give a proxy to yourself.")})
        if not on_roll(assembly, giver):
            raise ValidationError(why_not_on_roll(assembly, giver))
        if not on_roll(assembly, holder):
            raise ValidationError({"holder": _("This member is not on the voter roll.")})
        if Participation.objects.filter(assembly=assembly, member=giver).exists():
            raise ValidationError(_("You have already voted."))
        if Proxy.objects.filter(
            assembly=assembly, giver=giver, status__in=[*Proxy.ACTIVE, Proxy.Status.USED]
        ).exists():
            raise ValidationError(_("You have already given a proxy for this assembly."))
        if Proxy.objects.filter(
            assembly=assembly, giver=holder, status__in=[*Proxy.ACTIVE, Proxy.Status.USED]
        ).exists():
            raise ValidationError({"holder": _("This member has given their own proxy.")})
        _check_cap(assembly, holder)
        proxy = Proxy.objects.create(assembly=assembly, giver=giver, holder=holder)
        audit_log(actor=giver.user, action="proxy_given", obj=proxy)
    send_on_commit(
        folder=EMAILS,
        template="proxy_asked",
        to=member_address(holder),
        language=holder.preferred_language,
        context={"assembly": assembly, "giver": giver},
    )
    return proxy


def _check_cap(assembly: GeneralAssembly, holder: Member, exclude: Proxy | None = None) -> None:
    held = Proxy.objects.filter(
        assembly=assembly,
        holder=holder,
        status__in=[Proxy.Status.ACCEPTED, Proxy.Status.VALIDATED, Proxy.Status.USED],
    )
    if exclude is not None:
        held = held.exclude(pk=exclude.pk)
    cap = int(assembly.rules.get("proxy_cap", 1))
    if held.count() >= cap:
        raise ValidationError(
            {"holder": _("A member can hold %(cap)s proxies at most (statutes).") % {"cap": cap}}
        )


def _proxy_locked(proxy: Proxy, expected: list[str]) -> tuple[GeneralAssembly, Proxy]:
    assembly = _lock_assembly(proxy.assembly)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.status not in expected:
        raise ValidationError(
            _("This proxy is %(status)s.") % {"status": proxy.get_status_display()}
        )
    if assembly.status not in (Status.CONVENED, Status.VOTING_OPEN):
        raise ValidationError(_("Proxies can be given between convening and closing."))
    return assembly, proxy


def proxy_answer(
    *, proxy: Proxy, holder: Member, accept: bool, now: datetime | None = None
) -> Proxy:
    """The holder accepts (within the cap) or declines a proxy given to them."""
    if proxy.holder_id != holder.pk:
        raise PermissionDenied(_("This proxy was not given to you."))
    with transaction.atomic():
        assembly, proxy = _proxy_locked(proxy, [Proxy.Status.GIVEN])
        if accept:
            _check_cap(assembly, holder, exclude=proxy)
        proxy.status = Proxy.Status.ACCEPTED if accept else Proxy.Status.DECLINED
        proxy.save(update_fields=["status"])
        audit_log(
            actor=holder.user, action="proxy_accepted" if accept else "proxy_declined", obj=proxy
        )
    return proxy


def proxy_decide(
    *, proxy: Proxy, by, validate: bool, reason: str = "", now: datetime | None = None
) -> Proxy:
    """An advisor validates an accepted proxy (before the window closes), or refuses it with a
    reason."""
    require_staff(by)
    now = _now(now)
    if not validate and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the proxy is refused.")})
    with transaction.atomic():
        assembly, proxy = _proxy_locked(proxy, [Proxy.Status.ACCEPTED])
        if now >= assembly.voting_closes_at:
            raise ValidationError(_("The vote is closed: proxies can no longer be validated."))
        if (
            validate
            and Participation.objects.filter(assembly=assembly, member=proxy.giver).exists()
        ):
            raise ValidationError(_("The giver has already voted."))
        proxy.status = Proxy.Status.VALIDATED if validate else Proxy.Status.REFUSED
        proxy.decided_at = now
        proxy.decided_by = by
        proxy.reason = (reason or "").strip()
        proxy.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        audit_log(
            actor=by,
            action="proxy_validated" if validate else "proxy_refused",
            obj=proxy,
            reason=proxy.reason,
        )
    return proxy


def proxy_cancel(*, proxy: Proxy, giver: Member, now: datetime | None = None) -> Proxy:
    """The giver takes their proxy back while it is not used."""
    if proxy.giver_id != giver.pk:
        raise PermissionDenied(_("This proxy is not yours."))
    with transaction.atomic():
        _assembly, proxy = _proxy_locked(proxy, Proxy.ACTIVE)
        proxy.status = Proxy.Status.CANCELLED
        proxy.decided_at = _now(now)
        proxy.save(update_fields=["status", "decided_at"])
        audit_log(actor=giver.user, action="proxy_cancelled", obj=proxy)
    return proxy


# --- the meeting: attendance and paper totals -----------------------------------------------


def attendance_record(*, assembly: GeneralAssembly, member: Member, by) -> Participation:
    """An advisor records a member present in the room (they vote on paper or by show of
    hands). Refused for a member who already took part online or by proxy."""
    require_staff(by)
    with transaction.atomic():
        assembly = _lock_assembly(assembly)
        if assembly.status not in (Status.CONVENED, Status.VOTING_OPEN, Status.CLOSED) or (
            assembly.tallied_at
        ):
            raise ValidationError(_("Attendance is recorded between convening and the count."))
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
        for given in Proxy.objects.select_for_update().filter(
            assembly=assembly, giver=member, status__in=Proxy.ACTIVE
        ):
            given.status = Proxy.Status.CANCELLED
            given.reason = "present in person"
            given.save(update_fields=["status", "reason"])
            audit_log(actor=by, action="proxy_cancelled", obj=given, reason=given.reason)
        audit_log(
            actor=by, action="attendance_recorded", obj=assembly, changes={"member": member.number}
        )
    return participation


def paper_totals_enter(
    *,
    item: AgendaItem,
    by,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    blank: int = 0,
    candidate: ElectionCandidate | None = None,
) -> PaperTally:
    """An advisor enters the totals of the vote in the room for an item (or a candidate):
    never more ballots than members recorded present."""
    require_staff(by)
    if item.kind == Kind.INFORMATION:
        raise ValidationError(_("This item takes no vote."))
    if (item.kind == Kind.ELECTION) != (candidate is not None):
        raise ValidationError({"candidate": _("Election totals are entered per candidate.")})
    if candidate is not None and candidate.item_id != item.pk:
        raise ValidationError({"candidate": _("This candidate stands in another election.")})
    counts = [votes_for, votes_against, abstentions, blank]
    if any(c is None or c < 0 for c in counts):
        raise ValidationError(_("Totals are whole numbers, zero or more."))
    with transaction.atomic():
        assembly = _lock_assembly(item.assembly)
        if assembly.status not in (Status.CONVENED, Status.VOTING_OPEN, Status.CLOSED) or (
            assembly.tallied_at
        ):
            raise ValidationError(_("Totals are entered between convening and the count."))
        present = Participation.objects.filter(assembly=assembly, channel=Channel.IN_PERSON).count()
        if sum(counts) > present:
            raise ValidationError(
                _("%(total)s votes for %(present)s members recorded present.")
                % {"total": sum(counts), "present": present}
            )
        tally, _created = PaperTally.objects.update_or_create(
            item=item,
            candidate=candidate,
            defaults={
                "votes_for": votes_for,
                "votes_against": votes_against,
                "abstentions": abstentions,
                "blank": blank,
                "entered_by": by,
            },
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


# --- what the board sees while the vote is open ---------------------------------------------

SUPPRESS_BELOW = 10


def _suppressed(count: int) -> int | None:
    """Groups of fewer than SUPPRESS_BELOW people are not shown (None)."""
    return count if count >= SUPPRESS_BELOW else None


def participation_figures(*, assembly: GeneralAssembly) -> dict:
    """How many took part, by day, by channel and by category: never how anyone voted.
    Groups under SUPPRESS_BELOW are suppressed."""
    from django.db.models import Count, OuterRef, Subquery

    participations = Participation.objects.filter(assembly=assembly)
    category = VoterRollEntry.objects.filter(assembly=assembly, member=OuterRef("member")).values(
        "category"
    )[:1]
    by_day = participations.values("day").annotate(n=Count("id")).order_by("day")
    by_channel = participations.values("channel").annotate(n=Count("id")).order_by("channel")
    by_category = (
        participations.annotate(category=Subquery(category))
        .values("category")
        .annotate(n=Count("id"))
        .order_by("category")
    )
    total = participations.count()
    channels = dict(Channel.choices)
    return {
        "eligible": assembly.roll_size,
        "total": total,
        "by_day": [(row["day"], _suppressed(row["n"])) for row in by_day],
        "by_channel": [
            (channels.get(row["channel"], row["channel"]), _suppressed(row["n"]))
            for row in by_channel
        ],
        "by_category": [(row["category"], _suppressed(row["n"])) for row in by_category],
    }
