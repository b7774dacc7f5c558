from celery import shared_task


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_share_certificate(certificate_id: int) -> None:
    """Render a share certificate's PDF (idempotent: a ready certificate is kept)."""
    from .models import ShareCertificate
    from .share_services import certificate_render

    certificate_render(certificate=ShareCertificate.objects.get(pk=certificate_id))
