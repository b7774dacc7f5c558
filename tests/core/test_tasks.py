"""Background tasks: the health task, and the beat schedule naming tasks that exist."""

import socket

from django.conf import settings

from core.models import HealthPing
from core.tasks import health_ping
from smartcoop.celery import app as celery_app


def test_health_ping_writes_one_row_per_token_however_often_it_runs(db):
    first = health_ping(token="smoke-1")
    second = health_ping(token="smoke-1")

    assert first == second == "smoke-1"
    assert HealthPing.objects.filter(token="smoke-1").count() == 1


def test_health_ping_records_the_worker_host(db):
    health_ping(token="smoke-host")

    assert HealthPing.objects.get(token="smoke-host").worker == socket.gethostname()


def test_health_ping_enqueued_with_delay_writes_its_row(db):
    # Eager in tests (conftest.py): .delay() runs the same code path a worker runs.
    health_ping.delay(token="smoke-delay")
    health_ping.delay(token="smoke-delay")

    assert list(HealthPing.objects.values_list("token", flat=True)) == ["smoke-delay"]


def test_health_ping_without_token_uses_one_token_per_minute(db):
    token = health_ping()

    assert token.startswith("beat-")
    assert HealthPing.objects.filter(token=token).count() == 1


def test_every_beat_schedule_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "core.tasks.health_ping" in scheduled
    assert scheduled <= set(celery_app.tasks.keys())
