"""Dimona OUT and CANCEL name the IN they are about; a refused declaration sent again is a
new row; a declaration no longer needed is withdrawn; one live declaration of each kind per
contract."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0015_contract_place_joint_committee"),
    ]

    operations = [
        migrations.AddField(
            model_name="dimonadeclaration",
            name="in_declaration",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="follow_ups",
                to="payroll.dimonadeclaration",
                verbose_name="IN declaration",
            ),
        ),
        migrations.AddField(
            model_name="dimonadeclaration",
            name="retry_of",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="retry",
                to="payroll.dimonadeclaration",
                verbose_name="sends again",
            ),
        ),
        migrations.AlterField(
            model_name="dimonadeclaration",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "to send"),
                    ("sent", "sent"),
                    ("accepted", "accepted"),
                    ("refused", "refused"),
                    ("withdrawn", "withdrawn: not needed"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="dimonadeclaration",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["refused", "withdrawn"]), _negated=True),
                fields=("contract", "kind"),
                name="one_live_dimona_of_each_kind_per_contract",
            ),
        ),
    ]
