# The values written in clear before, encrypted in place, and their hashes filled. A migration
# of its own: PostgreSQL refuses to alter a table in the transaction that updated its rows.

from django.db import migrations

from core.encryption import migrate_columns

FIELDS = {"Payment": ["payer_iban"]}


def encrypt(apps, schema_editor):
    migrate_columns(apps, schema_editor, "invoicing", FIELDS)


def decrypt(apps, schema_editor):
    migrate_columns(apps, schema_editor, "invoicing", FIELDS, clear=True)



class Migration(migrations.Migration):

    dependencies = [
        ('invoicing', '0008_encrypt_identifiers'),
    ]

    operations = [
        migrations.RunPython(encrypt, decrypt),
    ]
