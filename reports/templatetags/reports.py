"""The back-office's way to the dashboards: `{% dashboards_link %}` on the admin index, for
those who may see them (reports.access.may_see_dashboards), nothing for the others."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ..access import may_see_dashboards

register = template.Library()


@register.inclusion_tag("reports/_index_link.html", takes_context=True)
def dashboards_link(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"url": reverse("reports:index") if may_see_dashboards(user) else ""}
