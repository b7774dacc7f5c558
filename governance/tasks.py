"""Background work of assemblies: convocations, the reminder, the voting window, the minutes."""

from celery import shared_task


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_convocations(assembly_id: int) -> int:
    """The convocation to every member on the roll, in their language (idempotent per member
    through the assembly's convocation log)."""
    from .models import GeneralAssembly
    from .notices import convocations_send

    return convocations_send(assembly=GeneralAssembly.objects.get(pk=assembly_id))


@shared_task
def advance_assemblies() -> None:
    """Open and close online votes whose time has come, and send the reminders that are due."""
    from .models import GeneralAssembly
    from .notices import reminders_send_due
    from .services import assembly_sync_status

    for assembly in GeneralAssembly.objects.filter(
        status__in=[GeneralAssembly.Status.CONVENED, GeneralAssembly.Status.VOTING_OPEN]
    ):
        assembly_sync_status(assembly=assembly)
    reminders_send_due()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_minutes(assembly_id: int) -> None:
    """The minutes PDF of a counted assembly (idempotent: kept once written)."""
    from .minutes import minutes_render
    from .models import GeneralAssembly

    minutes_render(assembly=GeneralAssembly.objects.get(pk=assembly_id))
