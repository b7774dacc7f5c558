# Constraints and indexes on the hashes, once every row has its hash.

import core.encryption
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payroll', '0009_encrypt_existing_identifiers'),
    ]

    operations = [
        # Unique once every row has its hash (they were all empty when the column was added).
        migrations.AlterField(
            model_name='worker',
            name='national_number_hash',
            field=core.encryption.LookupHashField(source='national_number', unique=True),
        ),
    ]
