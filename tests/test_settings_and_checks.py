"""`manage.py check --deploy` in a fresh process, with the environment a production set-up has.

Settings are read once at start-up, so each case runs Django in its own subprocess.
"""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# 50+ characters, many distinct ones, not "django-insecure-": what Django's W009 asks for.
PRODUCTION_SECRET_KEY = "test-only-Vh3kQ9zL2mX7pR4tW8yB1nC6dF0gJ5sA-e_uI2oP7qK3hZ9"
# Fernet keys (newest first) and the look-up hash key of national numbers and IBANs.
PRODUCTION_FIELD_KEYS = (
    "0xvnNmNQWiHOG7n-hH_oFuWHYkLdY0Ga3N2Y7h7ff3c=,7ZfN4b6d_q6Jfj1zzPIYbNRpWHb8D3x_Cwr6Vd0wQ8A="
)
PRODUCTION_HASH_KEY = "test-only-hash-key-9c1f6a0e2b7d4c3a8e5f"

# Variables that relax a production default: a production-like run starts without them.
RELAXING = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "SMARTCOOP_STAFF_MFA_REQUIRED",
    "SMARTCOOP_ALLOW_DEV_SECRET",
    "FIELD_ENCRYPTION_KEYS",
    "FIELD_HASH_KEY",
)


def check_deploy(**overrides):
    """Run `check --deploy --fail-level WARNING`; return (exit code, stdout + stderr)."""
    return manage("check", "--deploy", "--fail-level", "WARNING", **overrides)


def manage(*args, cwd=BASE_DIR, **overrides):
    """Run `manage.py *args` in the production environment with `overrides` (None unsets);
    return (exit code, stdout + stderr)."""
    env = {key: value for key, value in os.environ.items() if key not in RELAXING}
    env.update(
        DJANGO_SETTINGS_MODULE="smartcoop.settings",
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        ALLOWED_HOSTS="smartcoop.example",
        FIELD_ENCRYPTION_KEYS=PRODUCTION_FIELD_KEYS,
        FIELD_HASH_KEY=PRODUCTION_HASH_KEY,
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_deploy_check_reports_nothing_with_production_environment():
    code, output = check_deploy()

    assert "System check identified no issues" in output, output
    assert code == 0, output


def test_without_secret_key_and_debug_off_the_application_refuses_to_start():
    code, output = check_deploy(SECRET_KEY=None)

    assert "ImproperlyConfigured: SECRET_KEY is not set and DEBUG is off" in output, output
    assert code != 0


def test_the_wsgi_application_does_not_load_with_an_empty_secret_key():
    code, output = manage("shell", "-c", "import smartcoop.wsgi", SECRET_KEY="")
    assert "SECRET_KEY is not set" in output, output
    assert code != 0


def test_deploy_check_reports_the_development_key_when_it_is_allowed():
    code, output = check_deploy(SECRET_KEY=None, SMARTCOOP_ALLOW_DEV_SECRET="1")

    assert "smartcoop.E001" in output, output
    assert "smartcoop.E002" not in output, output
    assert code != 0


def test_production_refuses_to_start_without_the_field_encryption_keys():
    for missing in ("FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        code, output = check_deploy(**{missing: None})

        assert "ImproperlyConfigured" in output and "FIELD_ENCRYPTION_KEYS" in output, output
        assert code != 0


def test_deploy_check_reports_development_field_keys():
    # Without SECRET_KEY either (allowed for development), the development keys are in use:
    # check --deploy says so.
    code, output = check_deploy(
        SECRET_KEY=None, FIELD_ENCRYPTION_KEYS=None, SMARTCOOP_ALLOW_DEV_SECRET="1"
    )

    assert "smartcoop.E003" in output, output
    assert code != 0


def test_deploy_check_reports_staff_mfa_turned_off():
    code, output = check_deploy(SMARTCOOP_STAFF_MFA_REQUIRED="0")

    assert "smartcoop.E002" in output, output
    assert "smartcoop.E001" not in output, output
    assert code != 0


def test_deploy_check_reports_debug_left_on():
    code, output = check_deploy(DEBUG="1")

    assert "security.W018" in output, output
    assert code != 0


def test_a_file_email_url_with_an_absolute_path_writes_the_mail_there(tmp_path):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    mail_dir = tmp_path / "mail"
    code, output = manage(
        "sendtestemail",
        "someone@example.com",
        cwd=elsewhere,
        EMAIL_URL=f"file://{mail_dir}",
        DATABASE_URL="sqlite:///" + str(tmp_path / "db.sqlite3"),
    )

    assert code == 0, output
    assert len(list(mail_dir.iterdir())) == 1  # not under a relative "tmp/…/mail"
    assert list(elsewhere.iterdir()) == []


def test_the_health_endpoint_answers_ok_without_a_login(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.post("/health/").status_code == 405
