"""Every URL of notifications: alice reaches her own, bob gets 404 on hers and never sees
them in his list, an anonymous visitor is sent to the login page, a GET never changes
anything."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from members.models import Notification
from members.notifications import kinds as notice
from members.notifications.services import notify

pytestmark = pytest.mark.django_db

PORTAL_URLS = {
    "notification_list": None,
    "notification_read_all": None,
    "notification_read": "notification",
    "notification_emails": None,
}
POST_ONLY = {"notification_read_all", "notification_read"}


@pytest.fixture
def alices(alice):
    return notify(
        alice, notice.INVOICE_PAID, url="portal:invoice_list", params={"what": "F-SECRET-1"}
    )


def url(name, notification):
    if PORTAL_URLS[name]:
        return reverse(f"portal:{name}", kwargs={"pk": notification.pk})
    return reverse(f"portal:{name}")


@pytest.mark.parametrize("name", sorted(set(PORTAL_URLS) - POST_ONLY))
def test_alice_reaches_her_pages(alice_client, alices, name):
    assert alice_client.get(url(name, alices)).status_code == 200


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_sent_to_the_login_page(client, alices, name):
    target = url(name, alices)
    response = client.post(target) if name in POST_ONLY else client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(target)}"


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_a_get_changes_nothing(alice_client, alices, name):
    assert alice_client.get(url(name, alices)).status_code == 405
    alices.refresh_from_db()
    assert alices.read_at is None


def test_bob_gets_404_on_alices_notification_and_it_stays_unread(bob_client, alices):
    response = bob_client.post(url("notification_read", alices), {"open": "1"})
    assert response.status_code == 404
    alices.refresh_from_db()
    assert alices.read_at is None


def test_a_notification_that_does_not_exist_is_404(alice_client, alices):
    assert alice_client.post(url("notification_read", Notification(pk=999_999))).status_code == 404


def test_bob_sees_none_of_alices_notifications_and_marks_none_read(bob_client, alices):
    page = bob_client.get(reverse("portal:notification_list")).content.decode()
    assert "F-SECRET-1" not in page
    bob_client.post(reverse("portal:notification_read_all"))
    alices.refresh_from_db()
    assert alices.read_at is None
