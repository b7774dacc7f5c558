"""The members app's tasks: thin, they re-fetch by id and call one function."""

from celery import shared_task

from .models import ShareCertificate
from .pdf import certificate_render


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_share_certificate(certificate_id: int) -> None:
    """Render a share certificate's PDF (idempotent: a ready certificate is kept)."""
    certificate_render(certificate=ShareCertificate.objects.get(pk=certificate_id))
