"""Back-office queues of membership, one module per queue: applications to decide
(applications), resignations and other exits to record (exits), refunds to pay (refunds).
Advisors see their office's; the board and the administrators see every office. Every action
calls one service per row (core.admin_kit.run_action_with_form); what a service refuses is
shown.

Who does what (the roles are groups, core/roles.py):
- advisors (and administrators): approve or refuse applications, record payments, record
  resignations and deaths, mark refunds paid (`roles.is_advisor`);
- the board: exclusions and share transfers (board decisions).
"""

# Registered on import; the advisor's queue shows their items in this order.
from . import applications, exits, refunds  # noqa: F401
