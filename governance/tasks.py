"""Celery tasks of governance: thin, they load ids and call a service. The services announce
what should follow (governance/signals.py); the receivers here enqueue it after the commit
(governance/apps.py connects them)."""

from typing import Any

from celery import shared_task
from django.db import transaction

from .minutes import minutes_render
from .models import GeneralAssembly
from .notices import convocations_send, reminders_send_due
from .services.voting import assembly_sync_status


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_convocations(assembly_id: int) -> int:
    """The convocation to every member on the roll, in their language (idempotent per member
    through the assembly's convocation log)."""
    return convocations_send(assembly=GeneralAssembly.objects.get(pk=assembly_id))


@shared_task
def advance_assemblies() -> None:
    """Open and close online votes whose time has come, and send the reminders that are due."""
    for assembly in GeneralAssembly.objects.filter(
        status__in=[GeneralAssembly.Status.CONVENED, GeneralAssembly.Status.VOTING_OPEN]
    ):
        assembly_sync_status(assembly=assembly)
    reminders_send_due()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_minutes(assembly_id: int) -> None:
    """The minutes PDF of a counted assembly (idempotent: kept once written)."""
    minutes_render(assembly=GeneralAssembly.objects.get(pk=assembly_id))


def convocations_after_commit(sender: type, assembly: GeneralAssembly, **kwargs: Any) -> None:
    """Receiver of `assembly_convened`: the convocations leave once the convening is saved."""
    transaction.on_commit(lambda: send_convocations.delay(assembly.pk), robust=True)


def minutes_after_commit(sender: type, assembly: GeneralAssembly, **kwargs: Any) -> None:
    """Receiver of `assembly_counted`: the minutes are rendered once the count is saved."""
    transaction.on_commit(lambda: render_minutes.delay(assembly.pk), robust=True)
