"""The multi-container compose file (docker-compose.yml) is checked in CI without Docker:
it parses, every service it needs is there with its health check and dependencies, and
what each container runs exists in the project (the WSGI application, the Celery app and
the tasks beat schedules, the settings its environment variables feed) (issue 19)."""

import importlib
import re
import shlex
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def _command(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    if isinstance(command, str):
        return shlex.split(command)
    if command[:2] == ["sh", "-c"]:
        return shlex.split(command[2])
    return list(command)


def test_the_services_and_their_health_checks():
    assert set(SERVICES) >= {"db", "redis", "web", "worker", "beat"}
    for name in ("db", "redis", "web", "worker"):
        assert SERVICES[name].get("healthcheck", {}).get("test"), name
    for name, service in SERVICES.items():
        for needed in service.get("depends_on", {}):
            assert needed in SERVICES, (name, needed)
    assert set(COMPOSE.get("volumes", {})) >= {"db-data", "media"}


def test_the_web_container_runs_the_migrations_then_the_project_s_wsgi_application():
    words = _command("web")
    assert words[:3] == ["python", "manage.py", "migrate"]
    target = words[words.index("gunicorn") + 1]
    module, _, attribute = target.partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_the_worker_and_beat_run_the_project_s_celery_app_and_its_scheduled_tasks():
    from smartcoop.celery import app  # after Django is set up by pytest

    for name, role in (("worker", "worker"), ("beat", "beat")):
        words = _command(name)
        assert words[:3] == ["celery", "-A", "smartcoop"] and words[3] == role
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_every_variable_the_containers_set_is_read_by_the_settings():
    source = (ROOT / "smartcoop" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""(?:environ(?:\.get)?|env\w*)\(\s*["']([A-Z_]+)["']""", source))
    read |= set(re.findall(r"""environ\[["']([A-Z_]+)["']\]""", source))
    environment = SERVICES["web"]["environment"]
    assert set(environment) - read == set()
