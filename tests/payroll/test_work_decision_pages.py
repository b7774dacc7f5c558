"""Decisions from a work declaration's and a contract's own page in the back-office: the
buttons the state allows, the same services as the list actions, a reason required to refuse
or to ask, then the next item of the queue (core.admin_decisions). Another office's advisor
gets 404 and a member never reaches the page; nothing changes for either."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.models import AuditEvent
from payroll.models import Contract, PayrollRun, WorkDeclaration
from payroll.work.declaration_services import declaration_approve, declaration_submit
from tests.conftest import _with_mfa
from tests.factories.members import AdvisorFactory, office
from tests.work_helpers import FRI, MON, WED, days, make_declaration, set_balance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def three(alice, alice_activity, admin_user):
    """Three of alice's declarations to approve, oldest first; the balance pays them all."""
    set_balance(alice_activity, "5000.00", by=admin_user)
    rows = []
    for day in (MON, WED, FRI):
        draft = make_declaration(alice, alice_activity, work_days=days((day, "8")))
        rows.append(declaration_submit(declaration=draft, by=alice))
    return rows


def decide(declaration, name):
    return reverse("admin:payroll_workdeclaration_decide", args=[declaration.pk, name])


def page(declaration):
    return reverse("admin:payroll_workdeclaration_change", args=[declaration.pk])


def status(row):
    row.refresh_from_db()
    return row.status


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_page_of_a_declaration_to_approve_offers_the_decisions(claire_client, three):
    content = claire_client.get(page(three[0])).content.decode()

    assert 'id="decision-buttons"' in content
    for name in ("approve", "overdraft", "refuse", "ask"):
        assert decide(three[0], name) in content


def test_a_decided_declaration_offers_no_decision(claire_client, claire, three):
    declaration_approve(declaration=three[0], by=claire)

    content = claire_client.get(page(three[0])).content.decode()

    assert 'id="decision-buttons"' not in content
    assert decide(three[0], "approve") not in content


def test_approving_opens_the_next_declaration_of_the_queue_then_says_it_is_empty(
    claire_client, three
):
    oldest, middle, newest = three
    # The queue lists the newest first: after the middle one comes the oldest...
    response = claire_client.post(decide(middle, "approve"))
    assert response.status_code == 302
    assert response.url == page(oldest)
    assert f"Declaration #{middle.pk} approved." in said(response)
    assert status(middle) == WorkDeclaration.Status.APPROVED
    assert Contract.objects.filter(declaration=middle).count() == 1
    # ...after the last one, the queue starts again from the top...
    assert claire_client.post(decide(oldest, "approve")).url == page(newest)
    # ...and once nothing is left, back to the queue, which is empty.
    response = claire_client.post(decide(newest, "approve"))
    queue = reverse("admin:payroll_workdeclaration_changelist") + "?status__exact=submitted"
    assert response.url == queue
    assert "Queue empty: nothing else waits." in said(response)


def test_refusing_needs_a_reason_shown_on_the_field_and_saves_nothing(claire_client, three):
    declaration = three[0]
    assert claire_client.get(decide(declaration, "refuse")).status_code == 200

    response = claire_client.post(decide(declaration, "refuse"), {"reason": "   "})

    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert status(declaration) == WorkDeclaration.Status.SUBMITTED
    assert not AuditEvent.objects.filter(action="work_declaration.rejected").exists()

    response = claire_client.post(decide(declaration, "refuse"), {"reason": "Wrong function."})

    assert response.status_code == 302
    declaration.refresh_from_db()
    assert (declaration.status, declaration.decision_reason) == ("rejected", "Wrong function.")


def test_asking_for_information_keeps_the_declaration_in_the_queue_with_the_question(
    claire_client, claire, three
):
    declaration = three[1]
    response = claire_client.post(decide(declaration, "ask"), {"reason": ""})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="work_declaration.information_requested").exists()

    response = claire_client.post(decide(declaration, "ask"), {"reason": "Which venue?"})

    assert response.url == page(three[0])
    assert status(declaration) == WorkDeclaration.Status.SUBMITTED
    event = AuditEvent.objects.get(action="work_declaration.information_requested")
    assert (event.actor, event.reason, event.object_id) == (
        claire,
        "Which venue?",
        str(declaration.pk),
    )


def test_a_refusal_by_the_service_comes_back_as_a_message_on_the_page(
    claire_client, alice_activity, admin_user, three
):
    set_balance(alice_activity, "10.00", by=admin_user)  # the balance no longer pays it

    response = claire_client.post(decide(three[0], "approve"))

    assert response.url == page(three[0])
    assert any("can't pay" in text for text in said(response))
    assert status(three[0]) == WorkDeclaration.Status.SUBMITTED


def test_an_advisor_of_another_office_gets_404_and_changes_nothing(client, three):
    client.force_login(_with_mfa(AdvisorFactory(office=office("namur"))))
    declaration = three[0]

    assert client.get(decide(declaration, "refuse")).status_code == 404
    assert client.post(decide(declaration, "approve")).status_code == 404
    assert client.post(decide(declaration, "refuse"), {"reason": "x"}).status_code == 404
    assert status(declaration) == WorkDeclaration.Status.SUBMITTED
    assert not Contract.objects.filter(declaration=declaration).exists()


def test_a_member_cannot_reach_a_decision(alice_client, three):
    declaration = three[0]

    response = alice_client.post(decide(declaration, "approve"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))  # the decision is never shown
    assert status(declaration) == WorkDeclaration.Status.SUBMITTED
    assert not Contract.objects.filter(declaration=declaration).exists()


# --- contracts: the queue of contracts whose pay is held --------------------------------


def test_releasing_a_held_contract_opens_the_next_one_then_the_empty_queue(
    claire_client, claire, three
):
    for declaration in three:
        declaration_approve(declaration=declaration, by=claire)
    # December 2030's payroll has run (the row is enough): its offered contracts are held.
    PayrollRun.objects.create(period=date(2030, 12, 1))
    first, second, third = (Contract.objects.get(declaration=row) for row in three)

    def release(contract, reason):
        url = reverse("admin:payroll_contract_decide", args=[contract.pk, "release"])
        return claire_client.post(url, {"reason": reason})

    assert release(second, "").status_code == 400
    second.refresh_from_db()
    assert second.pay_released_at is None

    response = release(second, "Accepted by phone.")
    assert response.url == reverse("admin:payroll_contract_change", args=[first.pk])
    second.refresh_from_db()
    assert (second.pay_released_by, second.pay_release_reason) == (claire, "Accepted by phone.")
    release(first, "Accepted by phone.")
    response = release(third, "Accepted by phone.")
    assert response.url == reverse("admin:payroll_contract_changelist") + "?pay=held"
    # A released contract no longer offers the release, still the cancellation.
    content = claire_client.get(reverse("admin:payroll_contract_change", args=[third.pk]))
    assert reverse("admin:payroll_contract_decide", args=[third.pk, "release"]) not in (
        content.content.decode()
    )
    assert reverse("admin:payroll_contract_decide", args=[third.pk, "cancel"]) in (
        content.content.decode()
    )
