"""Stub on the g-board branch: the lead's governance/services.py (assemblies, agenda, roll,
proxies, ballots) replaces this file at the merge. Only `agenda_item_add`, with the lead's
signature, is here so that a cooptation can put its ratification on the next agenda."""

from django.db import transaction
from django.db.models import Max

from smartcoop.audit import audit_log

from .models import AgendaItem, GeneralAssembly, Mandate


@transaction.atomic
def agenda_item_add(
    *,
    assembly: GeneralAssembly,
    title: str,
    kind: str,
    text: str = "",
    seats: int = 0,
    mandate: Mandate | None = None,
    by,
) -> AgendaItem:
    """Add an item at the end of a draft assembly's agenda (stub: no wording lock here)."""
    assembly = GeneralAssembly.objects.select_for_update().get(pk=assembly.pk)
    last = assembly.items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        assembly=assembly,
        position=last + 1,
        title=title,
        kind=kind,
        text=text,
        seats=seats,
        mandate=mandate,
    )
    audit_log(actor=by, action="agenda_item.added", obj=item, changes={"kind": kind})
    return item
