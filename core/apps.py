from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares and that depends on no app (issue 15): the office rule, roles."""

    name = "core"
    verbose_name = _("Core")
