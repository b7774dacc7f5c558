"""Decisions from an expense claim's own page in the back-office: approve, approve over the
balance, reject or ask the claimant, with the services of the list actions; then the next
claim of the queue. Another office's advisor gets 404, a member never reaches the page."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import AuditEvent
from payroll.models import ExpenseClaim, PayoutLine
from tests.conftest import _with_mfa
from tests.expense_helpers import alice_claim
from tests.factories.members import AdvisorFactory, office
from tests.work_helpers import set_balance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def claims(alice, alice_activity, admin_user):
    """Three of alice's claims to review, oldest first, the unit's balance at 100 €."""
    set_balance(alice_activity, "100.00", by=admin_user)
    return [
        alice_claim(alice, alice_activity, amount=amount, vat="0.00")
        for amount in ("20.00", "30.00", "40.00")
    ]


def decide(claim, name):
    return reverse("admin:payroll_expenseclaim_decide", args=[claim.pk, name])


def page(claim):
    return reverse("admin:payroll_expenseclaim_change", args=[claim.pk])


def status(claim):
    claim.refresh_from_db()
    return claim.status


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_page_of_a_claim_to_review_offers_its_decisions(claire_client, claims):
    content = claire_client.get(page(claims[0])).content.decode()

    for name in ("approve", "overdraft", "refuse", "ask"):
        assert decide(claims[0], name) in content


def test_approving_posts_the_claim_and_opens_the_next_one_of_the_queue(claire_client, claims):
    oldest, middle, newest = claims

    response = claire_client.post(decide(newest, "approve"))

    assert response.url == page(middle)  # the queue lists the newest first
    assert f"Claim #{newest.pk} approved: posted and queued for reimbursement." in said(response)
    assert status(newest) == ExpenseClaim.Status.APPROVED
    assert PayoutLine.objects.get(expense_claim=newest).amount == Decimal("40.00")
    # The approved claim offers no decision any more.
    assert decide(newest, "approve") not in claire_client.get(page(newest)).content.decode()


def test_over_the_balance_the_plain_approval_is_refused_and_the_overdraft_needs_a_reason(
    claire_client, alice_activity, admin_user, claims
):
    oldest, middle, newest = claims
    # The balance falls to 50 €: the two other claims pending (50 €) leave nothing for 40 €.
    set_balance(alice_activity, "50.00", by=admin_user)

    response = claire_client.post(decide(newest, "approve"))

    assert response.url == page(newest)
    assert any("40.00 € missing" in text for text in said(response))
    assert status(newest) == ExpenseClaim.Status.SUBMITTED
    response = claire_client.post(decide(newest, "overdraft"), {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert status(newest) == ExpenseClaim.Status.SUBMITTED
    assert not PayoutLine.objects.filter(expense_claim=newest).exists()

    response = claire_client.post(decide(newest, "overdraft"), {"reason": "Invoice paid Monday."})

    assert response.url == page(middle)
    newest.refresh_from_db()
    assert (newest.status, newest.decision_reason) == ("approved", "Invoice paid Monday.")


def test_once_every_claim_is_decided_the_queue_says_it_is_empty(claire_client, claims):
    oldest, middle, newest = claims
    claire_client.post(decide(newest, "refuse"), {"reason": "Duplicate."})
    claire_client.post(decide(middle, "refuse"), {"reason": "Duplicate."})

    response = claire_client.post(decide(oldest, "approve"))

    queue = reverse("admin:payroll_expenseclaim_changelist") + "?status__exact=submitted"
    assert response.url == queue
    assert "Queue empty: nothing else waits." in said(response)
    assert [status(claim) for claim in claims] == ["approved", "rejected", "rejected"]


def test_rejecting_needs_a_reason_the_claimant_reads(claire_client, claims):
    claim = claims[1]
    response = claire_client.post(decide(claim, "refuse"), {"reason": ""})
    assert response.status_code == 400
    assert status(claim) == ExpenseClaim.Status.SUBMITTED

    response = claire_client.post(decide(claim, "refuse"), {"reason": "No receipt."})

    assert response.url == page(claims[0])
    claim.refresh_from_db()
    assert (claim.status, claim.decision_reason) == ("rejected", "No receipt.")


def test_asking_the_claimant_keeps_the_claim_to_review_and_shows_the_question(
    claire_client, alice, claire, claims
):
    claim = claims[0]

    response = claire_client.post(decide(claim, "ask"), {"reason": "Which event was it for?"})

    assert response.url == page(claims[2])  # the oldest was last: back to the top
    assert status(claim) == ExpenseClaim.Status.SUBMITTED
    event = AuditEvent.objects.get(action="expense_claim.information_requested")
    assert (event.actor, event.reason) == (claire, "Which event was it for?")
    member = HttpClient()
    member.force_login(alice)
    detail = member.get(reverse("portal:expense_detail", args=[claim.pk]))
    assert "Which event was it for?" in detail.content.decode()
    assert "your advisor asks for information" in detail.content.decode()


def test_an_advisor_of_another_office_gets_404_and_changes_nothing(client, claims):
    client.force_login(_with_mfa(AdvisorFactory(office=office("namur"))))
    claim = claims[0]

    assert client.post(decide(claim, "approve")).status_code == 404
    assert client.post(decide(claim, "ask"), {"reason": "x"}).status_code == 404
    assert client.get(decide(claim, "refuse")).status_code == 404
    assert status(claim) == ExpenseClaim.Status.SUBMITTED
    assert not PayoutLine.objects.filter(expense_claim=claim).exists()
    assert not AuditEvent.objects.filter(action="expense_claim.information_requested").exists()


def test_a_member_cannot_reach_a_decision(alice_client, claims):
    response = alice_client.post(decide(claims[0], "approve"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert status(claims[0]) == ExpenseClaim.Status.SUBMITTED
