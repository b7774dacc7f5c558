"""Convening and the voter roll: the statutes' rules frozen on the assembly and its items, the
roll frozen from the share register at the record date (with its SHA-256), the tellers' key;
afterwards, a forgotten member added to the roll with a reason."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.roles import require_board, require_staff
from members.models import Member, User
from members.selectors import voter_roll

from .. import sealing
from ..models import AgendaItem, GeneralAssembly, VoterRollEntry
from ..selectors import governance_policy_on
from ..signals import assembly_convened
from .assemblies import check_draft
from .base import lock_assembly, resolve_now

Status = GeneralAssembly.Status
Kind = AgendaItem.Kind


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


def _check_agenda(items: list[AgendaItem]) -> None:
    if not items:
        raise ValidationError(_("The agenda is empty."))
    for item in items:
        if item.kind == Kind.ELECTION and not item.candidates.exists():
            raise ValidationError(
                _("Item %(n)s is an election without candidates.") % {"n": item.position}
            )


def _freeze_rules(assembly: GeneralAssembly, items: list[AgendaItem]) -> dict:
    """The statutes' rules of the assembly's day, checked against its voting window and frozen
    on each item."""
    rules = governance_policy_on(assembly.date).frozen()
    _check_window(assembly, rules)
    for item in items:
        item.rule = item_rule(item.kind, rules)
        item.save(update_fields=["rule"])
    return rules


def _freeze_roll(assembly: GeneralAssembly) -> list[VoterRollEntry]:
    """The members in good standing at the record date, whatever their number of shares."""
    entries = [
        VoterRollEntry(
            assembly=assembly,
            member_id=member.pk,
            # Admitted members all have a number; voter_roll annotates `category_at`, the
            # category on the record date.
            number=cast(int, member.number),
            category=getattr(member, "category_at", None) or member.category,
        )
        for member in voter_roll(at=assembly.record_date).only("pk", "number", "category")
    ]
    VoterRollEntry.objects.bulk_create(entries, batch_size=5000)
    return entries


@dataclass(frozen=True)
class Convened:
    assembly: GeneralAssembly
    key_file: str


def assembly_convene(
    *, assembly: GeneralAssembly, by: User, now: datetime | None = None
) -> Convened:
    """Convene: the statutes' rules and each item's rule frozen, the wording locked, the roll
    frozen from the share register at the record date with its SHA-256, and a key pair made
    for the tellers. Returns the private key file: it is not stored anywhere, hand it to the
    tellers. Convocation e-mails leave after the commit."""
    require_board(by)
    now = resolve_now(now)
    with transaction.atomic():
        assembly = lock_assembly(assembly)
        check_draft(assembly)
        items = list(assembly.items.all())
        _check_agenda(items)
        rules = _freeze_rules(assembly, items)
        entries = _freeze_roll(assembly)
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
        assembly_convened.send(sender=GeneralAssembly, assembly=assembly)
    key_file = sealing.key_file_text(
        assembly_id=assembly.pk, title=assembly.title, private=private, public_hex=public_hex
    )
    del private
    return Convened(assembly=assembly, key_file=key_file)


def roll_correct(
    *, assembly: GeneralAssembly, member: Member, reason: str, by: User
) -> VoterRollEntry:
    """Add a member forgotten on a frozen roll (an advisor, with a reason); the roll's hash is
    recomputed and both hashes are kept in the audit trail."""
    require_staff(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the roll is corrected.")})
    with transaction.atomic():
        assembly = lock_assembly(assembly)
        if assembly.status not in (Status.CONVENED, Status.VOTING_OPEN):
            raise ValidationError(_("The roll can be corrected between convening and closing."))
        if on_roll(assembly, member):
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
