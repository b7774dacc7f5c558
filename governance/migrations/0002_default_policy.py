"""The statutes' rules in force since 2020 (seeds 001 and 003): 4-year mandates, two at most,
one proxy per holder, online voting that may open two weeks before the meeting, statute
amendments with half the members present or represented and three quarters of votes cast."""

import datetime
from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    Policy = apps.get_model("governance", "GovernancePolicy")
    if not Policy.objects.exists():
        Policy.objects.create(
            valid_from=datetime.date(2020, 1, 1),
            mandate_years=4,
            mandate_limit=2,
            proxy_cap=1,
            early_voting=True,
            early_voting_days=14,
            ordinary_quorum=Decimal("0"),
            ordinary_majority=Decimal("0.5"),
            statute_quorum=Decimal("0.5"),
            statute_majority=Decimal("0.75"),
            reminder_days=3,
            candidacy_days=30,
        )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
