"""The portal's main menu: which entries apply to whoever is logged in.

One rule (`menu_entries_for`) decides it from three facts about the account, so the menu
of every page and its tests read the same thing: a member without a production unit is not
offered invoices, quotes, clients, work declarations, expenses or accounts (their home says
what to do first); an invited worker who is not a member sees only their calendar and pay.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.cached import SignalCached
from core.permissions import member_of
from payroll.access import is_worker as account_is_worker
from production_units.models import ProductionUnit


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str | Promise
    url_name: str
    # The url names (prefixes) of the pages that light this entry up as the current one.
    current_for: tuple[str, ...]
    needs_unit: bool = False
    for_workers: bool = False


MENU: tuple[MenuEntry, ...] = (
    MenuEntry("home", _("Home"), "portal:home", ("home", "unit_detail")),
    MenuEntry("clients", _("Clients"), "portal:client_list", ("client_",), needs_unit=True),
    MenuEntry("quotes", _("Quotes"), "portal:quote_list", ("quote_",), needs_unit=True),
    MenuEntry(
        "invoices",
        _("Invoices"),
        "portal:invoice_list",
        ("invoice_", "credit_note_"),
        needs_unit=True,
    ),
    MenuEntry("work", _("Work"), "portal:work_job_list", ("work_",), needs_unit=True),
    MenuEntry(
        "calendar",
        _("Calendar"),
        "portal:workers_calendar",
        ("workers_",),
        for_workers=True,
    ),
    MenuEntry("accounts", _("Accounts"), "portal:accounting", ("accounting",), needs_unit=True),
    MenuEntry("expenses", _("Expenses"), "portal:expense_list", ("expense_",), needs_unit=True),
    MenuEntry("pay", _("Pay"), "portal:pay_payslip_list", ("pay_",), for_workers=True),
    MenuEntry("shares", _("Shares"), "portal:membership_shares", ("membership_",)),
    MenuEntry(
        "assemblies",
        _("Assemblies"),
        "portal:assembly_list",
        ("assembly_", "proxy_", "governance_"),
    ),
)


def menu_entries_for(*, is_member: bool, holds_unit: bool, is_worker: bool) -> list[MenuEntry]:
    """The entries that apply, in menu order: a member sees the members' entries, and those
    of a unit only while holding one; the calendar and pay apply to a worker and to a unit's
    holder; an account that is neither member nor worker sees none."""
    entries = []
    for entry in MENU:
        if entry.for_workers:
            applies = is_worker or (is_member and holds_unit)
        else:
            applies = is_member and (holds_unit or not entry.needs_unit)
        if applies:
            entries.append(entry)
    return entries


def _holds_unit_and_is_worker(_user_id: int, *, user: object) -> tuple[bool, bool]:
    return ProductionUnit.objects.held_by(user).exists(), account_is_worker(user)


# Asked on every page, changed only when a unit, a member or a worker is saved or deleted:
# kept in the cache until then (portal.apps follows the three models).
menu_facts = SignalCached("portal-menu-facts", _holds_unit_and_is_worker)


def menu_entries(*, user: object) -> list[MenuEntry]:
    """The entries that apply to this account (the facts from the cache, else two queries:
    its units, its worker)."""
    if not getattr(user, "is_authenticated", False):
        return []
    member = member_of(user)
    holds_unit, is_worker = menu_facts.get(user.pk, user=user)  # type: ignore[attr-defined]
    return menu_entries_for(
        is_member=member is not None, holds_unit=member is not None and holds_unit,
        is_worker=is_worker,
    )  # fmt: skip


def is_current(entry: MenuEntry, url_name: str | None) -> bool:
    if not url_name:
        return False
    return any(url_name.startswith(prefix) for prefix in entry.current_for)
