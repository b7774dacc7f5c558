"""Illustrative work-and-pay parameters: the payroll policy (salary within 7 working days,
expense deadline 15 January, mileage allowance) and the expense categories."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    ("travel", "Déplacements (transports en commun, train, taxi)", False),
    ("mileage", "Kilomètres parcourus avec un véhicule personnel", True),
    ("material", "Matériel et fournitures", False),
    ("meals", "Repas et hébergement", False),
    ("communication", "Téléphone et internet", False),
    ("training", "Formation et documentation", False),
    ("other", "Autres frais", False),
]


def seed(apps, schema_editor):
    PayrollPolicy = apps.get_model("payroll", "PayrollPolicy")
    ExpenseCategory = apps.get_model("payroll", "ExpenseCategory")
    PayrollPolicy.objects.get_or_create(
        valid_from=date(2019, 1, 1),
        defaults={
            "valid_to": date(2025, 6, 30),
            "salary_delay_working_days": 7,
            "expense_deadline_month": 1,
            "expense_deadline_day": 15,
            "mileage_rate": Decimal("0.4280"),
        },
    )
    PayrollPolicy.objects.get_or_create(
        valid_from=date(2025, 7, 1),
        defaults={
            "salary_delay_working_days": 7,
            "expense_deadline_month": 1,
            "expense_deadline_day": 15,
            "mileage_rate": Decimal("0.4326"),
        },
    )
    for code, name, is_mileage in CATEGORIES:
        ExpenseCategory.objects.get_or_create(
            code=code, defaults={"name": name, "is_mileage": is_mileage}
        )


class Migration(migrations.Migration):
    dependencies = [("payroll", "0004_work_and_pay")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
