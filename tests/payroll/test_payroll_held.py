"""A contract the worker has not accepted is not paid by the payroll run: its pay is held,
listed on the run's back-office page, until the worker accepts it or an advisor of its office
releases it with a reason (then the next run pays its days as arrears)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from core.models import AuditEvent
from payroll.models import Contract, EmploymentCost, Payslip
from payroll.pay.payroll_run import held_contracts, payroll_run_compute
from payroll.work.contract_services import contract_accept, contract_pay_release
from tests.conftest import _with_mfa
from tests.factories.members import AdvisorFactory, office
from tests.pay_helpers import PERIOD, TODAY, contract, day, october

pytestmark = pytest.mark.django_db
D = Decimal
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def month(alice):
    return october(alice)


@pytest.fixture
def offered(month):
    """Alice's contract C-H of 26 October, offered to her and never accepted."""
    held = contract(
        month.alice,
        month.three,
        "artist-fixed-term",
        "C-H",
        date(2026, 10, 26),
        date(2026, 10, 26),
        "300.00",
        status="offered",
    )
    day(held, date(2026, 10, 26), "300.00")
    return held


def _paid_days(contract):
    return EmploymentCost.objects.filter(contract=contract, payslip__isnull=False)


def test_the_run_holds_the_pay_of_a_contract_the_worker_has_not_accepted(month, offered):
    run = payroll_run_compute(period=PERIOD, today=TODAY)

    assert not _paid_days(offered).exists()
    slip = Payslip.objects.get(run=run, worker=month.alice)
    assert slip.days == 4  # contracts A and B, not the held one
    assert list(held_contracts(run=run)) == [offered]


def test_a_contract_accepted_before_the_run_is_paid(month, alice, offered):
    contract_accept(contract=offered, by=alice, today=date(2026, 10, 20))

    run = payroll_run_compute(period=PERIOD, today=TODAY)

    assert _paid_days(offered).get().gross == D("300.00")
    assert Payslip.objects.get(run=run, worker=month.alice).days == 5
    assert not held_contracts(run=run).exists()


def test_the_run_page_lists_the_held_contracts_with_a_message(admin_client, offered):
    run = payroll_run_compute(period=PERIOD, today=TODAY)

    response = admin_client.get(
        reverse("admin:payroll_payrollrun_change", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "C-H" in page
    assert "not accepted by the worker" in page


def test_an_advisor_releases_a_held_contract_with_a_reason_and_the_next_run_pays_it(
    month, claire, offered
):
    october_run = payroll_run_compute(period=PERIOD, today=TODAY)

    contract_pay_release(contract=offered, by=claire, reason="Accepted by phone, on tour.")

    offered.refresh_from_db()
    assert offered.pay_released_by == claire
    assert offered.pay_release_reason == "Accepted by phone, on tour."
    event = AuditEvent.objects.get(action="contract.pay_released")
    assert (event.actor, event.reason) == (claire, "Accepted by phone, on tour.")
    assert not held_contracts(run=october_run).exists()
    november_run = payroll_run_compute(period=NOVEMBER, today=date(2026, 12, 3))
    paid = _paid_days(offered).get()
    assert (paid.payslip.run, paid.gross, paid.period) == (november_run, D("300.00"), NOVEMBER)


def test_a_release_without_a_reason_is_refused_naming_the_field(claire, offered):
    with pytest.raises(ValidationError) as refused:
        contract_pay_release(contract=offered, by=claire, reason="  ")

    assert "reason" in refused.value.message_dict
    offered.refresh_from_db()
    assert offered.pay_released_at is None


def test_an_advisor_of_another_office_cannot_release_a_contract(offered):
    namur = AdvisorFactory(office=office("namur"))

    with pytest.raises(Http404):
        contract_pay_release(contract=offered, by=namur, reason="Not my office.")

    offered.refresh_from_db()
    assert offered.pay_released_at is None
    assert not AuditEvent.objects.filter(action="contract.pay_released").exists()


def test_a_member_cannot_release_a_contract(alice, offered):
    with pytest.raises(Exception, match="advisor"):
        contract_pay_release(contract=offered, by=alice, reason="My own contract.")


def test_the_advisor_releases_from_the_contracts_back_office(client, claire, offered):
    client.force_login(_with_mfa(claire))

    response = client.post(
        reverse("admin:payroll_contract_changelist"),
        {
            "action": "release_pay_with_reason",
            "_selected_action": [offered.pk],
            "reason": "Accepted by phone.",
            "apply": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code in (200, 302)
    offered.refresh_from_db()
    assert offered.pay_release_reason == "Accepted by phone."
    assert offered.status == Contract.Status.OFFERED


def test_the_advisors_queue_tells_of_the_held_contracts_of_her_office(client, claire, offered):
    payroll_run_compute(period=PERIOD, today=TODAY)
    client.force_login(_with_mfa(claire))

    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    held = client.get(
        reverse("admin:payroll_contract_changelist") + "?pay=held", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Contracts not accepted by the worker: pay held" in page
    assert list(held.context["cl"].result_list) == [offered]
