"""The back-office's admin site: Django's own, with two things every page of it does made cheap.

- The menu of every page (`get_app_list`, about 70 models): Django sorts the apps and models by
  their lazy translated names, so each comparison translates both names again (a third of the
  menu's time, profiled on the invoice list). Here each name is translated once, then sorted.
  Django also reverses each model's list and add URLs and each app's URL on every page (about
  110 reversals, 40 % of the menu's time): here they are reversed once per process and URL
  configuration. Who sees which model is still asked on every page, as Django does. (The
  sidebar that shows the menu is written once per menu: core/templatetags/admin_menu.py.)
- The checkbox of each row of a list: Django renders it through the form widget templates
  (about a tenth of a list page of 25 invoices, profiled). Here it is written directly, the
  same element: name, value, class and label.
- The link of each row of a filtered list: Django reverses the change URL per row, then
  resolves that URL against the whole admin URL configuration to decide which filters to
  keep (`add_preserved_filters`: 50 resolutions on a page of 25 members with two link
  columns, profiled). Here the URL is reversed once per page and the list's filters appended
  as Django would (`RowLinksChangeList`): the same links.

`core.apps.CoopAdminConfig` makes it the default site (`admin.site`), so every admin
registered anywhere (ours and the libraries') gets both.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import Model
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

from core.types import StrOrPromise


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


# Stands for the primary key in the change URL reversed once per page (a path segment of the
# admin's `<path:object_id>/change/`; the fast way is only taken for integer keys).
_PK = "__row_pk__"


class RowLinksChangeList(ChangeList):
    """Django's change list, its row links made once per page (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What Django's `add_preserved_filters` appends to a change URL: the list's own
        # filters under `_changelist_filters` (a row's URL is never the list's own). Appended
        # here, so the template tag, given no filters, leaves the URL as it is.
        self.row_query, self.preserved_filters = self.preserved_filters, ""
        self._change_url: str | None = None

    def url_for_result(self, result: Model) -> str:
        pk = getattr(result, self.pk_attname)
        if not isinstance(pk, int):
            # A text key is quoted by reverse() too: Django's own way, per row.
            url = super().url_for_result(result)
            return f"{url}?{self.row_query}" if self.row_query else url
        if self._change_url is None:
            opts = self.opts
            self._change_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=(_PK,),
                current_app=self.model_admin.admin_site.name,
            )
        url = self._change_url.replace(_PK, str(pk))
        return f"{url}?{self.row_query}" if self.row_query else url


class RowLinksMixin:
    """The change list with its row links made once per page (see the module)."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RowLinksChangeList


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
        # The same class with the light checkbox and row links first in its order: its name,
        # module and checks are the class's own (an admin with its own checkbox or change
        # list keeps it; the platform's own change lists build on RowLinksChangeList).
        mixins: tuple[type, ...] = ()
        if admin_class.action_checkbox is admin.ModelAdmin.action_checkbox:
            mixins += (RowCheckboxMixin,)
        if admin_class.get_changelist is admin.ModelAdmin.get_changelist:
            mixins += (RowLinksMixin,)
        if mixins:
            admin_class = type(
                admin_class.__name__,
                (*mixins, admin_class),
                {
                    "__module__": admin_class.__module__,
                    "__qualname__": admin_class.__qualname__,
                    "__doc__": admin_class.__doc__,
                },
            )
        super().register(model_or_iterable, admin_class, **options)

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        # (view name, its arguments, script prefix, URL configuration) → URL, or None when
        # the view has no URL: the menu's links, the same for every request of a deployment.
        self._menu_urls: dict[tuple[str, tuple, str, Any], str | None] = {}

    def _menu_url(self, view: str, **kwargs: str) -> str | None:
        key = (view, tuple(kwargs.items()), get_script_prefix(), get_urlconf())
        if key not in self._menu_urls:
            try:
                url: str | None = reverse(f"admin:{view}", kwargs=kwargs, current_app=self.name)
            except NoReverseMatch:
                url = None
            self._menu_urls[key] = url
        return self._menu_urls[key]

    def _build_app_dict(
        self, request: HttpRequest, label: StrOrPromise | None = None
    ) -> dict[str, dict[str, Any]]:
        """Django's apps and models the user may see, each with the permissions asked of its
        admin for this request and the same keys as Django's; the URLs from `_menu_url`."""
        app_dict: dict[str, dict[str, Any]] = {}
        for model, model_admin in self._registry.items():
            app_label, model_name = model._meta.app_label, model._meta.model_name
            if label and app_label != label:
                continue
            if not model_admin.has_module_permission(request):
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            model_dict: dict[str, Any] = {
                "model": model,
                "name": capfirst(model._meta.verbose_name_plural),
                "object_name": model._meta.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = self._menu_url(f"{app_label}_{model_name}_changelist")
            if perms.get("add"):
                model_dict["add_url"] = self._menu_url(f"{app_label}_{model_name}_add")
            if app_label not in app_dict:
                app_dict[app_label] = {
                    "name": apps.get_app_config(app_label).verbose_name,
                    "app_label": app_label,
                    "app_url": self._menu_url("app_list", app_label=app_label),
                    "has_module_perms": True,
                    "models": [],
                }
            app_dict[app_label]["models"].append(model_dict)
        return app_dict

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        app_dicts = self._build_app_dict(request, app_label).values()
        for app in app_dicts:
            app["name"] = str(app["name"])
            for model in app["models"]:
                model["name"] = str(model["name"])
        app_list = sorted(app_dicts, key=lambda app: app["name"].lower())
        for app in app_list:
            app["models"].sort(key=lambda model: model["name"])
        return app_list
