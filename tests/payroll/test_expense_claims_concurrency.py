"""Claims filed or approved at the same moment: the unit's row serialises them, so the
balance is never promised twice and a claim is never posted twice."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from payroll.expenses.services import expense_claim_approve
from payroll.models import ExpenseClaim, PayoutLine
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import LedgerEntry
from tests.expense_helpers import alice_claim

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]

WORKERS = 4


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _in_parallel(task) -> tuple[int, list]:
    """Run `task()` in WORKERS threads at once: (how many succeeded, unexpected errors)."""
    barrier = threading.Barrier(WORKERS)
    done, errors, lock = [], [], threading.Lock()

    def work():
        try:
            barrier.wait()
            task()
        except ValidationError:
            pass
        except Exception as exc:
            with lock:
                errors.append(exc)
        else:
            with lock:
                done.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done), errors


def test_parallel_claims_never_promise_the_balance_twice(alice, alice_activity):
    # Balance 731.60: three claims of 200.00 fit (600.00), a fourth (800.00) does not.
    # (alice's worker record first: payroll.workers.worker_services creates it without a lock.)
    unit_holder_worker(alice_activity, by=alice)
    done, errors = _in_parallel(
        lambda: alice_claim(alice, alice_activity, amount="200.00", vat="0.00")
    )
    assert errors == []
    assert done == 3
    assert ExpenseClaim.objects.filter(unit=alice_activity).count() == 3


def test_parallel_approvals_post_a_claim_once(alice, claire, alice_activity):
    claim = alice_claim(alice, alice_activity, amount="25.00", vat="0.00")
    done, errors = _in_parallel(lambda: expense_claim_approve(claim=claim, by=claire))
    assert errors == []
    assert done == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPENSE).count() == 1
    assert PayoutLine.objects.filter(expense_claim=claim).count() == 1
