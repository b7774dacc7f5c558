from datetime import date
from decimal import Decimal

from django.db import migrations

# Smart's parameters since the cooperative was founded (2016): editable in the back-office.
POLICY = {
    "valid_from": date(2016, 1, 1),
    "share_price": Decimal("30.00"),
    "minimum_shares": 1,
    "one_share_per_year_rule": True,
}
DOCUMENTS = [
    ("statutes", "2024", "Statuts de SmartCoop"),
    ("internal_rules", "2024", "Règlement d'ordre intérieur"),
    ("user_contract", "2024", "Contrat d'utilisation de l'entreprise partagée"),
]


def load(apps, schema_editor):
    SharePolicy = apps.get_model("members", "SharePolicy")
    MembershipDocument = apps.get_model("members", "MembershipDocument")
    Member = apps.get_model("members", "Member")
    if not SharePolicy.objects.exists():
        SharePolicy.objects.create(**POLICY)
    for kind, version, title in DOCUMENTS:
        MembershipDocument.objects.get_or_create(
            kind=kind,
            version=version,
            defaults={"title": title, "valid_from": date(2024, 1, 1)},
        )
    # Members admitted before the flag existed keep the right their category gives them.
    Member.objects.filter(category="A", status="member").update(may_open_units=True)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_membership_and_share_register")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
