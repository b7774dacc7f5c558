"""The back-office's admin site: Django's own, with two things every page of it does made cheap.

- The menu of every page (`get_app_list`, about 70 models): Django sorts the apps and models by
  their lazy translated names, so each comparison translates both names again (a third of the
  menu's time, profiled on the invoice list). Here each name is translated once, then sorted.
- The checkbox of each row of a list: Django renders it through the form widget templates
  (about a tenth of a list page of 25 invoices, profiled). Here it is written directly, the
  same element: name, value, class and label.

`core.apps.CoopAdminConfig` makes it the default site (`admin.site`), so every admin
registered anywhere (ours and the libraries') gets both.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext


class RowCheckboxMixin:
    """The changelist's row checkbox without a template per row (see the module)."""

    def action_checkbox(self, obj: Model) -> SafeString:
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class CoopAdminSite(admin.AdminSite):
    site_header = "SmartCoop — back-office"
    site_title = "SmartCoop"

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: Any,
    ) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if admin_class.action_checkbox is admin.ModelAdmin.action_checkbox:
            # The same class with the light checkbox first in its order: its name, module
            # and checks are the class's own (an admin with its own checkbox keeps it).
            admin_class = type(
                admin_class.__name__,
                (RowCheckboxMixin, admin_class),
                {
                    "__module__": admin_class.__module__,
                    "__qualname__": admin_class.__qualname__,
                    "__doc__": admin_class.__doc__,
                },
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        apps = self._build_app_dict(request, app_label).values()
        for app in apps:
            app["name"] = str(app["name"])
            for model in app["models"]:
                model["name"] = str(model["name"])
        app_list = sorted(apps, key=lambda app: app["name"].lower())
        for app in app_list:
            app["models"].sort(key=lambda model: model["name"])
        return app_list
