"""The joint committee of each contract type (performing arts' artists: JC 304, the others
JC 200), copied on the contract; the place of work of jobs, declarations and contracts."""

from django.db import migrations, models

PERFORMING_ARTS_TYPES = ("artist-fixed-term",)


def set_joint_committees(apps, schema_editor):
    ContractType = apps.get_model("payroll", "ContractType")
    Contract = apps.get_model("payroll", "Contract")
    ContractType.objects.filter(code__in=PERFORMING_ARTS_TYPES).update(joint_committee="304")
    for contract_type in ContractType.objects.all():
        Contract.objects.filter(contract_type=contract_type).update(
            joint_committee=contract_type.joint_committee
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0014_employer_contribution_rates"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="joint_committee",
            field=models.CharField(
                blank=True,
                choices=[
                    ("200", "JC 200 · Supplementary joint committee for employees"),
                    ("304", "JC 304 · Joint committee for the performing arts"),
                    ("329.02", "JC 329.02 · Socio-cultural sector (French and German communities)"),
                ],
                max_length=8,
                verbose_name="joint committee",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="place_of_work",
            field=models.CharField(
                blank=True,
                help_text="As the member gave it; empty: at the client's (3en1) or the unit holder's address.",
                max_length=300,
                verbose_name="place of work",
            ),
        ),
        migrations.AddField(
            model_name="contracttype",
            name="joint_committee",
            field=models.CharField(
                choices=[
                    ("200", "JC 200 · Supplementary joint committee for employees"),
                    ("304", "JC 304 · Joint committee for the performing arts"),
                    ("329.02", "JC 329.02 · Socio-cultural sector (French and German communities)"),
                ],
                default="200",
                help_text="Copied on each new contract of this type: a signed contract keeps its own.",
                max_length=8,
                verbose_name="joint committee",
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="place_of_work",
            field=models.CharField(
                blank=True,
                help_text="Empty: at the client's.",
                max_length=300,
                verbose_name="place of work",
            ),
        ),
        migrations.AddField(
            model_name="workdeclaration",
            name="place_of_work",
            field=models.CharField(
                blank=True,
                help_text="Empty: the unit holder's address.",
                max_length=300,
                verbose_name="place of work",
            ),
        ),
        migrations.RunPython(set_joint_committees, migrations.RunPython.noop),
    ]
