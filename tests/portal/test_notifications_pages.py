"""The notifications page (newest first, paginated, mark read, open the object), the unread
count in the menu (one query, whatever the number of rows) and the e-mail preferences (the
required e-mails shown checked, disabled and refused when tampered with)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_trail
from members.models import Notification, NotificationOptOut
from members.notifications import kinds as notice
from members.notifications.services import notification_emails_set, notify
from tests.notification_helpers import mails_to
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

LIST = "portal:notification_list"
EMAILS = "portal:notification_emails"


def paid(user, number):
    return notify(user, notice.INVOICE_PAID, url="portal:invoice_list", params={"what": number})


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_the_newest_first_and_pages_by_twenty(alice_client, alice):
    for number in range(1, 23):
        paid(alice, f"F-2026-{number:04d}")
    first = alice_client.get(reverse(LIST)).content.decode()
    assert first.index("F-2026-0022") < first.index("F-2026-0021")
    assert "F-2026-0003" in first and "F-2026-0002" not in first  # 22..3: twenty rows
    second = alice_client.get(reverse(LIST), {"page": 2}).content.decode()
    assert "F-2026-0002" in second and "F-2026-0001" in second
    assert "F-2026-0003" not in second


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(alice_client, alice):
    row = paid(alice, "F-2026-0001")
    response = alice_client.post(
        reverse("portal:notification_read", kwargs={"pk": row.pk}), {"open": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_list")
    row.refresh_from_db()
    assert row.read_at is not None


def test_marking_one_read_stays_on_the_list(alice_client, alice):
    row = paid(alice, "F-2026-0001")
    response = alice_client.post(reverse("portal:notification_read", kwargs={"pk": row.pk}))
    assert response["Location"] == reverse(LIST)
    row.refresh_from_db()
    assert row.read_at is not None


def test_mark_all_read_marks_only_the_members_own(alice_client, alice, bob):
    mine = [paid(alice, "F-1"), paid(alice, "F-2")]
    theirs = paid(bob, "F-3")
    alice_client.post(reverse("portal:notification_read_all"))
    assert not Notification.objects.filter(pk__in=[row.pk for row in mine], read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- the unread count in the menu --------------------------------------------------------------


def test_the_menu_shows_the_unread_count(alice_client, alice):
    read = paid(alice, "F-0")
    paid(alice, "F-1")
    paid(alice, "F-2")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    page = alice_client.get(reverse("portal:home")).content.decode()
    assert re.search(r'id="unread-notifications"[^>]*>2</span>', page)


def test_no_badge_without_unread_notifications(alice_client, alice):
    page = alice_client.get(reverse("portal:home")).content.decode()
    assert reverse(LIST) in page
    assert 'id="unread-notifications"' not in page


def test_the_home_and_the_list_ask_as_many_queries_for_many_notifications(alice_client, alice):
    paid(alice, "F-0")
    few = {name: page_queries(alice_client, reverse(name)) for name in ("portal:home", LIST)}
    for number in range(1, 15):
        paid(alice, f"F-{number}")
    many = {name: page_queries(alice_client, reverse(name)) for name in ("portal:home", LIST)}
    assert many == few


# --- the e-mail preferences --------------------------------------------------------------------


def test_the_required_e_mails_are_shown_checked_and_disabled(alice_client):
    page = alice_client.get(reverse(EMAILS)).content.decode()
    for code in (notice.CONTRACT_TO_ACCEPT, notice.PAYSLIP_AVAILABLE):
        tag = page[page.index(f'name="{code}"') - 120 : page.index(f'name="{code}"') + 80]
        assert "disabled" in tag and "checked" in tag
    optional = page[page.index(f'name="{notice.INVOICE_PAID}"') - 120 :][:200]
    assert "disabled" not in optional


def test_switching_an_optional_e_mail_off_and_on_again(
    alice_client, alice, django_capture_on_commit_callbacks
):
    wanted = {kind.code: "on" for kind in notice.emailed_kinds() if not kind.mandatory}
    del wanted[notice.INVOICE_PAID]
    response = alice_client.post(reverse(EMAILS), wanted)
    assert response.status_code == 302
    assert set(NotificationOptOut.objects.filter(user=alice).values_list("kind", flat=True)) == {
        notice.INVOICE_PAID
    }
    with django_capture_on_commit_callbacks(execute=True):
        paid(alice, "F-OFF")
    assert mails_to(alice) == []
    assert Notification.objects.filter(user=alice, kind=notice.INVOICE_PAID).exists()
    alice_client.post(reverse(EMAILS), {**wanted, notice.INVOICE_PAID: "on"})
    assert not NotificationOptOut.objects.filter(user=alice).exists()
    with django_capture_on_commit_callbacks(execute=True):
        paid(alice, "F-ON")
    assert len(mails_to(alice)) == 1


def test_a_tampered_post_cannot_switch_a_required_e_mail_off(
    alice_client, alice, django_capture_on_commit_callbacks
):
    # The disabled box unchecked with the browser's tools: refused, naming it; nothing saved.
    response = alice_client.post(
        reverse(EMAILS), {notice.PAYSLIP_AVAILABLE: "", notice.INVOICE_PAID: "on"}
    )
    assert response.status_code == 400
    assert f'href="#id_{notice.PAYSLIP_AVAILABLE}"' in response.content.decode()
    assert not NotificationOptOut.objects.exists()
    # A post that leaves it out (as a browser does) keeps it on.
    assert alice_client.post(reverse(EMAILS), {}).status_code == 302
    switched_off = set(NotificationOptOut.objects.values_list("kind", flat=True))
    assert notice.INVOICE_PAID in switched_off
    assert notice.PAYSLIP_AVAILABLE not in switched_off
    assert notice.CONTRACT_TO_ACCEPT not in switched_off
    with django_capture_on_commit_callbacks(execute=True):
        notify(alice, notice.PAYSLIP_AVAILABLE, params={"month": "2026-10"})
    assert len(mails_to(alice)) == 1


def test_the_service_refuses_a_required_or_unknown_kind_and_changes_nothing(alice):
    NotificationOptOut.objects.create(user=alice, kind=notice.INVOICE_PAID)
    with pytest.raises(ValidationError) as refused:
        notification_emails_set(user=alice, by=alice, off=[notice.PAYSLIP_AVAILABLE])
    assert "off" in refused.value.message_dict
    with pytest.raises(ValidationError):
        notification_emails_set(user=alice, by=alice, off=["no_such_kind"])
    with pytest.raises(ValidationError):  # portal-only kinds have no e-mail to switch off
        notification_emails_set(user=alice, by=alice, off=[notice.APPLICATION_APPROVED])
    assert list(NotificationOptOut.objects.values_list("kind", flat=True)) == [notice.INVOICE_PAID]


def test_changing_the_e_mails_is_audited(alice):
    notification_emails_set(user=alice, by=alice, off=[notice.INVOICE_PAID])
    [event] = [e for e in audit_trail(alice) if e.action == "notification_emails.changed"]
    assert event.changes["off"] == [notice.INVOICE_PAID]
