from django.db import migrations

from core.append_only_sql import backward, forward

TABLES = ["payroll_employmentcost", "payroll_contributionposting"]


class Migration(migrations.Migration):
    dependencies = [("payroll", "0002_parameters")]
    operations = [migrations.RunPython(forward(table), backward(table)) for table in TABLES]
