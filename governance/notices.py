"""E-mails of an assembly to its whole roll: the convocation, and one reminder to those who
have not voted yet, N days before the vote closes (statutes' policy). Each in the member's
language; sent in batches so that 45,000 members don't hold one connection or one
transaction."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from members.emails import decision_email, member_address

from .models import GeneralAssembly, Participation, VoterRollEntry

BATCH = 500
FOLDER = "governance/email/"


def _link(assembly: GeneralAssembly) -> str:
    return settings.SITE_URL + reverse("portal:assembly_detail", args=[assembly.pk])


def _send(assembly: GeneralAssembly, entries, template: str) -> int:
    context = {
        "assembly": assembly,
        "items": list(assembly.items.all()),
        "link": _link(assembly),
        "opens": timezone.localtime(assembly.voting_opens_at),
        "closes": timezone.localtime(assembly.voting_closes_at),
    }
    messages = []
    for entry in entries:
        to = member_address(entry.member)
        if to:
            messages.append(
                decision_email(
                    template=template,
                    to=to,
                    language=entry.member.preferred_language,
                    context={**context, "member": entry.member},
                    folder=FOLDER,
                )
            )
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def convocations_send(*, assembly: GeneralAssembly) -> int:
    """The convocation to every member on the roll not yet convened; returns how many left."""
    sent = 0
    while True:
        with transaction.atomic():
            locked = GeneralAssembly.objects.select_for_update().get(pk=assembly.pk)
            batch = list(
                VoterRollEntry.objects.filter(assembly=locked, pk__gt=locked.convocations_sent_upto)
                .select_related("member__user")
                .order_by("pk")[:BATCH]
            )
            if not batch:
                return sent
            sent += _send(locked, batch, "convocation")
            locked.convocations_sent_upto = batch[-1].pk
            locked.save(update_fields=["convocations_sent_upto"])


def reminders_send_due(now: datetime | None = None) -> int:
    """The one reminder of each open vote that closes within its policy's reminder days, to the
    members on the roll who have not taken part. Marked sent before sending: once, never twice."""
    now = now or timezone.now()
    sent = 0
    for assembly in GeneralAssembly.objects.filter(
        status__in=[GeneralAssembly.Status.CONVENED, GeneralAssembly.Status.VOTING_OPEN],
        reminders_sent_at__isnull=True,
        voting_opens_at__lte=now,
        voting_closes_at__gt=now,
    ):
        days = int(assembly.rules.get("reminder_days", 0))
        if not days or now < assembly.voting_closes_at - timedelta(days=days):
            continue
        with transaction.atomic():
            updated = GeneralAssembly.objects.filter(
                pk=assembly.pk, reminders_sent_at__isnull=True
            ).update(reminders_sent_at=now)
        if not updated:
            continue
        voted = Participation.objects.filter(assembly=assembly).values("member_id")
        entries = (
            VoterRollEntry.objects.filter(assembly=assembly)
            .exclude(member_id__in=voted)
            .select_related("member__user")
            .order_by("pk")
        )
        batch = []
        for entry in entries.iterator(chunk_size=BATCH):
            batch.append(entry)
            if len(batch) == BATCH:
                sent += _send(assembly, batch, "reminder")
                batch = []
        if batch:
            sent += _send(assembly, batch, "reminder")
    return sent
