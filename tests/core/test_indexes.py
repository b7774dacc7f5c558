"""No table of the platform keeps a single-column index whose column already leads another
index or unique constraint of the same table: the composite serves the same lookups and the
extra index only costs on every insert and update (issue 19)."""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

OURS = ("core", "members", "production_units", "invoicing", "payroll", "governance", "reports")

# A plain single-column index (no predicate, no expression, not unique) and another index
# of the same table, plain too, whose first column is the same.
COVERED = """
SELECT a.indrelid::regclass::text, a.indexrelid::regclass::text, b.indexrelid::regclass::text
FROM pg_index a
JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
WHERE a.indnatts = 1 AND b.indnatts > 1 AND a.indkey[0] = b.indkey[0]
  AND a.indpred IS NULL AND b.indpred IS NULL
  AND a.indexprs IS NULL AND b.indexprs IS NULL
  AND NOT a.indisunique
  AND a.indrelid::regclass::text = ANY(%s)
ORDER BY 1, 2
"""


def our_tables() -> list[str]:
    return [
        model._meta.db_table
        for app in OURS
        for model in apps.get_app_config(app).get_models(include_auto_created=False)
    ]


def test_the_apps_own_tables_are_known():
    tables = our_tables()
    assert "production_units_ledgerentry" in tables
    assert "invoicing_invoice" in tables


def test_no_single_column_index_is_covered_by_another_index_of_its_table():
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's catalogue")
    with connection.cursor() as cursor:
        cursor.execute(COVERED, [our_tables()])
        covered = cursor.fetchall()
    assert covered == [], (
        "Set db_index=False on the link (its column leads another index): "
        + ", ".join(f"{table}.{index} (covered by {by})" for table, index, by in covered)
    )
