"""The month the contribution runs have closed, read by every available balance, is kept in
the cache and forgotten whenever a run is saved or deleted (payroll.apps)."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payroll.contributions.selectors import closed_until, contributions_closed_until
from payroll.models import ContributionRun

pytestmark = pytest.mark.django_db


def _read_without_query():
    with CaptureQueriesContext(connection) as queries:
        closed = contributions_closed_until()
    assert len(queries) == 0
    return closed


def test_the_answer_is_read_once_then_kept():
    ContributionRun.objects.create(period=date(2026, 2, 1))
    with CaptureQueriesContext(connection) as queries:
        assert contributions_closed_until() == date(2026, 2, 28)
    assert len(queries) == 1
    assert _read_without_query() == date(2026, 2, 28)


def test_none_before_the_first_run_is_kept_too():
    assert contributions_closed_until() is None
    assert _read_without_query() is None


def test_a_new_run_and_a_deleted_one_are_seen_at_once(django_capture_on_commit_callbacks):
    ContributionRun.objects.create(period=date(2026, 1, 1))
    assert contributions_closed_until() == date(2026, 1, 31)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        march = ContributionRun.objects.create(period=date(2026, 3, 1))
    # Forgotten at the save and again when the transaction commits.
    assert len(callbacks) == 1
    assert contributions_closed_until() == date(2026, 3, 31)
    march.delete()
    assert contributions_closed_until() == date(2026, 1, 31)


def test_an_answer_cached_between_the_save_and_the_commit_is_forgotten_at_the_commit(
    django_capture_on_commit_callbacks,
):
    ContributionRun.objects.create(period=date(2026, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        ContributionRun.objects.create(period=date(2026, 4, 1))
        # Another reader, not seeing the run yet, keeps the old month.
        assert contributions_closed_until() is not None
        cache.set(
            closed_until._key(()), (cache.get(closed_until.generation_key), date(2026, 1, 31))
        )
        assert contributions_closed_until() == date(2026, 1, 31)
    assert contributions_closed_until() == date(2026, 4, 30)
