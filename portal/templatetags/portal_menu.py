"""{% portal_menu as menu %}: the main menu's entries that apply to the logged-in account."""

from django import template
from django.urls import reverse

from portal.menu import is_current, menu_entries

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_menu(context) -> list[dict]:
    request = context.get("request")
    if request is None:
        return []
    cached = getattr(request, "_portal_menu", None)
    if cached is None:
        match = getattr(request, "resolver_match", None)
        url_name = match.url_name if match else None
        cached = [
            {
                "key": entry.key,
                "label": entry.label,
                "url": reverse(entry.url_name),
                "current": is_current(entry, url_name),
            }
            for entry in menu_entries(user=request.user)
        ]
        # Asked once per request, even when a page includes the menu twice.
        request._portal_menu = cached
    return cached
