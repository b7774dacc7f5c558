"""A validated 3en1 job's money is not all the holder's to spend (issue 16): the available
balance holds back what the monthly runs will still take from it — the employment cost not
posted yet and the contributions — so the same figure shows everywhere the balance decides.
Worked example 1 of docs/payroll.md: 500.00 € invoiced, C1 32.50, employment budget 467.50
(employment cost 439.79 + employment contribution 27.71)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from payroll.models import Contract, ContributionRun, EmploymentCost
from payroll.work.job_reservation import reserved_jobs
from payroll.work.job_services import job_submit
from production_units.selectors import unit_available_balance, unit_balance
from tests.work_helpers import FRI, make_job

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_job_s_turnover_is_held_back_until_the_runs_take_their_share(alice, alice_3en1):
    before = (unit_balance(unit=alice_3en1), unit_available_balance(unit=alice_3en1))
    job = job_submit(job=make_job(alice, alice_3en1, amount="500.00"), by=alice)
    assert job.status == "validated"
    # The balance shows the 500.00 invoiced; none of it is available yet.
    assert unit_balance(unit=alice_3en1) == before[0] + D("500.00")
    assert reserved_jobs(unit=alice_3en1) == D("467.50") + D("32.50")
    assert unit_available_balance(unit=alice_3en1) == before[1]
    # The payroll run posts the employment cost: the contributions are still to come.
    contract = Contract.objects.get(job=job)
    EmploymentCost.objects.create(
        unit=alice_3en1, contract_type=contract.contract_type, work_date=FRI,
        gross=D("346.29"), employer_charges=D("93.50"), contract=contract,
    )  # fmt: skip
    assert reserved_jobs(unit=alice_3en1) == D("32.50") + D("27.71")
    # Once the contribution run of the month is done, nothing is held back any more.
    ContributionRun.objects.create(period=date(FRI.year, FRI.month, 1))
    assert reserved_jobs(unit=alice_3en1) == D("0.00")


def test_the_unit_page_shows_what_is_available_and_how_it_is_made(alice, alice_3en1, client):
    job_submit(job=make_job(alice, alice_3en1, amount="500.00"), by=alice)
    client.force_login(alice)
    page = client.get(
        reverse("portal:unit_detail", args=[alice_3en1.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.context["available"] == unit_available_balance(unit=alice_3en1)
    labels = dict(page.context["reservations"])
    assert D("500.00") in labels.values()  # the job's 467.50 + 32.50
    assert "3en1 jobs" in page.content.decode()


def test_the_home_page_shows_the_same_available_figure_as_the_unit_page(alice, alice_3en1, client):
    client.force_login(alice)
    home = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    # Nothing held back yet: the balance alone.
    assert "data-available" not in home.content.decode()
    job_submit(job=make_job(alice, alice_3en1, amount="500.00"), by=alice)
    home = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    [unit] = [u for u in home.context["units"] if u.pk == alice_3en1.pk]
    assert unit.available == unit_available_balance(unit=alice_3en1)
    assert unit.available == unit.balance - D("500.00")  # the job's 467.50 + 32.50
    content = home.content.decode()
    assert "Available to spend" in content and "data-available" in content
