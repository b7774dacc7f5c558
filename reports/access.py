"""Who sees the dashboards, written once for every page and export: the board, the admin
role and superusers see every office (and the sections for the whole cooperative); an
advisor sees their own office only; anyone else is refused (anonymous users are sent to
the back-office login)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.roles import is_staff, sees_everything
from core.types import AnyUser
from members.models import Office
from production_units.models import Sector

from .figures import SECTIONS, Scope


def may_see_dashboards(user: AnyUser | None) -> bool:
    """The one rule of who reaches the dashboards at all: an active back-office account that
    sees every office, or that has an office of its own (an advisor)."""
    if not is_staff(user) or not getattr(user, "is_active", False):
        return False
    return sees_everything(user) or getattr(user, "office_id", None) is not None


def _chosen(model: type[Office] | type[Sector], raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not model.objects.filter(pk=int(raw)).exists():
        raise PermissionDenied
    return int(raw)


def dashboard_scope(request: HttpRequest, section: str | None = None) -> Scope:
    """The office and sector the request may see, from its `office` and `sector` parameters.
    Raises PermissionDenied for a user who may not see the dashboards, an office that is not
    theirs, or a section that is for the whole cooperative only."""
    user = request.user
    if not may_see_dashboards(user):
        raise PermissionDenied
    office = _chosen(Office, request.GET.get("office"))
    sector = _chosen(Sector, request.GET.get("sector"))
    if not sees_everything(user):
        own = getattr(user, "office_id", None)
        if own is None or office not in (None, own):
            raise PermissionDenied
        office = own
    if section is not None:
        spec = SECTIONS[section]
        if office is not None and not spec.by_office:
            raise PermissionDenied
        if not spec.by_sector:
            sector = None
    return Scope(office, sector)


def may_see_scope(request: HttpRequest, office_id: int | None) -> bool:
    """May the user see the figures of this office (None: the whole cooperative)?"""
    user = request.user
    if not may_see_dashboards(user):
        return False
    return sees_everything(user) or (
        office_id is not None and office_id == getattr(user, "office_id", None)
    )
