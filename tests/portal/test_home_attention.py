"""The member's home lists every pending action with a link (issue 16): a contract to accept
before the work starts, a vote open, a proxy to answer, an invoice overdue, a job, a
declaration or an expense claim refused lately; for members with a unit and without one."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import GeneralAssembly, Participation, Proxy, VoterRollEntry
from invoicing.models import Client, Invoice
from members.notifications import kinds as notice
from members.notifications.services import notify
from payroll.models import ContractType, ExpenseCategory, ExpenseClaim
from payroll.work.contract_services import contract_create
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit
from tests.invoicing_helpers import issued_invoice, line
from tests.payroll.test_contracts_core import pay

pytestmark = pytest.mark.django_db


def actions(client) -> dict[str, str]:
    """The home page's pending actions: kind → link."""
    page = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    return {action.key: action.url for action in page.context["actions"]}


def test_nothing_pending_says_so(bob, client):
    client.force_login(bob)  # no unit, no contract, no vote
    page = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing needs your attention." in page
    assert "You don't hold a production unit yet" in page


def test_a_contract_to_accept_links_to_it_until_accepted(alice, alice_client):
    unit = ProductionUnit.objects.get(code="UP-0002")
    contract = contract_create(
        unit=unit, worker=unit_holder_worker(unit),
        contract_type=ContractType.objects.get(code="employee-fixed-term"), function="Régie",
        days=[DayInput(timezone.localdate() + timedelta(days=5), Decimal("8"))],
        pay=pay("150.00"), by=alice,
    )  # fmt: skip
    assert actions(alice_client)["contracts"] == reverse(
        "portal:work_contract_detail", args=[contract.pk]
    )
    page = alice_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing needs your attention." not in page
    contract.status = "accepted"
    contract.save(update_fields=["status"])
    assert "contracts" not in actions(alice_client)


def test_an_overdue_invoice_is_listed(alice, alice_client):
    unit = ProductionUnit.objects.get(code="UP-0001")
    theatre = Client.objects.get(name="Théâtre de la Place")
    invoice = issued_invoice(alice, unit, theatre, [line()])
    assert "invoices_overdue" not in actions(alice_client)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    assert actions(alice_client)["invoices_overdue"] == reverse(
        "portal:invoice_detail", args=[invoice.pk]
    )


def test_a_refused_claim_is_listed_for_thirty_days(alice, alice_client, admin_user):
    unit = ProductionUnit.objects.get(code="UP-0002")
    claim = ExpenseClaim.objects.create(
        unit=unit, worker=unit_holder_worker(unit),
        category=ExpenseCategory.objects.exclude(is_mileage=True).first(),
        spent_on=timezone.localdate() - timedelta(days=3), description="Câbles",
        amount=Decimal("12.40"), status="rejected", created_by=alice,
        decided_by=admin_user, decided_at=timezone.now() - timedelta(days=2),
        decision_reason="Pas de ticket",
    )  # fmt: skip
    assert actions(alice_client)["claims_refused"] == reverse(
        "portal:expense_detail", args=[claim.pk]
    )
    ExpenseClaim.objects.filter(pk=claim.pk).update(decided_at=timezone.now() - timedelta(days=31))
    assert "claims_refused" not in actions(alice_client)


def assembly_voting_today(status: str, *voters) -> GeneralAssembly:
    """An assembly whose online vote runs from yesterday to three days from now (open when
    `status` says so), with `voters` (accounts) on its roll."""
    now = timezone.now()
    assembly = GeneralAssembly.objects.create(
        kind="ordinary", title="AG test", date=timezone.localdate() + timedelta(days=3),
        notice_date=timezone.localdate() - timedelta(days=20),
        record_date=timezone.localdate() - timedelta(days=30),
        voting_opens_at=now - timedelta(days=1), voting_closes_at=now + timedelta(days=3),
        status=status, roll_size=len(voters),
    )  # fmt: skip
    for number, user in enumerate(voters, start=1):
        VoterRollEntry.objects.create(
            assembly=assembly, member=user.member, number=number, category="A"
        )
    return assembly


@pytest.fixture
def open_vote(alice, bob):
    return assembly_voting_today("voting_open", alice, bob)


def test_an_open_vote_is_listed_until_the_member_votes_even_without_a_unit(open_vote, bob, client):
    client.force_login(bob)
    assert actions(client)["vote_open"] == reverse("portal:assembly_vote", args=[open_vote.pk])
    Participation.objects.create(
        assembly=open_vote, member=bob.member, channel="online", day=timezone.localdate()
    )
    assert "vote_open" not in actions(client)


def test_a_proxy_to_answer_is_listed(open_vote, alice, bob, alice_client):
    proxy = Proxy.objects.create(assembly=open_vote, giver=bob.member, holder=alice.member)
    assert actions(alice_client)["proxy_to_answer"] == reverse(
        "portal:proxy_answer", args=[proxy.pk]
    )


def test_several_overdue_invoices_are_counted_and_link_to_the_list(alice, alice_client):
    unit = ProductionUnit.objects.get(code="UP-0001")
    theatre = Client.objects.get(name="Théâtre de la Place")
    invoices = [issued_invoice(alice, unit, theatre, [line()]) for _ in range(3)]
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    page = alice_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    (overdue,) = [a for a in page.context["actions"] if a.key == "invoices_overdue"]
    assert overdue.url == reverse("portal:invoice_list")
    assert overdue.count == 3
    assert overdue.text.startswith("3 invoices are overdue")


def test_two_contracts_to_accept_name_the_first_days_work(alice, alice_client):
    unit = ProductionUnit.objects.get(code="UP-0002")
    today = timezone.localdate()
    for offset in (9, 4):
        contract_create(
            unit=unit, worker=unit_holder_worker(unit),
            contract_type=ContractType.objects.get(code="employee-fixed-term"),
            function="Régie", days=[DayInput(today + timedelta(days=offset), Decimal("8"))],
            pay=pay("150.00"), by=alice,
        )  # fmt: skip
    page = alice_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    (contracts,) = [a for a in page.context["actions"] if a.key == "contracts"]
    assert contracts.url == reverse("portal:work_contract_list")
    assert contracts.count == 2
    assert (today + timedelta(days=4)).strftime("%d/%m/%Y") in contracts.text


def test_without_an_open_vote_the_voter_roll_is_not_read_and_an_opened_vote_shows_at_once(
    alice, bob, client
):
    assembly = assembly_voting_today("convened", bob)
    client.force_login(bob)
    actions(client)
    with CaptureQueriesContext(connection) as queries:
        assert "vote_open" not in actions(client)
    read = " ".join(query["sql"] for query in queries)
    assert VoterRollEntry._meta.db_table not in read
    assembly.status = GeneralAssembly.Status.VOTING_OPEN
    assembly.save()
    assert actions(client)["vote_open"] == reverse("portal:assembly_vote", args=[assembly.pk])


def test_the_advisors_questions_are_counted_with_the_unread_notifications(alice, alice_client):
    for _ in range(2):
        notify(alice, notice.INFORMATION_REQUESTED, url="portal:notification_list",
               params={"what": "DT-1", "question": "Quel lieu ?"})  # fmt: skip
    notify(alice, notice.INVOICE_PAID, url="portal:invoice_list", params={"what": "F-1"})
    page = alice_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    (questions,) = [a for a in page.context["actions"] if a.key == "questions"]
    assert questions.count == 2
    assert re.search(r'id="unread-notifications"[^>]*>3</span>', page.content.decode())
