"""Back-office actions on members and applications: a category change and a resignation
recorded by an advisor (form, confirmation page, then the register services), and an
application received on paper entered through the portal's service."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_trail
from members.demo_shares import ensure_demo_shares
from members.models import (
    Member,
    MemberExit,
    MembershipApplication,
    RefundPayout,
    ShareRegisterEntry,
)
from tests.joining_helpers import application_data
from tests.members.test_membership_admin import act, last_message, shown, staff_http, submit, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def claire_http(claire):
    return staff_http(claire)


@pytest.fixture
def shares(alice, bob, denis, claire, admin_user):
    ensure_demo_shares(by=admin_user)


def _register(member):
    return list(ShareRegisterEntry.objects.filter(member=member).values_list("pk", flat=True))


# --- category change ----------------------------------------------------------------------


def test_a_category_change_is_confirmed_then_recorded_in_the_register(
    shares, alice, claire, claire_http
):
    member = alice.member
    page = act(claire_http, Member, "change_category", [member])
    assert page.status_code == 200
    assert 'name="category"' in page.content.decode()
    data = {
        "category": "C",
        "on": TODAY().isoformat(),
        "decision_reference": "CA-2026-02",
        "reason": "Stops her activity, stays a supporter",
    }
    confirm = act(claire_http, Member, "change_category", [member], **data)
    assert confirm.status_code == 200
    content = confirm.content.decode()
    assert 'id="action-confirm"' in content
    assert (
        "category A — develops an activity → C — client, partner, investor, sympathiser on "
        f"{TODAY().isoformat()} — may no longer open production units" in content
    )
    member.refresh_from_db()
    assert member.category == "A"  # nothing applied before the confirmation
    done = act(claire_http, Member, "change_category", [member], confirmed="yes", **data)
    assert done.status_code == 302
    assert last_message(done) == "1 category changed."
    member.refresh_from_db()
    assert (member.category, member.may_open_units) == ("C", False)
    entry = ShareRegisterEntry.objects.get(member=member, operation="category_change")
    assert (entry.category, entry.decision_reference, entry.date) == ("C", "CA-2026-02", TODAY())
    assert entry.note == "Stops her activity, stays a supporter"
    assert audit_trail(member).first().action == "member.category_changed"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"reason": " "}, "reason"),
        ({"category": "Z"}, "category"),
        ({"category": "A"}, "category"),  # already in it: the service says so
        ({"on": "2019-01-01"}, "on"),  # before her admission
        ({"on": "someday"}, "on"),
    ],
)
def test_a_bad_category_change_is_400_and_changes_nothing(
    shares, alice, claire_http, changes, field
):
    member = alice.member
    before = _register(member)
    data = {"category": "C", "on": TODAY().isoformat(), "reason": "x", **changes}
    response = act(claire_http, Member, "change_category", [member], confirmed="yes", **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    member.refresh_from_db()
    assert member.category == "A"
    assert _register(member) == before


# --- resignation recorded by an advisor ------------------------------------------------------


def test_a_resignation_is_confirmed_with_the_refund_then_recorded(
    shares, alice, claire, claire_http, django_capture_on_commit_callbacks
):
    member = alice.member
    data = {"on": TODAY().isoformat(), "reason": "Letter of 2026-03-02", "payout_iban": ""}
    confirm = act(claire_http, Member, "record_resignation", [member], **data)
    assert confirm.status_code == 200
    content = confirm.content.decode()
    assert 'id="action-confirm"' in content
    assert "3 share(s) held, 90.00 € refunded to" in content
    assert not MemberExit.objects.filter(member=member).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = act(claire_http, Member, "record_resignation", [member], confirmed="yes", **data)
    assert done.status_code == 302
    assert last_message(done) == "1 resignation recorded."
    member.refresh_from_db()
    assert (member.status, member.left_on) == (Member.Status.RESIGNED, TODAY())
    record = MemberExit.objects.get(member=member)
    assert (record.kind, record.status, record.reason) == (
        "resignation",
        "recorded",
        "Letter of 2026-03-02",
    )
    assert RefundPayout.objects.get(member=member).amount == Decimal("90.00")
    assert [message.to for message in mail.outbox] == [[alice.email]]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"reason": ""}, "reason"),
        ({"on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "on"),
        ({"payout_iban": "BE00 0000 0000 0000"}, "payout_iban"),
    ],
)
def test_a_bad_resignation_is_400_and_records_nothing(shares, alice, claire_http, changes, field):
    member = alice.member
    data = {"on": TODAY().isoformat(), "reason": "Letter", "payout_iban": "", **changes}
    response = act(claire_http, Member, "record_resignation", [member], confirmed="yes", **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    member.refresh_from_db()
    assert member.status == Member.Status.MEMBER
    assert not MemberExit.objects.filter(member=member).exists()
    assert not RefundPayout.objects.exists()


def test_a_member_who_left_is_not_offered_to_the_actions(shares, alice, claire, claire_http):
    from members.exit_services import member_exit

    member_exit(member=alice.member, by=claire, kind="death", on=TODAY())
    page = act(claire_http, Member, "record_resignation", [alice.member])
    assert "None of the chosen rows can be processed this way." in page.content.decode()


def test_a_member_sees_no_member_actions(shares, alice, bob):
    http = staff_http(bob)  # not staff: the back-office sends him to its login
    response = act(http, Member, "change_category", [alice.member], category="C", reason="x")
    assert response.status_code == 302 and "/login/" in response["Location"]
    alice.member.refresh_from_db()
    assert alice.member.category == "A"


# --- paper applications -----------------------------------------------------------------------


def paper_url():
    return reverse("admin:members_membershipapplication_paper")


def paper_data(**overrides):
    return application_data(
        **{"submitted_on": (TODAY() - timedelta(days=3)).isoformat(), **overrides}
    )


def test_an_advisor_enters_a_paper_application_and_it_waits_in_the_queue(
    claire, claire_http, django_capture_on_commit_callbacks
):
    listing = claire_http.get(url(MembershipApplication, "changelist"))
    assert paper_url() in listing.content.decode()
    assert claire_http.get(paper_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = claire_http.post(paper_url(), paper_data())
    application = MembershipApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(MembershipApplication, "change", application.pk)
    assert application.source == MembershipApplication.Source.PAPER
    assert application.user is None
    assert application.submitted_on == TODAY() - timedelta(days=3)
    assert application.iban == "BE62510007547061"
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert application in shown(claire_http, MembershipApplication, "?status__exact=submitted")
    assert shown(claire_http, MembershipApplication, "?source__exact=paper") == [application]
    event = audit_trail(application).first()
    assert (event.action, event.actor) == ("membership_application.submitted", claire)
    assert event.changes["source"] == "paper"
    # The applicant gets the payment instructions, as from the portal.
    (message,) = mail.outbox
    assert message.to == ["nora@example.test"]


def test_a_paper_application_for_a_national_number_already_applying_is_400(claire_http):
    first = submit("eva@example.test", 57)
    response = claire_http.post(
        paper_url(),
        paper_data(
            national_number=first.national_number,
            birth_date=first.birth_date.isoformat(),
            email="other@example.test",
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["national_number"] == [
        "An application with this national register number is already open."
    ]
    assert MembershipApplication.objects.count() == 1


def test_a_paper_application_with_an_email_of_a_member_is_400(alice, claire_http):
    response = claire_http.post(paper_url(), paper_data(email=alice.email))
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "A member with this email address already exists."
    ]
    assert not MembershipApplication.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"iban": "BE62 5100 0754 7062"}, "iban"),
        ({"national_number": "91030805712"}, "national_number"),
        ({"submitted_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "submitted_on"),
        ({"shares": "0"}, "shares"),
    ],
)
def test_a_bad_paper_application_is_400_and_saves_nothing(claire_http, changes, field):
    response = claire_http.post(paper_url(), paper_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not MembershipApplication.objects.exists()


def test_only_advisors_enter_paper_applications(denis, alice):
    assert staff_http(denis).get(paper_url()).status_code == 403
    response = staff_http(alice).post(paper_url(), paper_data())
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not MembershipApplication.objects.exists()
