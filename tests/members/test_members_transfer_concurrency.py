"""Two board approvals at the same moment of two transfer requests of one member that his
shares can't both satisfy: exactly one is recorded, the other is refused, and the register
never shows the transferor below zero (PostgreSQL row locks on the members)."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from members.demo_shares import ensure_demo_shares
from members.models import ShareRegisterEntry, ShareTransferRequest
from members.selectors import member_shares
from members.share_services import shares_transfer
from members.transfer_services import share_transfer_approve, share_transfer_request

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

WAIT = 20  # seconds: a deadlock fails the test instead of hanging it


@pytest.fixture
def two_requests(alice, bob, denis, claire, admin_user):
    """Denis holds 10 fully paid shares and asks to transfer 6 to alice and 3 to bob (he keeps
    the minimum of 1); then the board records a direct transfer of 3 of his shares to bob.
    He holds 7: either request can still be approved, not both."""
    ensure_demo_shares(by=admin_user)
    to_alice = share_transfer_request(
        from_member=denis.member, to_member_number=alice.member.number, shares=6, by=denis
    )
    to_bob = share_transfer_request(
        from_member=denis.member, to_member_number=bob.member.number, shares=3, by=denis
    )
    shares_transfer(
        from_member=denis.member,
        to_member=bob.member,
        shares=3,
        by=denis,
        on=date(2025, 6, 1),
        decision_reference="CA-2025-06-01",
    )
    assert member_shares(member=denis.member).held == 7
    return [to_alice, to_bob]


def _approve_together(requests, by):
    barrier = threading.Barrier(len(requests), timeout=WAIT)
    results, errors = [], []

    def approve(request):
        try:
            barrier.wait()
            results.append(
                share_transfer_approve(
                    request=request,
                    by=by,
                    decision_reference="CA-2025-06-30",
                    on=timezone.localdate(),
                )
            )
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_only_one_of_two_concurrent_approvals_is_recorded(two_requests, denis):
    results, errors = _approve_together(two_requests, denis)

    assert len(results) == 1, errors
    (error,) = errors
    assert isinstance(error, ValidationError)
    assert "shares" in error.message_dict
    (approved,) = results
    statuses = dict(ShareTransferRequest.objects.values_list("pk", "status"))
    refused = next(request for request in two_requests if request.pk != approved.pk)
    assert statuses == {
        approved.pk: ShareTransferRequest.Status.APPROVED,
        refused.pk: ShareTransferRequest.Status.REQUESTED,  # still waits for the board
    }
    out_entries = ShareRegisterEntry.objects.filter(
        member=denis.member, operation=ShareRegisterEntry.Operation.TRANSFER_OUT
    )
    assert out_entries.count() == 2  # the direct transfer and the approved request

    # The register never goes negative: after every entry, in order, denis holds ≥ 0 shares,
    # and what he holds now is 7 minus the approved request.
    held = 0
    for shares in (
        ShareRegisterEntry.objects.filter(member=denis.member)
        .order_by("date", "id")
        .values_list("shares", flat=True)
    ):
        held += shares
        assert held >= 0
    position = member_shares(member=denis.member)
    assert position.held == held == 7 - approved.shares >= 1
    assert position.fully_paid_shares == position.held
