from django.db import migrations

from core.append_only_sql import backward, forward

TABLE = "production_units_ledgerentry"


class Migration(migrations.Migration):
    dependencies = [("production_units", "0002_sectors")]
    operations = [migrations.RunPython(forward(TABLE), backward(TABLE))]
