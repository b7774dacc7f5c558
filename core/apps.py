from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # inside: core.roles imports the auth models, which can't load while the apps do.
    from .roles import sync_roles

    sync_roles(using=using)


def _forget_cached_answers(sender: AppConfig, **kwargs: Any) -> None:
    # inside: core.cached imports the cache, which reads the settings once the apps load.
    from .cached import forget_everything

    forget_everything()


class CoreConfig(AppConfig):
    """What every app shares and that depends on no app: money, audit, counters, roles and the
    office rule, permissions, the admin kit, PDF, exports, identifiers, encryption, uploads."""

    name = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)

        # Keep the roles' permissions in step when later migrations add models.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="core.sync_roles")
        # A data migration changes rows without the signals core.cached listens to.
        post_migrate.connect(
            _forget_cached_answers, sender=self, dispatch_uid="core.forget_cached_answers"
        )


class CoopAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the platform's site as `admin.site` (core/admin_site.py); named in
    INSTALLED_APPS in place of django.contrib.admin."""

    default = False  # core's own configuration stays CoreConfig

    default_site = "core.admin_site.CoopAdminSite"
