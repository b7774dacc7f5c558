"""Fixed personas, the same as the demo (devtools/demo.py):

alice the member (a 3en1 unit and an Activité unit), bob another member (no unit),
claire the advisor (Bruxelles office), denis the board member, admin the superuser.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.utils import translation

from devtools import demo
from production_units.models import ProductionUnit
from smartcoop.celery import app as celery_app


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.SECURE_SSL_REDIRECT = False
    # Files each test writes (PDFs, receipts, Dimona exports) stay in its own folder, so tests
    # running in parallel (pytest-xdist) never share one.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DIMONA_EXPORT_DIR = tmp_path / "dimona"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # As in production (Redis set): sessions read from the cache, written to the database.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Services called directly speak English (the msgids) in tests; pages still follow the
    # request (French by default), and documents their own language.
    translation.activate("en")
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def admin_user(db):
    return demo.ensure_admin()


@pytest.fixture
def alice(db):
    return demo.ensure_alice()


@pytest.fixture
def bob(db):
    return demo.ensure_bob()


@pytest.fixture
def claire(db):
    return demo.ensure_claire()


@pytest.fixture
def denis(db):
    return demo.ensure_denis()


@pytest.fixture
def alice_3en1(alice):
    return ProductionUnit.objects.get(code="UP-0001")


@pytest.fixture
def alice_activity(alice):
    return ProductionUnit.objects.get(code="UP-0002")


def _with_mfa(user):
    """Give a staff user a TOTP authenticator, as if they had enrolled it."""
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    return user


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def claire_client(client, claire):
    client.force_login(_with_mfa(claire))
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(_with_mfa(admin_user))
    return client
