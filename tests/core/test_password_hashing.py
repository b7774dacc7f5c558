"""Passwords are stored with Argon2id at the project's parameters; older hashes still work and
are upgraded at the next login."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password

from core.hashers import Argon2idHasher

PROJECT_HASHERS = [
    "core.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = PROJECT_HASHERS


def test_settings_put_argon2id_first():
    from smartcoop import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "core.hashers.Argon2idHasher"


def test_a_new_password_is_hashed_with_argon2id_at_19_mib(project_hashers):
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in encoded


@pytest.mark.django_db
def test_an_older_pbkdf2_hash_logs_in_and_is_upgraded(project_hashers, django_user_model):
    user = django_user_model.objects.create(email="old@smartcoop.test")
    user.password = make_password("s3cret-old-hash", hasher="pbkdf2_sha256")
    user.save()

    assert authenticate(email="old@smartcoop.test", password="s3cret-old-hash") == user
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert Argon2idHasher().verify("s3cret-old-hash", user.password)
    assert authenticate(email="old@smartcoop.test", password="wrong") is None
