from django.db import migrations

from core.search_indexes import backward, forward

TABLE = "invoicing_client"
COLUMNS = ("name",)


class Migration(migrations.Migration):
    """A trigram index for searching clients by name (core/search_indexes.py; PostgreSQL only)."""

    dependencies = [("invoicing", "0015_supply_date_period")]
    operations = [migrations.RunPython(forward(TABLE, COLUMNS), backward(TABLE, COLUMNS))]
