"""Decisions from a membership application's own page in the back-office: approve (fully
paid, or with a reason), refuse with a reason, ask the applicant by e-mail; the services of
the list actions; then the next application of the queue. Another office's advisor gets 404,
the board 403, a member never reaches the page; nothing changes for any of them."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import AuditEvent
from members.models import MembershipApplication
from members.share_payment_services import share_payment_record
from tests.members.test_membership_admin import TODAY, staff_http, submit, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def claire_http(claire):
    return staff_http(claire)


@pytest.fixture
def denis_http(denis):
    return staff_http(denis)


@pytest.fixture
def queue(claire):
    """Three applications to Brussels, oldest first, the middle one fully paid (60 €)."""
    rows = [
        submit(f"{name.lower()}@example.test", serial, first_name=name)
        for name, serial in (("Eva", 42), ("Tom", 45), ("Ana", 46))
    ]
    share_payment_record(target=rows[1], amount=Decimal("60.00"), paid_on=TODAY(), by=claire)
    mail.outbox.clear()  # the applications' acknowledgements
    return rows


def decide(application, name):
    return url(MembershipApplication, "decide", application.pk, name)


def page(application):
    return url(MembershipApplication, "change", application.pk)


def status(application):
    application.refresh_from_db()
    return application.status


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_paid_application_is_approved_from_its_page_then_the_next_one_opens(
    claire, claire_http, queue
):
    oldest, paid, newest = queue
    assert claire_http.get(decide(paid, "approve")).status_code == 200

    response = claire_http.post(decide(paid, "approve"), {"on": TODAY().isoformat()})

    assert response.url == page(oldest)  # newest first: after the middle one, the oldest
    assert "Application of Tom Martin approved." in said(response)
    paid.refresh_from_db()
    assert (paid.status, paid.decided_by) == (MembershipApplication.Status.APPROVED, claire)
    assert paid.member is not None
    # Decided, its page offers no decision any more.
    assert 'id="decision-buttons"' not in claire_http.get(page(paid)).content.decode()


def test_an_unpaid_application_needs_the_box_and_a_reason_on_the_form(claire_http, queue):
    unpaid = queue[2]

    response = claire_http.post(decide(unpaid, "approve"), {"on": TODAY().isoformat()})

    assert response.status_code == 400
    assert "approve_unpaid" in response.context["form"].errors
    response = claire_http.post(
        decide(unpaid, "approve"), {"on": TODAY().isoformat(), "approve_unpaid": "on"}
    )
    assert response.status_code == 400
    assert "unpaid_reason" in response.context["form"].errors
    assert status(unpaid) == MembershipApplication.Status.SUBMITTED


def test_refusing_needs_a_reason_then_the_applicant_is_told(
    claire_http, queue, django_capture_on_commit_callbacks
):
    oldest, paid, newest = queue
    response = claire_http.post(decide(oldest, "refuse"), {"reason": " "})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert status(oldest) == MembershipApplication.Status.SUBMITTED
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = claire_http.post(decide(oldest, "refuse"), {"reason": "Activity not eligible."})

    assert response.url == page(newest)  # the oldest was the last: back to the top
    oldest.refresh_from_db()
    assert (oldest.status, oldest.reason) == ("refused", "Activity not eligible.")
    assert [message.to for message in mail.outbox] == [["eva@example.test"]]


def test_asking_the_applicant_keeps_the_application_and_emails_the_question(
    claire, claire_http, queue, django_capture_on_commit_callbacks
):
    newest = queue[2]

    with django_capture_on_commit_callbacks(execute=True):
        response = claire_http.post(decide(newest, "ask"), {"reason": "Which activity exactly?"})

    assert response.url == page(queue[1])
    assert status(newest) == MembershipApplication.Status.SUBMITTED
    event = AuditEvent.objects.get(action="membership_application.information_requested")
    assert (event.actor, event.reason) == (claire, "Which activity exactly?")
    (message,) = mail.outbox
    assert message.to == ["ana@example.test"]
    assert "Which activity exactly?" in message.body


def test_when_nothing_else_waits_the_queue_says_it_is_empty(claire_http, claire):
    only = submit("eva@example.test", 42)

    response = claire_http.post(decide(only, "refuse"), {"reason": "Withdrawn by phone."})

    queue = reverse("admin:members_membershipapplication_changelist") + "?status__exact=submitted"
    assert response.url == queue
    assert "Queue empty: nothing else waits." in said(response)


def test_an_advisor_of_another_office_gets_404_and_changes_nothing(claire_http):
    namur = submit("nora@example.test", 43, office="namur", first_name="Nora")
    mail.outbox.clear()

    assert claire_http.get(decide(namur, "refuse")).status_code == 404
    assert claire_http.post(decide(namur, "refuse"), {"reason": "x"}).status_code == 404
    assert claire_http.post(decide(namur, "ask"), {"reason": "x"}).status_code == 404
    assert status(namur) == MembershipApplication.Status.SUBMITTED
    assert mail.outbox == []


def test_the_board_sees_the_application_but_may_not_decide(denis_http, queue):
    assert 'id="decision-buttons"' not in denis_http.get(page(queue[0])).content.decode()

    response = denis_http.post(decide(queue[0], "refuse"), {"reason": "x"})

    assert response.status_code == 403
    assert status(queue[0]) == MembershipApplication.Status.SUBMITTED


def test_a_member_cannot_reach_a_decision(alice, queue):
    member = HttpClient()
    member.force_login(alice)

    response = member.post(decide(queue[0], "refuse"), {"reason": "x"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert status(queue[0]) == MembershipApplication.Status.SUBMITTED
