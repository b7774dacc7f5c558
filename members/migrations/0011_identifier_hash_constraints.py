# Constraints and indexes on the hashes, once every row has its hash.

import core.encryption
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0010_encrypt_existing_identifiers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='refundpayout',
            name='iban',
            field=core.encryption.EncryptedIBANField(verbose_name='IBAN'),
        ),
        migrations.AddIndex(
            model_name='membershipapplication',
            index=models.Index(fields=['national_number_hash'], name='members_mem_nationa_d915ae_idx'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(condition=models.Q(('national_number_hash', ''), _negated=True), fields=('national_number_hash',), name='member_unique_national_number'),
        ),
        migrations.AddConstraint(
            model_name='membershipapplication',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'submitted')), fields=('national_number_hash',), name='application_one_open_per_national_number'),
        ),
    ]
