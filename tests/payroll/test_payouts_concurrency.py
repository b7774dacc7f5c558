"""Two prepares at the same time never pay a line twice (PostgreSQL row locks)."""

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from payroll.models import PayoutBatch, PayoutLine
from payroll.pay import payouts
from payroll.pay.payouts import next_banking_day, payout_batch_prepare
from tests.payouts_helpers import make_line, make_worker, parse, transactions

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

WAIT = 20  # seconds: a deadlock fails the test instead of hanging it


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def twenty_lines():
    """Twenty lines due today: 1.01 + 2.01 + … + 20.01 = 210.20."""
    today = timezone.localdate()
    worker = make_worker()
    return [make_line(amount=f"{n}.01", due_on=today, worker=worker) for n in range(1, 21)]


def _in_thread(target, results, errors):
    def run():
        try:
            results.append(target())
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def _prepare():
    today = timezone.localdate()
    return payout_batch_prepare(due_by=today, execution_date=next_banking_day(today), by=None)


def _check_every_line_paid_once(lines):
    batches = list(PayoutBatch.objects.all())
    assert sum(batch.count for batch in batches) == len(lines)
    assert sum((batch.total for batch in batches), Decimal("0")) == Decimal("210.20")
    assert PayoutLine.objects.filter(batch__isnull=True).count() == 0
    paid = []
    for batch in batches:
        rows = transactions(parse(Path(batch.file.path).read_bytes()))
        ids = sorted(int(row["end_to_end"].removeprefix("SCPAY-")) for row in rows)
        assert ids == sorted(batch.lines.values_list("pk", flat=True))
        assert sum(row["amount"] for row in rows) == batch.total
        paid.extend(ids)
    assert sorted(paid) == sorted(line.pk for line in lines)


def test_a_prepare_skips_the_lines_another_prepare_holds(twenty_lines, monkeypatch):
    locked, release = threading.Event(), threading.Event()
    real_pain001 = payouts.pain001

    def slow_pain001(**kwargs):
        # The first prepare holds its line locks here until the second one is done.
        if not locked.is_set():
            locked.set()
            assert release.wait(WAIT)
        return real_pain001(**kwargs)

    monkeypatch.setattr(payouts, "pain001", slow_pain001)
    first_results, second_results, errors = [], [], []
    first = _in_thread(_prepare, first_results, errors)
    second = _in_thread(_prepare, second_results, errors)
    first.start()
    assert locked.wait(WAIT)
    second.start()
    second.join(WAIT)
    release.set()
    first.join(WAIT)
    assert not errors
    assert second_results == [None]  # every due line was locked by the first
    assert first_results[0].count == 20
    _check_every_line_paid_once(twenty_lines)


def test_two_prepares_started_together_pay_each_line_once(twenty_lines):
    start = threading.Barrier(2, timeout=WAIT)
    results, errors = [], []

    def prepare():
        start.wait()
        return _prepare()

    threads = [_in_thread(prepare, results, errors) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not errors
    assert len(results) == 2
    assert any(batch is not None for batch in results)
    _check_every_line_paid_once(twenty_lines)
