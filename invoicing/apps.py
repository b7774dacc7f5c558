from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _holds_unit_of(request, obj) -> bool:
    # inside: apps.py is imported before the app registry is ready, models only after.
    from production_units.models import ProductionUnit

    return ProductionUnit.objects.held_by(request.user).filter(pk=obj.unit_id).exists()


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self):
        # inside ready(): these modules import models, which exist once the registry is ready.
        from core.files import private_file_owner
        from core.uploads import register_field_limit

        from . import tasks  # noqa: F401  (registers the tasks queued by name: queue.py)
        from .branding_services import MAX_LOGO_BYTES
        from .camt053 import MAX_FILE_BYTES as CAMT053_BYTES
        from .inbound import MAX_FILE_SIZE as UBL_BYTES

        # A stored file goes to the members who see its document in the portal (and to staff).
        private_file_owner("invoicing.Invoice", "invoicing.views_invoices.get_own_invoice_or_404")
        private_file_owner("invoicing.Quote", "invoicing.views_quotes.get_own_quote_or_404")
        private_file_owner("invoicing.InvoiceBranding", _holds_unit_of)
        private_file_owner("invoicing.FundingAgreement", _holds_unit_of)

        register_field_limit("logo", MAX_LOGO_BYTES)
        # The back-office's bank statement (camt.053) and supplier invoice (UBL) uploads.
        register_field_limit("file", CAMT053_BYTES)
        register_field_limit("file", UBL_BYTES)
