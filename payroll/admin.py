"""Back-office of work and pay: each area registers its models in its own module (Django's
admin autodiscovery imports this one)."""

from payroll import admin_params  # noqa: F401
from payroll.expenses import admin as expenses_admin  # noqa: F401
from payroll.pay import admin as pay_admin  # noqa: F401
from payroll.work import admin as work_admin  # noqa: F401
from payroll.workers import admin as workers_admin  # noqa: F401
