"""The menu's unread notifications count: one query per request, whatever asks for it."""

from django import template

from members.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    return unread_count(request=request) if request is not None else 0
