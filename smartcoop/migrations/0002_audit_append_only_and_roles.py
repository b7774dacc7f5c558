from django.db import migrations

from smartcoop.append_only_sql import backward, forward

TABLE = "smartcoop_auditevent"


def create_roles(apps, schema_editor):
    from smartcoop.roles import sync_roles

    sync_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("smartcoop", "0001_initial"),
        ("members", "0002_offices_and_legal_entities"),
        ("production_units", "0003_ledger_append_only"),
        ("invoicing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [
        migrations.RunPython(forward(TABLE), backward(TABLE)),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
