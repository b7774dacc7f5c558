"""Who processes the membership queues."""

from typing import Any


def is_advisor(user: Any) -> bool:
    """Advisors and administrators: they process the membership queues."""
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm("members.change_member"))
    )
