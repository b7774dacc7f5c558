"""The worker category of each contract type: the payroll run charges its employer
contributions in force (docs/payroll.md, "Employer contributions by worker category"). The
student and the non-profit trainer types have none: their flat employer charges rate stays."""

from django.db import migrations, models

CATEGORIES = {
    "employee-fixed-term": "white-collar",
    "open-ended": "white-collar",
    "artist-fixed-term": "artist-1bis",
}


def set_categories(apps, schema_editor):
    ContractType = apps.get_model("payroll", "ContractType")
    for code, category in CATEGORIES.items():
        ContractType.objects.filter(code=code).update(worker_category=category)


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0016_dimona_out_cancel"),
    ]

    operations = [
        migrations.AddField(
            model_name="contracttype",
            name="worker_category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("white-collar", "White-collar employee"),
                    ("manual-worker", "Manual worker (108 %)"),
                    ("artist-1bis", "Artist (art. 1bis)"),
                ],
                help_text=(
                    "The payroll run charges the employer contributions of this category in "
                    "force (base, rates, structural reduction). Empty: the flat employer "
                    "charges rate of the parameters (students, the non-profit sector: not "
                    "modelled)."
                ),
                max_length=20,
                null=True,
                verbose_name="worker category",
            ),
        ),
        migrations.RunPython(set_categories, migrations.RunPython.noop),
    ]
