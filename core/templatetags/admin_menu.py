"""The back-office's side menu, rendered once per menu rather than once per page.

Django's sidebar renders `admin/app_list.html` on every admin page: about 70 models, a few
links and translations each (5–7 ms of a 25–40 ms list page, profiled). What it writes depends
only on the menu the user is offered (names and URLs, built per request by the admin site with
the user's permissions, so never reused across users with other rights), the language, and
which app and model the current page belongs to. `nav_app_list` keys the rendered HTML on
exactly those and renders Django's own template on a miss: the same HTML, from the same
inputs, without a cache to invalidate.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django import template
from django.template.defaultfilters import urlencode
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Menus kept per process: a handful of permission profiles × languages × current models.
MAX_MENUS = 256


class _Rendered:
    """A bounded, thread-safe map from a menu's key to its HTML (least recently used out)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            html = self.rows.get(key)
            if html is not None:
                self.rows.move_to_end(key)
            return html

    def put(self, key: tuple, html: str) -> None:
        with self.lock:
            self.rows[key] = html
            self.rows.move_to_end(key)
            while len(self.rows) > self.size:
                self.rows.popitem(last=False)


rendered_menus = _Rendered(MAX_MENUS)


def _within(url: Any, path: str) -> bool:
    """The template's `{% if url in request.path|urlencode %}`: false for a missing URL."""
    return isinstance(url, str) and url in path


def menu_key(app_list: list[dict[str, Any]], path: str) -> tuple:
    """Everything `admin/app_list.html` reads to write the sidebar (show_changelinks off)."""
    return (
        get_language(),
        tuple(
            (
                app["app_label"],
                str(app["name"]),
                app["app_url"],
                _within(app["app_url"], path),
                tuple(
                    (
                        model["object_name"],
                        str(model["name"]),
                        model.get("admin_url"),
                        model.get("add_url"),
                        _within(model.get("admin_url"), path),
                    )
                    for model in app["models"]
                ),
            )
            for app in app_list
        ),
    )


@register.simple_tag(takes_context=True)
def nav_app_list(context: template.Context) -> SafeString:
    """The sidebar's list of apps and models (Django's template), from the memo when this
    user's menu was already written for a page of the same model."""
    request = context.get("request")
    app_list = context.get("available_apps") or []
    key = menu_key(app_list, urlencode(request.path) if request is not None else "")
    html = rendered_menus.get(key)
    if html is None:
        html = render_to_string(
            "admin/app_list.html",
            {"app_list": app_list, "show_changelinks": False, "request": request},
        )
        rendered_menus.put(key, html)
    # Rendered by the template engine, which escaped every name and URL.
    return mark_safe(html)  # noqa: S308
