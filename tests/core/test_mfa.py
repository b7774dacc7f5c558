"""The back-office's gate: staff need a second factor, and the admin logs in through allauth."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.messages import get_messages
from django.urls import reverse

from devtools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.MFA_TOTP_PERIOD = 30
    settings.MFA_TOTP_TOLERANCE = 1


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, claire):
    assert not Authenticator.objects.filter(user=claire).exists()
    client.force_login(claire)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Set up two-factor authentication before you use the back-office."
    ]


def test_every_back_office_page_is_gated_not_only_the_index(client, claire):
    client.force_login(claire)
    response = client.get(reverse("admin:members_member_changelist"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_with_a_second_factor_get_in(claire_client):
    assert claire_client.get(reverse("admin:index")).status_code == 200


def test_the_gate_can_be_turned_off_for_the_local_demo(client, claire, settings):
    settings.SMARTCOOP_STAFF_MFA_REQUIRED = False
    client.force_login(claire)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_without_a_second_factor_can_still_log_out(client, claire):
    client.force_login(claire)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_an_anonymous_visitor_ends_at_allauths_login_with_next_kept(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 200
    last = urlsplit(response.redirect_chain[-1][0])
    assert last.path == reverse("account_login")
    assert parse_qs(last.query) == {"next": ["/admin/"]}
    assert response.request["PATH_INFO"] == reverse("account_login")


def test_the_admin_login_page_redirects_to_allauths_login(client):
    response = client.get("/admin/login/?next=/admin/members/member/")
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse("account_login")
    assert parse_qs(target.query) == {"next": ["/admin/members/member/"]}


def test_logging_in_for_the_admin_asks_staff_for_their_second_factor(client, claire):
    secret = generate_totp_secret()
    TOTP.activate(claire, secret)
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": "claire@smartcoop.test", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # The password alone does not open the back-office.
    assert "_auth_user_id" not in client.session
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")

    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_set_up_their_second_factor_and_then_get_in(client, claire):
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": "claire@smartcoop.test", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.url == reverse("mfa_activate_totp")
    _activate_totp(client)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_signed_in_member_gets_a_403_at_the_back_office_not_a_login_loop(alice_client):
    response = alice_client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert alice_client.get("/admin/login/?next=/admin/").status_code == 403


def test_a_member_can_set_up_totp_and_recovery_codes(client, alice):
    response = client.post(
        reverse("account_login"),
        {"login": "alice@smartcoop.test", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("mfa_index")).status_code == 200
    _activate_totp(client)
    types = set(Authenticator.objects.filter(user=alice).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get(reverse("mfa_view_recovery_codes")).status_code == 200


def _code(secret: str) -> str:
    # Tolerance 1 (fixture): a code of this period stays valid across a period boundary.
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _activate_totp(client):
    """Enrol a TOTP authenticator through allauth's pages, as a person with an app would."""
    # allauth asks for the password again before it changes the account's factors.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")


def test_staff_without_a_member_profile_land_in_the_back_office_after_login(client, claire):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=claire).delete()
    response = client.post("/accounts/login/", {"login": claire.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_members_land_in_their_portal_after_login(client, alice):
    response = client.post("/accounts/login/", {"login": alice.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/espace/"
