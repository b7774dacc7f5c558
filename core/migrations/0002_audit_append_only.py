from django.db import migrations

from core.append_only_sql import backward, forward

TABLE = "core_auditevent"


class Migration(migrations.Migration):
    """The audit trail is append-only in the database too (a trigger refuses UPDATE and
    DELETE). The roles' groups are synchronised after every migrate (core.apps)."""

    dependencies = [
        ("core", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(forward(TABLE), backward(TABLE)),
    ]
