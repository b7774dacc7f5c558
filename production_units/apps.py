from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionUnitsConfig(AppConfig):
    name = "production_units"
    verbose_name = _("Production units")
