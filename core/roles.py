"""The roles: their names, who sees every office, their permissions (ROLE_PERMISSIONS) and the
groups' synchronisation (idempotent: run after every migrate, by core.apps), and the one test
of each role (is_staff, require_staff, is_board, require_board)."""

from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .types import AnyUser, StrOrPromise

MEMBER = "member"
ADVISOR = "advisor"
BOARD = "board"
ADMIN = "admin"
# The payroll/finance office: runs the payroll and the payouts of every office (payroll runs,
# payout batches and their pain.001 files span offices). It sees the pay tables of every
# office, and nothing else (its permissions are the pay tables only).
FINANCE = "finance"


def _in_groups(user: PermissionsMixin, names: list[str], cache_attr: str) -> bool:
    cached = getattr(user, cache_attr, None)
    if cached is None:
        cached = user.groups.filter(name__in=names).exists()
        setattr(user, cache_attr, cached)
    return bool(cached)


def _signed_in(user: AnyUser | None) -> PermissionsMixin | None:
    """The user with their groups and flags, once signed in; None for anonymous visitors."""
    if getattr(user, "is_authenticated", False) and isinstance(user, PermissionsMixin):
        return user
    return None


def sees_everything(user: AnyUser | None) -> bool:
    """Superusers, the admin role and the board see every office's data; advisors only theirs."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return False
    if signed_in.is_superuser:
        return True
    return _in_groups(signed_in, [BOARD, ADMIN], "_sees_everything")


def sees_every_office(user: AnyUser | None) -> bool:
    """Who sees the rows of every office (within their permissions): those who see
    everything, and the finance role (whose permissions are the pay tables only)."""
    if sees_everything(user):
        return True
    signed_in = _signed_in(user)
    if signed_in is None:
        return False
    return _in_groups(signed_in, [FINANCE], "_sees_every_office")


PROJECT_APPS = ["members", "production_units", "invoicing", "payroll", "governance", "core"]

# (app_label, model or "*", actions)
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, set[str]]]] = {
    MEMBER: [],
    ADVISOR: [
        ("*", "*", {"view"}),
        ("members", "member", {"change"}),
        ("production_units", "productionunit", {"add", "change"}),
        ("production_units", "ledgerentry", {"add"}),
        ("invoicing", "client", {"add", "change"}),
        # The invoicing back-office: approve/reject, record and match payments, import
        # statements and suppliers' invoices, assign purchases, send again.
        ("invoicing", "invoice", {"change"}),
        ("invoicing", "payment", {"add", "change"}),
        ("invoicing", "bankstatement", {"add"}),
        ("invoicing", "purchase", {"add", "change"}),
        ("invoicing", "transmission", {"change"}),
        # Work and pay: validate jobs, approve declarations (and overdrafts), cancel contracts,
        # decide on expense claims.
        ("payroll", "job", {"change"}),
        ("payroll", "workdeclaration", {"change"}),
        ("payroll", "contract", {"change"}),
        ("payroll", "expenseclaim", {"change"}),
        ("payroll", "workerinvitation", {"change"}),
        ("payroll", "unitworker", {"change"}),
        # Assemblies: validate proxies, record attendance and paper totals.
        ("governance", "proxy", {"change"}),
        ("governance", "papertally", {"add", "change"}),
    ],
    BOARD: [
        ("*", "*", {"view"}),
        # Governance: prepare and convene assemblies, their agenda, candidates and documents.
        ("governance", "generalassembly", {"add", "change", "delete"}),
        ("governance", "agendaitem", {"add", "change", "delete"}),
        ("governance", "electioncandidate", {"add", "change", "delete"}),
        ("governance", "agendadocument", {"add", "change", "delete"}),
    ],
    # The payroll/finance office: the payroll runs, the payouts and their pain.001 files of
    # every office (core.roles.sees_every_office), and nothing else.
    FINANCE: [
        ("payroll", "payrollrun", {"view", "change"}),
        ("payroll", "payslip", {"view"}),
        ("payroll", "employmentcost", {"view"}),
        ("payroll", "contributionrun", {"view"}),
        ("payroll", "contributionposting", {"view"}),
        ("payroll", "payoutbatch", {"view", "add", "change"}),
        ("payroll", "payoutline", {"view"}),
    ],
    ADMIN: [("*", "*", {"view", "add", "change", "delete"})],
}
# The board's decisions on its mandates (governance/admin_board.py): cooptations, early ends,
# representatives, candidacies refused as not admissible, the ethics committee's members.
ROLE_PERMISSIONS[BOARD] += [
    ("governance", "mandate", {"change"}),
    ("governance", "candidacy", {"change"}),
    ("governance", "ethicscommitteeterm", {"add", "change"}),
]
# The ethics committee's accounts (given by governance.ethics_services when a term names them):
# the back-office pages of cases and meetings. Reading a case's confidential text also needs a
# term in force that day (governance/ethics_services.is_ethics_committee).
ETHICS = "ethics"
ROLE_PERMISSIONS[ETHICS] = [
    ("governance", "ethicscase", {"view", "add"}),
    ("governance", "ethicsmeeting", {"view", "add"}),
]
# Append-only tables: nobody gets to change or delete their rows, even in the admin.
NEVER = {
    ("production_units", "ledgerentry", "change"),
    ("production_units", "ledgerentry", "delete"),
    ("members", "shareregisterentry", "change"),
    ("members", "shareregisterentry", "delete"),
    ("members", "documentacceptance", "change"),
    ("members", "documentacceptance", "delete"),
    ("core", "auditevent", "add"),
    ("core", "auditevent", "change"),
    ("core", "auditevent", "delete"),
}


def sync_roles(apps: Apps | None = None, using: str = "default") -> None:
    """Give each role's group exactly its permissions (idempotent), creating the missing
    permissions first; `apps` is a migration's historical registry, or the project's."""
    apps = apps or global_apps
    for config in apps.get_app_configs():
        had_models = getattr(config, "models_module", None)
        config.models_module = True  # type: ignore[assignment]  # create_permissions skips None
        create_permissions(config, verbosity=0, apps=apps, using=using)
        config.models_module = had_models
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.using(using)
        .filter(content_type__app_label__in=PROJECT_APPS)
        .select_related("content_type")
    )
    for role, rules in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        chosen: list[Any] = []
        for perm in perms:
            action = perm.codename.split("_", 1)[0]
            key = (perm.content_type.app_label, perm.content_type.model, action)
            if key in NEVER:
                continue
            for app, model, actions in rules:
                if app in ("*", key[0]) and model in ("*", key[1]) and action in actions:
                    chosen.append(perm)
                    break
        group.permissions.set(chosen)


# --- who may do what: the one test of each role, used by services, admin, views and API -------


def is_staff(user: AnyUser | None) -> bool:
    """A back-office account (advisor, board, finance, admin)."""
    return bool(getattr(user, "is_staff", False))


def require_staff(user: AnyUser | None, message: StrOrPromise | None = None) -> None:
    """PermissionDenied unless `user` is a back-office account."""
    if not is_staff(user):
        raise PermissionDenied(message or _("Only an advisor can do this."))


def is_board(user: AnyUser | None) -> bool:
    """Board members (and superusers), with an active back-office account. Asked by several
    admins on every back-office page (the menu): once per request's user."""
    if not (getattr(user, "is_active", False) and is_staff(user)):
        return False
    signed_in = _signed_in(user)
    if signed_in is None:
        return False
    if signed_in.is_superuser:
        return True
    return _in_groups(signed_in, [BOARD], "_is_board")


def require_board(user: AnyUser | None, message: StrOrPromise | None = None) -> None:
    """PermissionDenied unless `user` is on the board."""
    if not is_board(user):
        raise PermissionDenied(message or _("Only the board can do this."))
