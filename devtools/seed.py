"""`seed_demo`: the small demo dataset, every app's part in order. Idempotent.

The personas are in devtools/demo.py, governance's assemblies and board in
devtools/demo_governance.py and devtools/demo_board.py.
"""

from django.db import transaction

from members.demo_shares import ensure_demo_shares
from payroll.demo import ensure_demo_work

from .demo import (
    ensure_admin,
    ensure_alice,
    ensure_bob,
    ensure_claire,
    ensure_demo_invoices,
    ensure_denis,
)
from .demo_board import ensure_demo_figures
from .demo_governance import ensure_governance_demo


@transaction.atomic
def seed_demo() -> dict:
    """Create the demo personas and their data; running it twice changes nothing."""
    people = {
        "admin": ensure_admin(),
        "claire": ensure_claire(),
        "denis": ensure_denis(),
        "bob": ensure_bob(),
        "alice": ensure_alice(),
    }
    ensure_demo_invoices()
    ensure_demo_shares(by=people["admin"])
    ensure_demo_work(alice=people["alice"], claire=people["claire"], admin=people["admin"])
    ensure_governance_demo(people)
    # Last: the figures count everything above.
    ensure_demo_figures()
    return people
