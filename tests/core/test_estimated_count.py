"""The back-office's paginator (core.admin_kit.EstimatedCountPaginator): exact below a
threshold, the planner's estimate above it, estimated on the rows' query without its joins."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import admin_kit
from core.admin_kit import EstimatedCountPaginator
from production_units.models import ProductionUnit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate"),
]


def _units():
    return ProductionUnit.objects.select_related("holder__office", "sector").order_by("code")


def test_small_lists_are_counted_exactly(alice, bob):
    assert ProductionUnit.objects.exists()
    paginator = EstimatedCountPaginator(_units(), 25)
    assert paginator.count == ProductionUnit.objects.count()


def test_nothing_to_list_counts_zero():
    assert EstimatedCountPaginator(_units().filter(pk__in=[]), 25).count == 0


def test_large_lists_show_the_estimate_of_the_rows_not_of_their_joins(alice, monkeypatch):
    monkeypatch.setattr(admin_kit, "EXACT_COUNT_BELOW", 0)
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(_units(), 25).count
    (explain,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXPLAIN")]
    assert "JOIN" not in explain and "ORDER BY" not in explain
    assert "production_units_productionunit" in explain
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) SELECT * FROM production_units_productionunit")
        plan = cursor.fetchone()[0]
    assert count == plan[0]["Plan"]["Plan Rows"]
    # No exact count was run: the estimate stands in for it.
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
