"""Preparing an assembly: the draft, its agenda, the candidates of its elections, its documents.

Everything here is refused once the assembly is convened (`check_draft`): the wording voted on
is the wording members read in the convocation.
"""

import hashlib
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.roles import require_board
from members.models import Member, User

from ..models import (
    AgendaDocument,
    AgendaItem,
    Candidacy,
    ElectionCandidate,
    GeneralAssembly,
    Mandate,
)
from ..selectors import pending_ratifications
from .base import check_changeable, lock_assembly

Status = GeneralAssembly.Status
Kind = AgendaItem.Kind

EDITABLE_FIELDS = ("title", "text", "kind", "seats", "position")
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


def assembly_create(
    *,
    kind: str,
    title: str,
    date: date,
    notice_date: date,
    record_date: date,
    voting_opens_at: datetime,
    voting_closes_at: datetime,
    by: User,
    place: str = "",
    online: bool = True,
) -> GeneralAssembly:
    """A draft assembly. An ordinary one gets the ratification of every co-opted mandate still
    waiting for one."""
    require_board(by)
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
        created_by=account_or_none(by),
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


def add_pending_ratifications(*, assembly: GeneralAssembly, by: User) -> list[AgendaItem]:
    """A "ratify the cooptation of X" item for each co-opted mandate waiting for one and not yet
    on an agenda (draft assemblies only)."""
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


def check_draft(
    assembly: GeneralAssembly,
    *,
    by: User | None = None,
    obj: models.Model | None = None,
    attempted: dict | None = None,
) -> None:
    """Refuse any change to a convened assembly's agenda; a refused change of `obj`'s wording
    is itself recorded in the audit trail."""
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


def assembly_change(*, assembly: GeneralAssembly, by: User, **fields: object) -> GeneralAssembly:
    """Change a draft assembly's dates, place or title (refused once convened)."""
    require_board(by)
    check_changeable(fields, ASSEMBLY_FIELDS)
    with transaction.atomic():
        locked = lock_assembly(assembly)
        check_draft(locked)
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


def _draft_delete(obj: models.Model, *, assembly: GeneralAssembly, by: User, action: str) -> None:
    """Delete a part of a draft assembly (an item, a candidate, a document), audited."""
    require_board(by)
    with transaction.atomic():
        check_draft(lock_assembly(assembly))
        audit_log(actor=by, action=action, obj=obj)
        obj.delete()


def agenda_item_delete(*, item: AgendaItem, by: User) -> None:
    """Take an item off a draft assembly's agenda."""
    _draft_delete(item, assembly=item.assembly, by=by, action="agenda_item_deleted")


def candidate_remove(*, candidate: ElectionCandidate, by: User) -> None:
    """Take a candidate off a draft assembly's ballot."""
    _draft_delete(candidate, assembly=candidate.item.assembly, by=by, action="candidate_removed")


def agenda_document_remove(*, document: AgendaDocument, by: User) -> None:
    """Take a document off a draft assembly's item."""
    _draft_delete(document, assembly=document.item.assembly, by=by, action="document_removed")


def agenda_document_add(*, item: AgendaItem, title: str, file: File, by: User) -> AgendaDocument:
    """A PDF of a draft assembly's item, kept with its SHA-256."""
    require_board(by)
    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    with transaction.atomic():
        check_draft(lock_assembly(item.assembly))
        document = AgendaDocument(item=item, title=title, sha256=digest)
        document.file.save(str(file.name).rsplit("/", 1)[-1], file, save=True)
        audit_log(actor=by, action="document_added", obj=document, changes={"sha256": digest})
    return document


def _check_item(kind: str, seats: int, mandate: Mandate | None) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind of decision.")})
    if kind == Kind.ELECTION and seats < 1:
        raise ValidationError({"seats": _("An election fills at least one seat.")})
    if kind == Kind.RATIFICATION and mandate is None:
        raise ValidationError({"mandate": _("A ratification is about a co-opted mandate.")})


def agenda_item_add(
    *,
    assembly: GeneralAssembly,
    title: str,
    kind: str,
    by: User,
    text: str = "",
    seats: int = 0,
    mandate: Mandate | None = None,
) -> AgendaItem:
    """An item at the end of a draft assembly's agenda."""
    check_draft(assembly)
    _check_item(kind, seats, mandate)
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


def agenda_item_change(*, item: AgendaItem, by: User, **fields: object) -> AgendaItem:
    """Change an item's wording while the assembly is a draft; refused (and audited) after."""
    check_changeable(fields, EDITABLE_FIELDS)
    changes = {k: [getattr(item, k), v] for k, v in fields.items() if getattr(item, k) != v}
    check_draft(item.assembly, by=by, obj=item, attempted=changes)
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
    by: User,
    representative_name: str = "",
    statement: str = "",
    candidacy: Candidacy | None = None,
) -> ElectionCandidate:
    """A candidate on the ballot of a draft assembly's election."""
    check_draft(item.assembly)
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
