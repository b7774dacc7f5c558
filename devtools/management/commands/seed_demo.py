from django.core.management.base import BaseCommand

from devtools.demo import DEMO_PASSWORD
from devtools.seed import seed_demo


class Command(BaseCommand):
    help = "Load the small demo dataset (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        people = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        roles = {
            "alice": "member, holds a 3en1 unit and an Activité unit",
            "bob": "member, no unit yet",
            "claire": "advisor, Bruxelles office",
            "denis": "board member",
            "admin": "superuser",
        }
        for key, user in people.items():
            self.stdout.write(f"  {user.email:<28} {roles[key]}")
