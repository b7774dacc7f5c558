"""The roles' names and who sees every office. Their permissions (ROLE_PERMISSIONS) and the
groups' synchronisation stay in smartcoop/roles.py, which imports these names."""

MEMBER = "member"
ADVISOR = "advisor"
BOARD = "board"
ADMIN = "admin"
# The payroll/finance office: runs the payroll and the payouts of every office (payroll runs,
# payout batches and their pain.001 files span offices). It sees the pay tables of every
# office, and nothing else (its permissions are the pay tables only).
FINANCE = "finance"


def _in_groups(user, names, cache_attr) -> bool:
    cached = getattr(user, cache_attr, None)
    if cached is None:
        cached = user.groups.filter(name__in=names).exists()
        setattr(user, cache_attr, cached)
    return cached


def sees_everything(user) -> bool:
    """Superusers, the admin role and the board see every office's data; advisors only theirs."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return _in_groups(user, [BOARD, ADMIN], "_sees_everything")


def sees_every_office(user) -> bool:
    """Who sees the rows of every office (within their permissions): those who see
    everything, and the finance role (whose permissions are the pay tables only)."""
    if sees_everything(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return _in_groups(user, [FINANCE], "_sees_every_office")
