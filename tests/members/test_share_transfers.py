"""Share transfers between members as a queue: a member (or an advisor for them) asks, the
board approves (both sides in the register on the decision's date) or refuses with a reason,
the requester may cancel while it waits. Also the board's queue in the admin.

The demo shares (members.demo_shares): alice holds 3 fully paid shares (30 € each, last entry
2024-01-20), bob holds 3 shares of which 1 is fully paid (30 € of 90 €, last entry 2025-03-10),
denis 10 fully paid. The minimum a member keeps is 1 share.
"""

from datetime import date
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from core.audit import audit_trail
from members.demo_shares import ensure_demo_shares
from members.exit_services import member_exit
from members.models import MemberExit, ShareRegisterEntry, ShareTransferRequest
from members.selectors import member_shares
from members.transfer_services import (
    share_transfer_approve,
    share_transfer_cancel,
    share_transfer_refuse,
    share_transfer_request,
    shares_transferable,
)

pytestmark = pytest.mark.django_db

D = Decimal
Status = ShareTransferRequest.Status
DECIDED_ON = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def shares(alice, bob, denis, claire, admin_user):
    ensure_demo_shares(by=admin_user)


def staff_http(user) -> HttpClient:
    """A logged-in back-office client (the back-office asks for a second factor)."""
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    http = HttpClient()
    http.force_login(user)
    return http


def ask(by, from_user, to_user, shares, note=""):
    return share_transfer_request(
        from_member=from_user.member,
        to_member_number=to_user.member.number,
        shares=shares,
        note=note,
        by=by,
    )


