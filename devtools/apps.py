from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """The demo, the generated dataset at Smart's size and the benchmarks: they build every
    app's rows, so they sit above every app and nothing imports them."""

    name = "devtools"
    verbose_name = _("Development tools")
