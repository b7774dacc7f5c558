"""API tokens that end: hashed, expiring, listed and revoked by their owner, revoked with the
password or the second factor, and never given to staff without a second factor."""

import re
import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from devtools.demo import DEMO_PASSWORD
from members.models import ApiToken
from members.token_services import api_token_create

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.MFA_TOTP_PERIOD = 30
    settings.MFA_TOTP_TOLERANCE = 1


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _obtain(email, password=DEMO_PASSWORD, http=None, **extra):
    return (http or HttpClient()).post(
        reverse("api:auth-token"),
        {"email": email, "password": password, **extra},
        content_type="application/json",
        headers=EN,
    )


def _api_status(token: str) -> int:
    return (
        HttpClient().get(reverse("api:me"), headers={"Authorization": f"Token {token}"}).status_code
    )


def _login_with_totp(http, user, secret):
    """A real allauth login: password, then the authenticator's code."""
    response = http.post(reverse("account_login"), {"login": user.email, "password": DEMO_PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    response = http.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302
    assert "_auth_user_id" in http.session


# --- expiry and storage ------------------------------------------------------------------------


def test_a_token_expires_after_ninety_days_by_default_and_only_its_digest_is_stored(alice):
    response = _obtain(alice.email)
    assert response.status_code == 200
    clear = response.json()["token"]
    row = ApiToken.objects.get(user=alice)
    assert clear not in {row.digest, row.token_key}
    assert clear not in str(ApiToken.objects.filter(user=alice).values().get())
    expected = timezone.now() + timedelta(days=90)
    assert abs(row.expiry - expected) < timedelta(minutes=1)
    assert _api_status(clear) == 200


def test_the_lifetime_is_a_setting(alice, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=7)}
    token, _clear = api_token_create(user=alice, via="test")
    assert abs(token.expiry - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_an_expired_token_is_refused_and_deleted(alice):
    token, clear = api_token_create(user=alice, via="test")
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _api_status(clear) == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_using_a_token_records_when_it_was_last_used(alice):
    token, clear = api_token_create(user=alice, via="test")
    assert token.last_used_at is None
    assert _api_status(clear) == 200
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


# --- revoked with the credentials --------------------------------------------------------------


def test_changing_the_password_revokes_every_token(alice, alice_client):
    tokens = [api_token_create(user=alice, via="test")[1] for _ in range(2)]
    response = alice_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEMO_PASSWORD,
            "password1": "N3w-pass-phrase!",
            "password2": "N3w-pass-phrase!",
        },
    )
    assert response.status_code == 302
    assert [_api_status(token) for token in tokens] == [401, 401]
    assert not ApiToken.objects.filter(user=alice).exists()
    event = AuditEvent.objects.get(action="user.api_tokens_revoked", object_id=str(alice.pk))
    assert event.changes == {"count": 2}
    assert event.reason == "password changed"


