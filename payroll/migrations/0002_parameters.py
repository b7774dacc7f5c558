"""Illustrative payroll parameters (staff edit them in the back-office; docs/payroll.md)."""

from datetime import date
from decimal import Decimal as D

from django.db import migrations

SINCE = date(2019, 1, 1)

# code, name, employer charges %, employee SS %, SS base %, coefficient, minimum daily gross,
# piece work (withholding at least the scale's piece-work minimum).
CONTRACT_TYPES = [
    ("employee-fixed-term", "Employé·e à durée déterminée", D("25.00"), D("13.07"), D("100"), D("1.3300"), D("100.00"), True),
    ("artist-fixed-term", "Artiste (art. 1bis) à durée déterminée", D("27.00"), D("13.07"), D("108"), D("1.3500"), D("100.00"), True),
    ("trainer-fixed-term", "Formateur·rice à durée déterminée (asbl)", D("32.00"), D("13.07"), D("100"), D("1.4000"), D("100.00"), True),
    ("student", "Étudiant·e", D("5.42"), D("2.71"), D("100"), D("1.1200"), D("60.00"), False),
    ("open-ended", "Employé·e à durée indéterminée", D("25.00"), D("13.07"), D("100"), D("1.3300"), D("100.00"), False),
]  # fmt: skip

# from (included), to (excluded), rate %: a flat rate by bracket of the taxable pay.
BRACKETS = [
    (D("0.00"), D("1200.00"), D("0.00")),
    (D("1200.00"), D("2500.00"), D("17.50")),
    (D("2500.00"), D("4000.00"), D("27.50")),
    (D("4000.00"), None, D("37.50")),
]


def load(apps, schema_editor):
    ContractType = apps.get_model("payroll", "ContractType")
    ContractTypeParameters = apps.get_model("payroll", "ContractTypeParameters")
    WithholdingTaxScale = apps.get_model("payroll", "WithholdingTaxScale")
    WithholdingTaxBracket = apps.get_model("payroll", "WithholdingTaxBracket")
    for code, name, charges, ss, base, coefficient, minimum, piece_work in CONTRACT_TYPES:
        kind, _ = ContractType.objects.get_or_create(code=code, defaults={"name": name})
        ContractTypeParameters.objects.get_or_create(
            contract_type=kind,
            valid_from=SINCE,
            defaults={
                "employer_charges_rate": charges,
                "employee_ss_rate": ss,
                "employee_ss_base_percent": base,
                "employment_coefficient": coefficient,
                "minimum_daily_gross": minimum,
                "piece_work": piece_work,
            },
        )
    scale, created = WithholdingTaxScale.objects.get_or_create(
        valid_from=SINCE,
        defaults={"label": "Barème illustratif", "piece_work_minimum_rate": D("11.11")},
    )
    if created:
        for start, end, rate in BRACKETS:
            WithholdingTaxBracket.objects.create(
                scale=scale, from_amount=start, to_amount=end, rate=rate
            )


class Migration(migrations.Migration):
    dependencies = [("payroll", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
