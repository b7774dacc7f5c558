from django.db import migrations

from core.append_only_sql import backward, forward

REGISTER = "members_shareregisterentry"
ACCEPTANCES = "members_documentacceptance"


class Migration(migrations.Migration):
    dependencies = [("members", "0004_share_policy_and_documents")]
    operations = [
        migrations.RunPython(forward(REGISTER), backward(REGISTER)),
        migrations.RunPython(forward(ACCEPTANCES), backward(ACCEPTANCES)),
    ]
