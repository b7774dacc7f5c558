"""The members app's tasks: thin, they re-fetch by id and call one function. Celery's
autodiscovery imports this module, which registers the notification e-mail task too."""

from celery import shared_task

from .models import ShareCertificate
from .notifications import tasks as notification_tasks  # noqa: F401 (registers its tasks)
from .pdf import certificate_render


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_share_certificate(certificate_id: int) -> None:
    """Render a share certificate's PDF (idempotent: a ready certificate is kept)."""
    certificate_render(certificate=ShareCertificate.objects.get(pk=certificate_id))
