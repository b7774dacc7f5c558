from django.db import migrations

# The 12 sectors of the 2025 activity report, with whether they are artistic.
SECTORS = [
    ("architecture-mode-design", "Architecture, mode, design, décoration", True),
    ("arts-spectacle-litteraires", "Arts du spectacle et littéraires", True),
    ("arts-plastiques-artisanat", "Arts plastiques et graphiques, artisanat d'art", True),
    ("audiovisuel", "Audio-visuel", True),
    ("bien-etre-sante", "Bien-être et santé", False),
    ("costumes-maquillage-decor", "Costumes, maquillage, décor et accessoires", True),
    ("fonctions-connexes-creation", "Fonctions connexes à la création artistique", True),
    ("formation-enseignement", "Formation, enseignement", False),
    ("images-sons-scenes", "Images, sons et scènes", True),
    ("informatique-graphisme-langue", "Informatique, graphisme, langue et écriture", False),
    ("musique-chanson", "Musique, chanson", True),
    ("autres-metiers", "Autres métiers", False),
]


def load(apps, schema_editor):
    Sector = apps.get_model("production_units", "Sector")
    for code, name, is_artistic in SECTORS:
        Sector.objects.update_or_create(
            code=code, defaults={"name": name, "is_artistic": is_artistic}
        )


class Migration(migrations.Migration):
    dependencies = [("production_units", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
