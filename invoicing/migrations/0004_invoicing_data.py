from datetime import date
from decimal import Decimal

from django.db import migrations

# Illustrative parameters, editable in the back-office.
# entity: (invoice series code, structured reference prefix, credit note code, prefix)
SERIES = {
    "smartcoop": ("F", "11", "NC", "12"),
    "productions-associees": ("PAF", "21", "PANC", "22"),
    "formateurs-associes": ("FAF", "31", "FANC", "32"),
}
VAT_RATES = [("S", "21.00"), ("S", "12.00"), ("S", "6.00"), ("Z", "0.00")] + [
    (category, "0.00") for category in ("E", "AE", "K", "G", "O")
]
EXEMPTIONS = [
    ("E", "", "Exonération de TVA — article 44, § 2, 8° du Code de la TVA"),
    ("AE", "VATEX-EU-AE", "Autoliquidation — article 196 de la directive 2006/112/CE"),
    ("K", "VATEX-EU-IC", "Livraison intracommunautaire exonérée — art. 138 dir. 2006/112/CE"),
    ("G", "VATEX-EU-G", "Exportation exonérée — article 146 de la directive 2006/112/CE"),
    ("O", "VATEX-EU-O", "Hors champ de la TVA belge — lieu de la prestation hors UE"),
]


def load(apps, schema_editor):
    LegalEntity = apps.get_model("members", "LegalEntity")
    InvoiceSeries = apps.get_model("invoicing", "InvoiceSeries")
    InvoicingPolicy = apps.get_model("invoicing", "InvoicingPolicy")
    VatRate = apps.get_model("invoicing", "VatRate")
    VatExemptionReason = apps.get_model("invoicing", "VatExemptionReason")
    for entity in LegalEntity.objects.all():
        if entity.code not in SERIES:
            continue
        invoice_code, invoice_prefix, credit_code, credit_prefix = SERIES[entity.code]
        InvoiceSeries.objects.get_or_create(
            legal_entity=entity,
            kind="invoice",
            defaults={"code": invoice_code, "reference_prefix": invoice_prefix},
        )
        InvoiceSeries.objects.get_or_create(
            legal_entity=entity,
            kind="credit_note",
            defaults={"code": credit_code, "reference_prefix": credit_prefix},
        )
    if not InvoicingPolicy.objects.exists():
        InvoicingPolicy.objects.create(
            valid_from=date(2000, 1, 1), payment_term_days=10, approval_threshold=Decimal("10000")
        )
    for category, rate in VAT_RATES:
        VatRate.objects.get_or_create(
            category=category, rate=Decimal(rate), defaults={"valid_from": date(2000, 1, 1)}
        )
    for category, code, text in EXEMPTIONS:
        VatExemptionReason.objects.get_or_create(category=category, code=code, text=text)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0003_invoices"),
        ("members", "0002_offices_and_legal_entities"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
