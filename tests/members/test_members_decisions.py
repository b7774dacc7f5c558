"""Decisions on membership: an application is approved only once fully paid (unless the
advisor says why), and the person concerned is told by e-mail of every decision — an
application approved or refused, a share transfer approved or refused by the board, a
resignation or an exclusion recorded — once the decision is committed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit import audit_trail
from core.encryption import lookup_hash
from members.demo_shares import ensure_demo_shares
from members.exit_services import member_exit
from members.models import Member, MembershipApplication, ShareRegisterEntry
from members.services import application_approve, application_refuse
from members.share_payment_services import share_payment_record
from members.transfer_services import (
    share_transfer_approve,
    share_transfer_refuse,
    share_transfer_request,
)
from tests.members.test_membership_admin import act, staff_http, submit

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def claire_http(claire):
    return staff_http(claire)


def paid(application, amount):
    share_payment_record(target=application, amount=D(amount), paid_on=TODAY())
    application.refresh_from_db()
    return application


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- approval requires full payment ------------------------------------------------------------


def test_an_unpaid_application_is_not_approved_and_the_amount_due_is_named(claire):
    application = submit("eva@example.test", 42, preferred_language="en")
    with pytest.raises(ValidationError) as excinfo:
        application_approve(application=application, by=claire)
    assert errors_of(excinfo)["unpaid_reason"] == [
        "60.00 € of 60.00 € is still due on this application: approve it once it is fully "
        "paid, or give the reason to approve it anyway."
    ]
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert not Member.objects.filter(
        national_number_hash=lookup_hash(application.national_number)
    ).exists()


def test_a_partly_paid_application_is_not_approved(claire):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "30.00")
    with pytest.raises(ValidationError) as excinfo:
        application_approve(application=application, by=claire, unpaid_reason="   ")
    assert "30.00 € of 60.00 € is still due" in errors_of(excinfo)["unpaid_reason"][0]
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert not ShareRegisterEntry.objects.exists()


def test_a_fully_paid_application_is_approved_without_a_reason(claire):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "60.00")
    member = application_approve(application=application, by=claire)
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.reason == ""
    event = audit_trail(application).first()
    assert event.action == "membership_application.approved"
    assert "unpaid_reason" not in event.changes
    assert member.number is not None


def test_an_advisor_overrides_with_a_reason_kept_on_the_decision_the_register_and_the_audit(
    claire,
):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "30.00")
    member = application_approve(
        application=application,
        by=claire,
        reason="Documents checked",
        unpaid_reason="Second share paid by the employer in March",
    )
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.reason == (
        "Documents checked\n"
        "Approved with 30.00 € still due: Second share paid by the employer in March"
    )
    subscription = ShareRegisterEntry.objects.get(member=member, operation="subscription")
    assert "Approved with 30.00 € still due: Second share paid by the employer in March" in (
        subscription.note
    )
    event = audit_trail(application).first()
    assert (event.action, event.actor) == ("membership_application.approved", claire)
    assert event.changes["still_due"] == "30.00"
    assert event.changes["unpaid_reason"] == "Second share paid by the employer in March"
    assert "Second share paid by the employer in March" in event.reason


# --- the approve action of the queue -----------------------------------------------------------


def test_the_approve_page_shows_what_is_still_due(claire, claire_http):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "30.00")
    response = act(claire_http, MembershipApplication, "approve_selected", [application])
    assert response.status_code == 200
    content = response.content.decode()
    assert "partly paid: 30.00 € of 60.00 € — 30.00 € still due" in content
    assert 'name="approve_unpaid"' in content and 'name="unpaid_reason"' in content


def test_approving_an_unpaid_application_in_the_queue_without_override_is_400(claire, claire_http):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "30.00")
    response = act(
        claire_http, MembershipApplication, "approve_selected", [application], on=TODAY()
    )
    assert response.status_code == 400
    assert response.context["form"].errors["approve_unpaid"] == [
        "Not fully paid: Eva Martin, 30.00 € still due. Approve them once paid, or tick this "
        "box and say why."
    ]
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_the_override_in_the_queue_needs_a_reason(claire, claire_http):
    application = submit("eva@example.test", 42, preferred_language="en")
    response = act(
        claire_http,
        MembershipApplication,
        "approve_selected",
        [application],
        on=TODAY(),
        approve_unpaid="on",
        unpaid_reason=" ",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["unpaid_reason"] == [
        "Say why you approve before the shares are fully paid."
    ]
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_the_override_in_the_queue_with_a_reason_approves_and_audits(claire, claire_http):
    application = submit("eva@example.test", 42, preferred_language="en")
    response = act(
        claire_http,
        MembershipApplication,
        "approve_selected",
        [application],
        on=TODAY(),
        approve_unpaid="on",
        unpaid_reason="Pays in two instalments, agreed with the board",
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    event = audit_trail(application).first()
    assert event.changes["still_due"] == "60.00"
    assert event.changes["unpaid_reason"] == "Pays in two instalments, agreed with the board"


# --- e-mails on decisions ---------------------------------------------------------------------


def test_the_applicant_is_told_of_the_approval_after_commit(
    claire, django_capture_on_commit_callbacks
):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "60.00")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member = application_approve(application=application, by=claire)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["eva@example.test"]
    assert message.subject == (f"Welcome to the cooperative: you are member no. {member.number}")
    assert f"with the member number {member.number}" in message.body
    assert "still due" not in message.body


def test_an_approval_with_money_due_tells_what_is_left_to_pay(
    claire, django_capture_on_commit_callbacks
):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "30.00")
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, by=claire, unpaid_reason="Agreed")
    (message,) = mail.outbox
    assert "30.00 € is still due on your shares" in message.body
    assert application.structured_reference in message.body


def test_a_refused_approval_sends_nothing(claire, django_capture_on_commit_callbacks):
    application = submit("eva@example.test", 42, preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        application_approve(application=application, by=claire)
    assert mail.outbox == []


def test_the_applicant_is_told_of_the_refusal_and_the_refund(
    claire, django_capture_on_commit_callbacks
):
    application = paid(submit("eva@example.test", 42, preferred_language="en"), "30.00")
    with django_capture_on_commit_callbacks(execute=True):
        application_refuse(application=application, by=claire, reason="Identity not confirmed")
    (message,) = mail.outbox
    assert message.to == ["eva@example.test"]
    assert message.subject == "Your membership application was not accepted"
    assert "Identity not confirmed" in message.body
    assert "The 30.00 € you paid for your shares will be paid back" in message.body


@pytest.fixture
def shares(alice, bob, denis, claire, admin_user):
    """The demo shares; alice and bob read their e-mails in English (the msgids)."""
    ensure_demo_shares(by=admin_user)
    Member.objects.filter(pk__in=[alice.member.pk, bob.member.pk]).update(preferred_language="en")


def test_the_transferor_is_told_of_the_boards_approval(
    shares, alice, bob, denis, django_capture_on_commit_callbacks
):
    request = share_transfer_request(
        from_member=alice.member, to_member_number=bob.member.number, shares=2, by=alice
    )
    with django_capture_on_commit_callbacks(execute=True):
        share_transfer_approve(
            request=request, by=denis, decision_reference="CA-2025-06-30", on=date(2025, 6, 30)
        )
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == "Your transfer of shares is approved"
    assert (
        f"transfer of 2 shares to {bob.member.display_name}: it is recorded in the share "
        "register on 2025-06-30 (decision CA-2025-06-30)" in " ".join(message.body.split())
    )


def test_the_transferor_is_told_of_the_boards_refusal(
    shares, alice, bob, denis, django_capture_on_commit_callbacks
):
    request = share_transfer_request(
        from_member=alice.member, to_member_number=bob.member.number, shares=1, by=alice
    )
    with django_capture_on_commit_callbacks(execute=True):
        share_transfer_refuse(request=request, by=denis, reason="The recipient is leaving")
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == "Your transfer of shares was refused"
    assert "transfer of 1 share to" in message.body
    assert "The recipient is leaving" in message.body


def test_the_member_is_told_of_a_recorded_resignation_with_the_refund(
    shares, alice, claire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_exit(member=alice.member, by=claire, kind="resignation", on=TODAY())
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == "Your resignation from the cooperative is recorded"
    assert f"no longer a member of the cooperative from {TODAY().isoformat()}" in message.body
    assert "90.00 € will be paid to your account" in message.body


def test_the_member_is_told_of_an_exclusion_with_its_reason(
    shares, bob, denis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_exit(
            member=bob.member,
            by=denis,
            kind="exclusion",
            on=TODAY(),
            decision_reference="CA-2026-01",
            reason="Statutes art. 12",
        )
    (message,) = mail.outbox
    assert message.to == [bob.email]
    assert message.subject == "Your exclusion from the cooperative"
    assert "By its decision CA-2026-01, the board excluded you" in message.body
    assert "Statutes art. 12" in message.body
    assert "30.00 € will be paid to your account" in message.body


def test_no_email_for_a_death(shares, alice, claire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member_exit(member=alice.member, by=claire, kind="death", on=TODAY())
    assert mail.outbox == []


def _members_with(application):
    """The members with the national number of `application` (by its keyed hash)."""
    return Member.objects.filter(national_number_hash=lookup_hash(application.national_number))
