# The values written in clear before, encrypted in place, and their hashes filled. A migration
# of its own: PostgreSQL refuses to alter a table in the transaction that updated its rows.

from django.db import migrations

from core.encryption import migrate_columns

FIELDS = {"Member": ["national_number", "iban"], "MembershipApplication": ["national_number", "iban"], "RefundPayout": ["iban"]}


def encrypt(apps, schema_editor):
    migrate_columns(apps, schema_editor, "members", FIELDS)


def decrypt(apps, schema_editor):
    migrate_columns(apps, schema_editor, "members", FIELDS, clear=True)



class Migration(migrations.Migration):

    dependencies = [
        ('members', '0009_encrypt_identifiers'),
    ]

    operations = [
        migrations.RunPython(encrypt, decrypt),
    ]
