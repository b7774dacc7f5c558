"""The split the member sees (job_preview) is the split the advisor validates (job_validate),
for any job: random turnover, expenses, contract type, days and hours (seeded)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from payroll.models import Contract, Job
from payroll.work.job_services import job_preview, job_submit, job_validate
from tests.work_helpers import contract_type, days, make_job, unverified_client

pytestmark = pytest.mark.django_db

CODES = [
    "employee-fixed-term",
    "artist-fixed-term",
    "trainer-fixed-term",
    "student",
    "open-ended",
]
FIRST_DAY = date(2031, 2, 3)


@settings(
    derandomize=True,
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    turnover_cents=st.integers(min_value=20_000, max_value=900_000),
    expenses_cents=st.integers(min_value=0, max_value=20_000),
    code=st.sampled_from(CODES),
    quarters=st.lists(st.integers(min_value=1, max_value=48), min_size=1, max_size=3),
)
def test_preview_and_validation_give_the_same_split(
    alice, alice_3en1, claire, turnover_cents, expenses_cents, code, quarters
):
    amount = Decimal(turnover_cents).scaleb(-2)
    expenses = Decimal(expenses_cents).scaleb(-2)
    # Each example takes days no other example took (the database is shared between them).
    start = FIRST_DAY + timedelta(days=7 * Job.objects.count())
    work_days = days(
        *[(start + timedelta(days=i), str(Decimal(q) / 4)) for i, q in enumerate(quarters)]
    )
    preview = job_preview(
        turnover=amount, expenses=expenses, contract_type=contract_type(code), days=work_days
    )
    assume(preview.is_payable)
    job = make_job(
        alice,
        alice_3en1,
        client=unverified_client(alice, alice_3en1)
        if not Job.objects.exists()
        else Job.objects.first().client,
        amount=str(amount),
        code=code,
        work_days=work_days,
        expenses=[("Frais", str(expenses), None)] if expenses else [],
    )
    job = job_submit(job=job, by=alice)
    assert job.status == Job.Status.SUBMITTED
    job = job_validate(job=job, by=claire)

    assert job.split == preview.amounts()
    contract = Contract.objects.get(job=job)
    assert contract.gross == preview.pay.gross
    assert contract.net_estimate == preview.pay.net
    assert sum(contract.work_days.values_list("gross", flat=True)) == preview.pay.gross
