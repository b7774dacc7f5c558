from django.db import migrations

OFFICES = [
    ("antwerpen", "Antwerpen", "Antwerpen"),
    ("bruxelles", "Bruxelles", "Bruxelles"),
    ("charleroi", "Charleroi", "Charleroi"),
    ("gent", "Gent", "Gent"),
    ("liege", "Liège", "Liège"),
    ("mons", "Mons", "Mons"),
    ("namur", "Namur", "Namur"),
    ("tournai", "Tournai", "Tournai"),
]

# Illustrative identifiers (valid check digits), editable in the back-office.
LEGAL_ENTITIES = [
    {
        "code": "smartcoop",
        "name": "SmartCoop SC",
        "enterprise_number": "0450010021",
        "vat_number": "BE0450010021",
        "iban": "BE15068211111130",
        "bic": "GKCCBEBB",
    },
    {
        "code": "productions-associees",
        "name": "Productions Associées asbl",
        "enterprise_number": "0467200104",
        "vat_number": "BE0467200104",
        "iban": "BE91001000000076",
        "bic": "GEBABEBB",
    },
    {
        "code": "formateurs-associes",
        "name": "Formateurs Associés asbl",
        "enterprise_number": "0876543270",
        "vat_number": "BE0876543270",
        "iban": "BE78310000000086",
        "bic": "BBRUBEBB",
    },
]


def load(apps, schema_editor):
    Office = apps.get_model("members", "Office")
    LegalEntity = apps.get_model("members", "LegalEntity")
    for code, name, city in OFFICES:
        Office.objects.update_or_create(code=code, defaults={"name": name, "city": city})
    for entity in LEGAL_ENTITIES:
        LegalEntity.objects.update_or_create(
            code=entity["code"],
            defaults={
                **entity,
                "street": "Rue Coenraets 72",
                "postal_code": "1060",
                "city": "Bruxelles",
                "country": "BE",
                "peppol_id": f"0208:{entity['enterprise_number']}",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
