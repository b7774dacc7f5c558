"""The four roles as groups with permissions. Idempotent: run by a migration and after migrate."""

PROJECT_APPS = ["members", "production_units", "invoicing", "payroll", "governance", "smartcoop"]

MEMBER = "member"
ADVISOR = "advisor"
BOARD = "board"
ADMIN = "admin"

# (app_label, model or "*", actions)
ROLE_PERMISSIONS = {
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
    ],
    BOARD: [("*", "*", {"view"})],
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
    ("smartcoop", "auditevent", "add"),
    ("smartcoop", "auditevent", "change"),
    ("smartcoop", "auditevent", "delete"),
}


def sync_roles(apps=None, using="default"):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    for config in apps.get_app_configs():
        had_models = getattr(config, "models_module", None)
        config.models_module = True
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
        chosen = []
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


def sees_everything(user) -> bool:
    """Superusers, the admin role and the board see every office's data; advisors only theirs."""
    if user.is_superuser:
        return True
    cached = getattr(user, "_sees_everything", None)
    if cached is None:
        cached = user.groups.filter(name__in=[BOARD, ADMIN]).exists()
        user._sees_everything = cached
    return cached
