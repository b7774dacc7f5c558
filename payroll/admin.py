"""Back-office of work and pay: each area registers its models in its own module."""

from . import admin_expenses, admin_params, admin_pay, admin_work, admin_workers  # noqa: F401
