from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The member portal's own pages that gather every app (the home page): the top layer."""

    name = "portal"
    verbose_name = _("Member portal")

    def ready(self) -> None:
        # inside: the models are ready only now
        from members.models import Member
        from members.selectors import register_years_of_use
        from payroll.models import Worker
        from production_units.models import ProductionUnit

        from .menu import menu_facts
        from .usage import invoiced_years

        register_years_of_use(invoiced_years)
        # The menu's facts (portal.menu) follow the units, members and workers, by any path.
        menu_facts.follow(ProductionUnit, Member, Worker)