def test_resetting_the_password_revokes_every_token(alice):
    _row, token = api_token_create(user=alice, via="test")
    http = HttpClient()
    http.post(reverse("account_reset_password"), {"email": alice.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    response = http.get(link.group(1))
    assert response.status_code == 302
    response = http.post(
        response.url, {"password1": "N3w-pass-phrase!", "password2": "N3w-pass-phrase!"}
    )
    assert response.status_code == 302
    assert _api_status(token) == 401
    assert not ApiToken.objects.filter(user=alice).exists()


def test_removing_the_second_factor_revokes_every_token(alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    http = HttpClient()
    _login_with_totp(http, alice, secret)
    _row, token = api_token_create(user=alice, via="test")
    assert _api_status(token) == 200
    response = http.post(reverse("mfa_deactivate_totp"))
    # allauth asks for the password again before it removes a factor.
    assert response.url.startswith(reverse("account_reauthenticate"))
    # Once the password is given, allauth resumes the removal it had suspended.
    http.post(response.url, {"password": DEMO_PASSWORD})
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    assert _api_status(token) == 401


# --- second factor -----------------------------------------------------------------------------


def test_staff_without_a_second_factor_get_no_token(claire):
    response = _obtain(claire.email)
    assert response.status_code == 400
    assert "two-factor" in response.json()["otp"][0]
    assert not ApiToken.objects.filter(user=claire).exists()


def test_staff_get_a_token_only_with_a_valid_code(claire):
    secret = generate_totp_secret()
    TOTP.activate(claire, secret)
    assert _obtain(claire.email).status_code == 400
    wrong = _obtain(claire.email, otp="000000" if _code(secret) != "000000" else "111111")
    assert wrong.status_code == 400
    assert wrong.json() == {"otp": ["This code is not valid."]}
    assert not ApiToken.objects.filter(user=claire).exists()
    response = _obtain(claire.email, otp=_code(secret))
    assert response.status_code == 200
    # Authenticated (a bad token is a 401); staff have no member profile, hence no units.
    assert _api_status(response.json()["token"]) == 404


def test_a_code_is_used_once(claire):
    secret = generate_totp_secret()
    TOTP.activate(claire, secret)
    code = _code(secret)
    assert _obtain(claire.email, otp=code).status_code == 200
    assert _obtain(claire.email, otp=code).status_code == 400
    assert ApiToken.objects.filter(user=claire).count() == 1


def test_a_session_that_passed_the_second_factor_is_enough(claire):
    secret = generate_totp_secret()
    TOTP.activate(claire, secret)
    http = HttpClient()
    _login_with_totp(http, claire, secret)
    assert _obtain(claire.email, http=http).status_code == 200


def test_a_member_with_a_second_factor_gets_a_token_with_the_code(alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    assert _obtain(alice.email).status_code == 400
    assert _obtain(alice.email, otp=_code(secret)).status_code == 200


# --- the portal page ---------------------------------------------------------------------------


def test_the_member_creates_a_token_shown_once_and_sees_it_listed(alice, alice_client):
    response = alice_client.post(reverse("portal:api_tokens"), {"name": "accounting export"})
    assert response.status_code == 200
    clear = re.search(r"data-new-token>([^<]+)<", response.content.decode()).group(1)
    assert _api_status(clear) == 200
    page = alice_client.get(reverse("portal:api_tokens")).content.decode()
    assert "accounting export" in page
    assert clear not in page
    assert "data-new-token" not in page


def test_the_list_shows_creation_expiry_and_last_use(alice, alice_client):
    token, clear = api_token_create(user=alice, name="my script", via="test")
    _api_status(clear)
    token.refresh_from_db()
    page = alice_client.get(reverse("portal:api_tokens"), headers=EN)
    body = page.content.decode()
    assert "my script" in body
    assert "Expires" in body and "Last used" in body and "never" not in body


def test_revoking_one_token_asks_for_confirmation_first(alice, alice_client):
    keep, keep_clear = api_token_create(user=alice, name="keep", via="test")
    drop, drop_clear = api_token_create(user=alice, name="drop", via="test")
    url = reverse("portal:api_token_revoke", args=[drop.digest])
    response = alice_client.get(url, headers=EN)
    assert response.status_code == 200
    assert "Revoke this API token?" in response.content.decode()
    assert _api_status(drop_clear) == 200
    response = alice_client.post(url)
    assert response.url == reverse("portal:api_tokens")
    assert _api_status(drop_clear) == 401
    assert _api_status(keep_clear) == 200
    assert AuditEvent.objects.filter(action="user.api_token_revoked", actor=alice).count() == 1


def test_revoking_all_tokens(alice, alice_client):
    clears = [api_token_create(user=alice, via="test")[1] for _ in range(3)]
    url = reverse("portal:api_tokens_revoke_all")
    assert alice_client.get(url).status_code == 200
    assert ApiToken.objects.filter(user=alice).count() == 3
    alice_client.post(url)
    assert [_api_status(clear) for clear in clears] == [401, 401, 401]


def test_staff_create_a_portal_token_only_after_a_login_with_the_second_factor(claire):
    secret = generate_totp_secret()
    TOTP.activate(claire, secret)
    forced = HttpClient()
    forced.force_login(claire)  # a session that never passed the second factor
    response = forced.post(reverse("portal:api_tokens"), {"name": "x"})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=claire).exists()

    http = HttpClient()
    _login_with_totp(http, claire, secret)
    response = http.post(reverse("portal:api_tokens"), {"name": "x"})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=claire).count() == 1


def test_the_schema_documents_the_code_and_the_expiry(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert "otp" in components["TokenInput"]["properties"]
    assert "expiry" in components["TokenOutput"]["properties"]
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_deleting_the_second_factor_elsewhere_revokes_the_tokens_too(alice):
    TOTP.activate(alice, generate_totp_secret())
    _row, token = api_token_create(user=alice, via="test")
    Authenticator.objects.filter(user=alice).delete()
    assert _api_status(token) == 401
