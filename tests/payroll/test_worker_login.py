"""An invited worker (not a member) who logs in later lands on their calendar, not on the
members-only refusal."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.workers_helpers import ZOE_EMAIL, ZOE_PASSWORD, accept_url, invite_zoe, zoe_form

pytestmark = pytest.mark.django_db


def test_an_invited_worker_logging_in_lands_on_the_calendar(client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    assert client.post(accept_url(invitation), zoe_form()).status_code == 302

    later = HttpClient()
    response = later.post(reverse("account_login"), {"login": ZOE_EMAIL, "password": ZOE_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:workers_calendar")
    home = later.get(reverse("portal:home"))
    assert reverse("portal:workers_calendar") in home.content.decode()
