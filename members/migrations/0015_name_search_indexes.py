from django.db import migrations

from core.search_indexes import backward, forward

TABLE = "members_member"
COLUMNS = ("last_name", "first_name", "organisation_name")


class Migration(migrations.Migration):
    """Trigram indexes for searching members by name (core/search_indexes.py; PostgreSQL only)."""

    dependencies = [("members", "0014_notifications")]
    operations = [migrations.RunPython(forward(TABLE, COLUMNS), backward(TABLE, COLUMNS))]