def fields_of(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# --- request → board approval ------------------------------------------------------------------


def test_the_board_approves_a_request_and_the_register_shows_both_sides_that_day(
    shares, alice, bob, denis
):
    request = ask(alice, alice, bob, 2, note="Bob takes over my studio")
    assert (request.status, request.requested_by, request.shares) == (Status.REQUESTED, alice, 2)
    # Nothing in the register while the board has not decided.
    assert not ShareRegisterEntry.objects.filter(operation__startswith="transfer").exists()

    request = share_transfer_approve(
        request=request, by=denis, decision_reference="CA-2025-06-30", on=DECIDED_ON
    )

    assert request.status == Status.APPROVED
    assert (request.decided_by, request.decision_reference) == (denis, "CA-2025-06-30")
    out, into = request.transfer_out_entry, request.transfer_in_entry
    assert (out.member, out.operation, out.date, out.shares) == (
        alice.member,
        "transfer_out",
        DECIDED_ON,
        -2,
    )
    assert (out.amount, out.paid_amount, out.counterparty) == (D("-60.00"), D("-60.00"), bob.member)
    assert (into.member, into.operation, into.date, into.shares) == (
        bob.member,
        "transfer_in",
        DECIDED_ON,
        2,
    )
    assert (into.amount, into.paid_amount, into.related_entry) == (D("60.00"), D("60.00"), out)
    assert out.decision_reference == into.decision_reference == "CA-2025-06-30"
    # Positions: the day before unchanged, from that day moved.
    before, after = date(2025, 6, 29), DECIDED_ON
    alice_before = member_shares(member=alice.member, at=before)
    bob_before = member_shares(member=bob.member, at=before)
    assert (alice_before.held, alice_before.refundable) == (3, D("90.00"))
    assert (bob_before.held, bob_before.refundable) == (3, D("30.00"))
    alice_after = member_shares(member=alice.member, at=after)
    bob_after = member_shares(member=bob.member, at=after)
    assert (alice_after.held, alice_after.nominal, alice_after.refundable) == (
        1,
        D("30.00"),
        D("30.00"),
    )
    assert (bob_after.held, bob_after.nominal, bob_after.refundable) == (5, D("150.00"), D("90.00"))
    actions = [event.action for event in audit_trail(request)]
    assert actions == ["share_transfer.approved", "share_transfer.requested"]


def test_an_advisor_can_ask_for_a_member(shares, claire, alice, bob):
    request = ask(claire, alice, bob, 1)
    assert (request.requested_by, request.from_member) == (claire, alice.member)


def test_a_member_cannot_ask_for_someone_else(shares, alice, bob):
    with pytest.raises(PermissionDenied):
        ask(bob, alice, bob, 1)
    assert not ShareTransferRequest.objects.exists()


# --- what can be asked -------------------------------------------------------------------------


def test_more_than_the_fully_paid_shares_is_refused_naming_shares(shares, bob, alice):
    # Bob holds 3 shares but paid only one of them.
    with pytest.raises(ValidationError) as excinfo:
        ask(bob, bob, alice, 2)
    assert fields_of(excinfo) == {"shares"}
    assert (
        "Only 1 fully paid share(s) can be transferred" in excinfo.value.message_dict["shares"][0]
    )
    assert not ShareTransferRequest.objects.exists()


@pytest.mark.parametrize("shares_asked", [0, -1, "2", 1.5, True])
def test_the_number_of_shares_is_a_whole_number_of_at_least_one(shares, alice, bob, shares_asked):
    with pytest.raises(ValidationError) as excinfo:
        ask(alice, alice, bob, shares_asked)
    assert fields_of(excinfo) == {"shares"}


def test_pending_requests_count_against_the_shares_available(shares, alice, bob, denis):
    assert shares_transferable(member=alice.member) == 3
    ask(alice, alice, bob, 2)
    assert shares_transferable(member=alice.member) == 1
    with pytest.raises(ValidationError) as excinfo:
        ask(alice, alice, denis, 2)
    assert fields_of(excinfo) == {"shares"}
    assert "2 already in a request waiting for the board" in str(excinfo.value)
    assert ShareTransferRequest.objects.count() == 1


def test_a_member_keeps_the_minimum_share(shares, alice, bob):
    with pytest.raises(ValidationError) as excinfo:
        ask(alice, alice, bob, 3)
    assert fields_of(excinfo) == {"shares"}
    assert "keep at least 1 share(s)" in str(excinfo.value)


def test_cancelling_a_request_frees_its_shares(shares, alice, bob, denis):
    request = ask(alice, alice, bob, 2)
    share_transfer_cancel(request=request, by=alice)
    request.refresh_from_db()
    assert request.status == Status.CANCELLED
    assert shares_transferable(member=alice.member) == 3
    assert ask(alice, alice, denis, 2).status == Status.REQUESTED
    assert audit_trail(request).first().action == "share_transfer.cancelled"


def test_the_recipient_is_an_active_member_found_by_number(shares, alice, bob, claire):
    member_exit(
        member=bob.member,
        by=claire,
        kind=MemberExit.Kind.RESIGNATION,
        on=date(2025, 12, 31),
    )
    answers = {}
    for number in (bob.member.number, 999_999, "abc", ""):
        with pytest.raises(ValidationError) as excinfo:
            share_transfer_request(
                from_member=alice.member, to_member_number=number, shares=1, by=alice
            )
        assert fields_of(excinfo) == {"to_member"}
        answers[number] = excinfo.value.message_dict["to_member"]
    # A former member and an unknown number get the same answer: nothing more is revealed.
    assert answers[bob.member.number] == answers[999_999] == answers["abc"] == answers[""]
    assert answers[999_999] == ["There is no active member with this number."]
    assert "Bertrand" not in str(answers)
    assert not ShareTransferRequest.objects.exists()


def test_a_member_cannot_transfer_to_themselves(shares, alice):
    with pytest.raises(ValidationError) as excinfo:
        ask(alice, alice, alice, 1)
    assert fields_of(excinfo) == {"to_member"}


# --- the board's decision ----------------------------------------------------------------------


def test_refusing_needs_a_reason(shares, alice, bob, denis):
    request = ask(alice, alice, bob, 1)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as excinfo:
            share_transfer_refuse(request=request, by=denis, reason=reason)
        assert fields_of(excinfo) == {"reason"}
    request.refresh_from_db()
    assert request.status == Status.REQUESTED
    request = share_transfer_refuse(request=request, by=denis, reason="Bob is not a co-worker")
    assert (request.status, request.refusal_reason, request.decided_by) == (
        Status.REFUSED,
        "Bob is not a co-worker",
        denis,
    )
    assert audit_trail(request).first().reason == "Bob is not a co-worker"
    # Refused: the shares are available again.
    assert shares_transferable(member=alice.member) == 3


@pytest.mark.parametrize("persona", ["claire", "alice"])
def test_only_the_board_decides(request, shares, alice, bob, persona):
    transfer = ask(alice, alice, bob, 1)
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        share_transfer_approve(request=transfer, by=user, decision_reference="CA-1", on=DECIDED_ON)
    with pytest.raises(PermissionDenied):
        share_transfer_refuse(request=transfer, by=user, reason="No")
    transfer.refresh_from_db()
    assert transfer.status == Status.REQUESTED
    assert not ShareRegisterEntry.objects.filter(operation__startswith="transfer").exists()


def test_an_approval_the_register_refuses_leaves_the_request_waiting(shares, alice, bob, denis):
    transfer = ask(alice, alice, bob, 1)
    entries = ShareRegisterEntry.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        share_transfer_approve(request=transfer, by=denis, decision_reference=" ", on=DECIDED_ON)
    assert fields_of(excinfo) == {"decision_reference"}
    # Before bob's last register entry (2025-03-10): shares_transfer's date rule.
    with pytest.raises(ValidationError) as excinfo:
        share_transfer_approve(
            request=transfer, by=denis, decision_reference="CA-1", on=date(2025, 3, 1)
        )
    assert fields_of(excinfo) == {"on"}
    transfer.refresh_from_db()
    assert (transfer.status, transfer.transfer_out_entry) == (Status.REQUESTED, None)
    assert ShareRegisterEntry.objects.count() == entries


def test_the_register_is_checked_again_at_approval(shares, alice, bob, denis, claire):
    """Between the request and the decision alice gave shares in another (direct) transfer:
    the board can no longer approve more than she holds fully paid."""
    from members.share_services import shares_transfer

    transfer = ask(alice, alice, bob, 2)
    shares_transfer(
        from_member=alice.member,
        to_member=denis.member,
        shares=1,
        by=denis,
        on=date(2025, 5, 1),
        decision_reference="CA-2025-05",
    )
    with pytest.raises(ValidationError) as excinfo:
        share_transfer_approve(request=transfer, by=denis, decision_reference="CA-2", on=DECIDED_ON)
    assert "shares" in fields_of(excinfo)
    transfer.refresh_from_db()
    assert transfer.status == Status.REQUESTED


def test_a_decided_request_is_not_decided_or_cancelled_again(shares, alice, bob, denis):
    transfer = ask(alice, alice, bob, 1)
    share_transfer_approve(request=transfer, by=denis, decision_reference="CA-1", on=DECIDED_ON)
    for attempt in (
        lambda: share_transfer_approve(
            request=transfer, by=denis, decision_reference="CA-1", on=DECIDED_ON
        ),
        lambda: share_transfer_refuse(request=transfer, by=denis, reason="Changed our mind"),
        lambda: share_transfer_cancel(request=transfer, by=alice),
    ):
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert fields_of(excinfo) == {"status"}
    assert ShareRegisterEntry.objects.filter(operation="transfer_in").count() == 1


def test_only_the_requester_cancels(shares, alice, bob, claire, denis):
    transfer = ask(alice, alice, bob, 1)
    for someone_else in (bob, denis):
        with pytest.raises(PermissionDenied):
            share_transfer_cancel(request=transfer, by=someone_else)
    transfer.refresh_from_db()
    assert transfer.status == Status.REQUESTED
    # An advisor's request may be withdrawn by that advisor, or by the transferor.
    by_claire = ask(claire, alice, bob, 1)
    assert share_transfer_cancel(request=by_claire, by=claire).status == Status.CANCELLED


# --- the portal --------------------------------------------------------------------------------


def test_alice_asks_in_the_portal_and_sees_her_request(shares, alice_client, alice, bob, settings):
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = alice_client.post(
        reverse("portal:membership_transfer_request"),
        {"to_member": bob.member.number, "shares": "2", "note": "Studio"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:membership_shares")
    transfer = ShareTransferRequest.objects.get()
    assert (transfer.from_member, transfer.to_member, transfer.shares, transfer.note) == (
        alice.member,
        bob.member,
        2,
        "Studio",
    )
    page = alice_client.get(reverse("portal:membership_shares")).content.decode()
    assert f'data-transfer="{transfer.pk}" data-status="requested"' in page
    assert reverse("portal:membership_transfer_cancel", args=[transfer.pk]) in page
    assert "Bertrand" not in page  # the recipient by number only


def test_a_refused_portal_request_shows_the_field_and_saves_nothing(
    shares, bob_client, alice, settings
):
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = bob_client.post(
        reverse("portal:membership_transfer_request"),
        {"to_member": alice.member.number, "shares": "2"},
    )
    assert response.status_code == 400
    assert "shares" in response.context["transfer_form"].errors
    assert "Only 1 fully paid share(s)" in response.content.decode()
    response = bob_client.post(
        reverse("portal:membership_transfer_request"), {"to_member": "999999", "shares": "1"}
    )
    assert response.status_code == 400
    assert response.context["transfer_form"].errors["to_member"] == [
        "There is no active member with this number."
    ]
    assert not ShareTransferRequest.objects.exists()


def test_alice_cancels_after_confirming(shares, alice_client, alice, bob):
    transfer = ask(alice, alice, bob, 1)
    url = reverse("portal:membership_transfer_cancel", args=[transfer.pk])
    response = alice_client.get(url)
    assert response.status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == Status.REQUESTED  # the page only asks
    response = alice_client.post(url)
    assert response["Location"] == reverse("portal:membership_shares")
    transfer.refresh_from_db()
    assert transfer.status == Status.CANCELLED
    # Once cancelled, cancelling again is refused on the page, with nothing changed.
    response = alice_client.post(url)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


# --- the board's queue in the admin ------------------------------------------------------------


def _changelist():
    return reverse("admin:members_sharetransferrequest_changelist")


def _act(http, action, objects, **data):
    payload = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    if data:
        payload.update(data, apply="yes")
    return http.post(_changelist(), payload)


def test_the_board_approves_in_the_admin_with_a_reference_and_date(shares, alice, bob, denis):
    denis_http = staff_http(denis)
    transfer = ask(alice, alice, bob, 2)
    response = _act(denis_http, "approve_selected", [transfer])
    assert response.status_code == 200  # the intermediate page
    assert "decision_reference" in response.context["form"].fields
    response = _act(
        denis_http,
        "approve_selected",
        [transfer],
        decision_reference="CA-2025-06-30",
        on=DECIDED_ON.isoformat(),
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 transfer approved."]
    transfer.refresh_from_db()
    assert transfer.status == Status.APPROVED
    assert transfer.transfer_in_entry.date == DECIDED_ON
    assert member_shares(member=bob.member).held == 5


def test_an_approval_without_reference_shows_the_page_again(shares, alice, bob, denis):
    denis_http = staff_http(denis)
    transfer = ask(alice, alice, bob, 1)
    response = _act(
        denis_http, "approve_selected", [transfer], decision_reference="", on="2025-06-30"
    )
    assert response.status_code == 400
    assert "decision_reference" in response.context["form"].errors
    # The register refuses a date before bob's last entry: shown on the form too.
    response = _act(
        denis_http, "approve_selected", [transfer], decision_reference="CA-1", on="2025-03-01"
    )
    assert response.status_code == 400
    assert "on" in response.context["form"].errors
    transfer.refresh_from_db()
    assert transfer.status == Status.REQUESTED


def test_the_board_refuses_in_the_admin_with_a_reason(shares, alice, bob, denis):
    denis_http = staff_http(denis)
    transfer = ask(alice, alice, bob, 1)
    response = _act(denis_http, "refuse_with_reason", [transfer], reason="")
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    response = _act(denis_http, "refuse_with_reason", [transfer], reason="Not this year")
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.refusal_reason) == (Status.REFUSED, "Not this year")


def test_an_advisor_sees_the_queue_read_only(shares, alice, bob, claire, denis):
    claire_http = staff_http(claire)
    mine = ask(alice, alice, bob, 1)  # alice is in claire's office (Brussels)
    other = ask(denis, denis, alice, 1)  # denis is in Namur
    response = claire_http.get(_changelist())
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    assert response.context["action_form"] is None  # no action for an advisor
    change = reverse("admin:members_sharetransferrequest_change", args=[mine.pk])
    assert claire_http.get(change).status_code == 200
    url_other = reverse("admin:members_sharetransferrequest_change", args=[other.pk])
    assert claire_http.get(url_other).status_code == 302  # not in her queue: back to the index
    _act(claire_http, "approve_selected", [mine], decision_reference="CA-1", on="2025-06-30")
    mine.refresh_from_db()
    assert mine.status == Status.REQUESTED


def test_no_one_adds_or_deletes_a_request_in_the_admin(shares, alice, bob, admin_user):
    http = staff_http(admin_user)
    transfer = ask(alice, alice, bob, 1)
    assert http.get(reverse("admin:members_sharetransferrequest_add")).status_code == 403
    url = reverse("admin:members_sharetransferrequest_delete", args=[transfer.pk])
    assert http.post(url, {"post": "yes"}).status_code == 403
    assert ShareTransferRequest.objects.filter(pk=transfer.pk).exists()


def test_the_board_sees_the_transfers_to_decide_on_the_admin_index(
    shares, alice, bob, denis, claire
):
    ask(alice, alice, bob, 1)
    decided = ask(denis, denis, bob, 1)
    share_transfer_refuse(request=decided, by=denis, reason="No")
    index = staff_http(denis).get(reverse("admin:index")).context["advisor_queue"]
    queue = {item.label: item for item in index}
    assert queue["Share transfers to decide"].count == 1
    assert "status__exact=requested" in queue["Share transfers to decide"].url
    advisor_index = staff_http(claire).get(reverse("admin:index")).context["advisor_queue"]
    assert "Share transfers to decide" not in {item.label for item in advisor_index}
