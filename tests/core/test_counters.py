"""Gap-free counters (core/counters.py): consecutive numbers per key, taken and read in one
statement, given back by a rollback."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.counters import counter_next
from core.models import Counter

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_key():
    with transaction.atomic():
        assert [counter_next("t:a") for _ in range(3)] == [1, 2, 3]
        assert counter_next("t:b") == 1
        assert counter_next("t:a") == 4
    assert Counter.objects.get(key="t:a").value == 4


def test_a_rollback_gives_the_number_back():
    with transaction.atomic():
        counter_next("t:c")
    with pytest.raises(RuntimeError, match="rolled back"), transaction.atomic():
        assert counter_next("t:c") == 2
        raise RuntimeError("rolled back")
    with transaction.atomic():
        assert counter_next("t:c") == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_it_refuses():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        counter_next("t:d")
    assert not Counter.objects.filter(key="t:d").exists()


def test_an_existing_counter_takes_one_statement():
    with transaction.atomic():
        counter_next("t:e")
        with CaptureQueriesContext(connection) as queries:
            assert counter_next("t:e") == 2
    assert len(queries) == 1
    assert "RETURNING" in queries[0]["sql"]
