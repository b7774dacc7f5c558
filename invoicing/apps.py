from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _holds_unit_of(request, obj) -> bool:
    from production_units.models import ProductionUnit

    return ProductionUnit.objects.held_by(request.user).filter(pk=obj.unit_id).exists()


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self):
        from smartcoop.files import private_file_owner

        # A stored file goes to the members who see its document in the portal (and to staff).
        private_file_owner("invoicing.Invoice", "invoicing.views_invoices.get_own_invoice_or_404")
        private_file_owner("invoicing.Quote", "invoicing.views_quotes.get_own_quote_or_404")
        private_file_owner("invoicing.InvoiceBranding", _holds_unit_of)
