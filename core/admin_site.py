"""The back-office's admin site: Django's own, with two things every page of it does made cheap.

- The menu of every page (`get_app_list`, about 70 models): Django sorts the apps and models by
  their lazy translated names, so each comparison translates both names again (a third of the
  menu's time, profiled on the invoice list). Here each name is translated once, then sorted.
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

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
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
