"""The general API limit (issue 14, point 5): per user and per anonymous address, a 429 whose
Retry-After header and body say when to retry. Low rates are set here; the defaults are
settings from the environment (API_THROTTLE_USER, API_THROTTLE_ANON)."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"


@pytest.fixture
def low_rates(settings):
    settings.API_THROTTLE_USER = "3/min"
    settings.API_THROTTLE_ANON = "2/min"


def test_a_user_over_the_rate_gets_a_429_saying_when_to_retry(low_rates, alice_client):
    for _ in range(3):
        assert alice_client.get(UNITS).status_code == 200
    response = alice_client.get(UNITS, HTTP_ACCEPT_LANGUAGE="en")  # the msgid, not French

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    body = response.json()
    assert body["retry_after"] == retry_after
    assert body["detail"] == f"Too many requests: try again in {retry_after} seconds."


def test_the_limit_is_per_user(low_rates, alice_client, bob):
    for _ in range(4):
        alice_client.get(UNITS)
    assert alice_client.get(UNITS).status_code == 429
    other = HttpClient()
    other.force_login(bob)
    assert other.get(UNITS).status_code == 200


def test_anonymous_clients_are_limited_per_address_whatever_forwarded_for_says(low_rates, db):
    schema = reverse("api-schema")
    for attempt in range(2):
        response = HttpClient(HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}").get(schema)
        assert response.status_code == 200
    response = HttpClient(HTTP_X_FORWARDED_FOR="10.9.9.99").get(schema)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert HttpClient(REMOTE_ADDR="10.0.0.2").get(schema).status_code == 200


def test_the_default_rates_come_from_the_settings():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "core.throttling.UserThrottle",
        "core.throttling.AnonThrottle",
    ]
    assert settings.API_THROTTLE_USER.split("/")[1] in {"s", "sec", "min", "hour", "day"}
