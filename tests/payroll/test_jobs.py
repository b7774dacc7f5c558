"""3en1 jobs through the services: the worked examples of docs/payroll.md end to end, the
refusals, the advisor's decisions, the payouts' due dates. Every expected amount is written
by hand from docs/payroll.md §3."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import audit_trail
from core.calendar import working_days_after
from invoicing.models import Invoice
from payroll.models import Contract, DimonaDeclaration, Job, PayoutLine, WorkDay
from payroll.parameters import salary_due_on
from payroll.work.job_services import (
    job_preview,
    job_reject,
    job_submit,
    job_update,
    job_validate,
)
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import LedgerEntry
from tests.invoicing_helpers import line
from tests.work_helpers import (
    FRI,
    MON,
    TUE,
    WED,
    contract_type,
    days,
    make_job,
    unverified_client,
)

pytestmark = pytest.mark.django_db


def _entries(unit, kind):
    return list(LedgerEntry.objects.filter(unit=unit, kind=kind).values_list("amount", flat=True))


# --- worked example 1 -----------------------------------------------------------------------


def test_example_1_a_one_day_artist_job_of_500_end_to_end(alice, alice_3en1):
    turnover_before = _entries(alice_3en1, LedgerEntry.Kind.TURNOVER)
    job = make_job(alice, alice_3en1, amount="500.00")
    assert job.status == Job.Status.DRAFT
    assert job.invoice.status == Invoice.Status.DRAFT
    assert job.turnover == Decimal("500.00")

    job = job_submit(job=job, by=alice)

    # Verified client, under the approval threshold: validated at once.
    assert job.status == Job.Status.VALIDATED
    assert job.split == {
        "turnover": "500.00",
        "turnover_rate": "6.50",
        "turnover_contribution": "32.50",
        "expenses": "0.00",
        "employment_budget": "467.50",
        "gross": "346.29",
        "employer_charges": "93.50",
        "employment_cost": "439.79",
        "employment_contribution": "27.71",
        "budget": "467.50",
        "residue": "0.00",
        "employee_social_security": "48.88",
        "taxable": "297.41",
        "withholding_rate": "11.11",
        "withholding": "33.04",
        "net": "264.37",
        "days": "1",
        "minimum_gross": "100.00",
        "gross_missing": "0.00",
        "missing_turnover": "0.00",
    }
    # 32.50 + 0.00 + 439.79 + 27.71 + 0.00 = 500.00
    assert Decimal("32.50") + Decimal("439.79") + Decimal("27.71") == Decimal("500.00")

    invoice = Invoice.objects.get(pk=job.invoice_id)
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.net_total == Decimal("500.00")
    # The invoice posted its turnover; nothing else (C1, C2, salary: the monthly runs).
    assert _entries(alice_3en1, LedgerEntry.Kind.TURNOVER) == [Decimal("500.00"), *turnover_before]
    assert _entries(alice_3en1, LedgerEntry.Kind.EXPENSE) == []
    assert not LedgerEntry.objects.filter(
        unit=alice_3en1, kind=LedgerEntry.Kind.EMPLOYMENT_COST
    ).exists()

    contract = Contract.objects.get(job=job)
    assert (contract.start_date, contract.end_date, contract.days) == (FRI, FRI, 1)
    assert contract.gross == Decimal("346.29")
    assert contract.employer_charges == Decimal("93.50")
    assert contract.net_estimate == Decimal("264.37")
    assert contract.legal_entity.code == "smartcoop"
    assert contract.status == Contract.Status.OFFERED
    day = WorkDay.objects.get(job=job)
    assert (day.date, day.gross, day.contract_id) == (FRI, Decimal("346.29"), contract.pk)
    dimona = DimonaDeclaration.objects.get(contract=contract)
    assert dimona.kind == DimonaDeclaration.Kind.IN
    assert dimona.worker_national_number == alice.member.national_number

    advance = PayoutLine.objects.get(contract=contract)
    assert advance.kind == PayoutLine.Kind.SALARY_ADVANCE
    assert advance.amount == Decimal("264.37")
    assert advance.iban == "BE71096123456769"
    # Friday 20 Dec 2030 + 7 working days: 23, 24, (25 Christmas), 26, 27, 30, 31,
    # (1 Jan), 2 Jan 2031.
    assert advance.due_on == date(2031, 1, 2)
    assert not PayoutLine.objects.filter(kind=PayoutLine.Kind.EXPENSE).exists()
    actions = {event.action for event in audit_trail(job)}
    assert {"job.created", "job.submitted", "job.validated"} <= actions


# --- worked example 2 -----------------------------------------------------------------------


def test_example_2_a_three_day_employee_job_with_80_of_expenses(alice, alice_3en1, claire):
    job = make_job(
        alice,
        alice_3en1,
        client=unverified_client(alice, alice_3en1),
        amount="1200.00",
        code="employee-fixed-term",
        work_days=days((MON, "8"), (TUE, "8"), (WED, "4")),
        expenses=[("Train Bruxelles–Liège", "50.00", None), ("Partitions", "30.00", None)],
    )
    assert job.expenses == Decimal("80.00")

    job = job_submit(job=job, by=alice)
    assert job.status == Job.Status.SUBMITTED  # the client is not verified: an advisor checks
    assert job.split["gross"] == "783.45"
    assert not Contract.objects.filter(job=job).exists()

    job = job_validate(job=job, by=claire)

    assert job.status == Job.Status.VALIDATED
    assert job.decided_by == claire
    split = job.split
    assert split["turnover"] == "1200.00"
    assert split["turnover_contribution"] == "78.00"
    assert split["expenses"] == "80.00"
    assert split["employment_budget"] == "1042.00"
    assert split["gross"] == "783.45"
    assert split["employer_charges"] == "195.86"
    assert split["employment_cost"] == "979.31"
    assert split["budget"] == "1041.99"
    assert split["employment_contribution"] == "62.68"
    assert split["residue"] == "0.01"
    assert split["employee_social_security"] == "102.40"
    assert split["taxable"] == "681.05"
    assert split["withholding"] == "75.66"
    assert split["net"] == "605.39"
    assert split["missing_turnover"] == "0.00"
    # 78.00 + 80.00 + 979.31 + 62.68 + 0.01 = 1,200.00
    assert sum(
        Decimal(split[k])
        for k in (
            "turnover_contribution",
            "expenses",
            "employment_cost",
            "employment_contribution",
            "residue",
        )
    ) == Decimal("1200.00")

    contract = Contract.objects.get(job=job)
    assert (contract.start_date, contract.end_date, contract.days) == (MON, WED, 3)
    assert contract.hours == Decimal("20")
    # 783.45 split by hours 8/8/4: 313.38 + 313.38 + 156.69.
    assert list(WorkDay.objects.filter(job=job).values_list("gross", flat=True)) == [
        Decimal("313.38"),
        Decimal("313.38"),
        Decimal("156.69"),
    ]
    assert _entries(alice_3en1, LedgerEntry.Kind.EXPENSE) == [Decimal("-80.00")]
    advance = PayoutLine.objects.get(kind=PayoutLine.Kind.SALARY_ADVANCE, contract=contract)
    assert advance.amount == Decimal("605.39")
    # Wednesday 18 Dec 2030 + 7 working days: 19, 20, 23, 24, (25), 26, 27, 30.
    assert advance.due_on == date(2030, 12, 30)
    expense = PayoutLine.objects.get(kind=PayoutLine.Kind.EXPENSE)
    assert expense.amount == Decimal("80.00")
    assert expense.expense_claim is None
    assert f"job {job.pk}" in expense.remittance
    assert expense.due_on == date(2030, 12, 30)


def test_example_2_invoiced_400_is_refused_with_the_turnover_missing(alice, alice_3en1):
    job = make_job(
        alice,
        alice_3en1,
        amount="400.00",
        code="employee-fixed-term",
        work_days=days((MON, "8"), (TUE, "8"), (WED, "4")),
        expenses=[("Frais", "80.00", None)],
    )
    preview = job_preview(
        turnover=Decimal("400.00"),
        expenses=Decimal("80.00"),
        contract_type=contract_type("employee-fixed-term"),
        days=days((MON, "8"), (TUE, "8"), (WED, "4")),
    )
    assert preview.pay.gross == Decimal("221.05")
    assert preview.missing_turnover == Decimal("112.30")
    with pytest.raises(ValidationError) as refused:
        job_submit(job=job, by=alice)
    assert refused.value.message_dict["lines"] == [
        "112.30 € excl. VAT missing to pay the minimum wage for 3 days (minimum gross 300.00 €)."
    ]
    job.refresh_from_db()
    assert job.status == Job.Status.DRAFT
    assert Invoice.objects.get(pk=job.invoice_id).status == Invoice.Status.DRAFT


# --- refusals -------------------------------------------------------------------------------


def test_a_day_in_the_past_is_refused(alice, alice_3en1):
    with pytest.raises(ValidationError) as refused:
        make_job(alice, alice_3en1, work_days=days((date(2026, 1, 5), "8")))
    assert "05/01/2026 is in the past" in refused.value.message_dict["days"][0]
    assert not Job.objects.exists()
    assert not Invoice.objects.filter(job__isnull=False).exists()


def test_the_same_worker_and_day_twice_is_refused_across_jobs(alice, alice_3en1):
    make_job(alice, alice_3en1)
    with pytest.raises(ValidationError) as refused:
        make_job(alice, alice_3en1)
    assert refused.value.message_dict["days"] == [
        "Alice Lambert already has a declared work day on 20/12/2030."
    ]
    assert Job.objects.count() == 1


def test_the_same_day_twice_in_one_job_is_refused(alice, alice_3en1):
    with pytest.raises(ValidationError) as refused:
        make_job(alice, alice_3en1, work_days=days((FRI, "4"), (FRI, "4")))
    assert "20/12/2030 is declared twice." in refused.value.message_dict["days"]


def test_expenses_above_what_the_contribution_leaves_are_refused(alice, alice_3en1):
    job = make_job(alice, alice_3en1, amount="100.00", expenses=[("Cachet", "95.00", None)])
    with pytest.raises(ValidationError) as refused:
        job_submit(job=job, by=alice)
    # 100.00 − 6.50 = 93.50 is what is left after C1.
    assert "93.50" in refused.value.message_dict["expenses"][0]


def test_an_expense_without_amount_is_refused_naming_it(alice, alice_3en1):
    with pytest.raises(ValidationError) as refused:
        make_job(alice, alice_3en1, expenses=[("Taxi", "abc", None)])
    assert refused.value.message_dict["expenses"] == ["Expense 1: the amount is not a number."]


def test_a_job_is_for_a_3en1_unit_only(alice, alice_activity):
    with pytest.raises(ValidationError) as refused:
        make_job(alice, alice_activity)
    assert "unit" in refused.value.message_dict


def test_bob_cannot_make_a_job_in_alices_unit(alice, bob, alice_3en1):
    with pytest.raises(PermissionDenied):
        make_job(bob, alice_3en1)


# --- advisor decisions ----------------------------------------------------------------------


def test_only_an_advisor_validates_and_a_rejected_job_can_be_corrected(alice, alice_3en1, claire):
    job = make_job(alice, alice_3en1, client=unverified_client(alice, alice_3en1))
    job = job_submit(job=job, by=alice)
    with pytest.raises(PermissionDenied):
        job_validate(job=job, by=alice)
    with pytest.raises(ValidationError) as refused:
        job_reject(job=job, by=claire, reason=" ")
    assert "reason" in refused.value.message_dict
    job = job_reject(job=job, by=claire, reason="The client must be checked first.")
    assert job.status == Job.Status.REJECTED
    # Its day is released: another job may take it.
    assert not WorkDay.objects.filter(job=job, cancelled=False).exists()
    job = job_update(
        job=job,
        description="Concert (corrected)",
        worker=unit_holder_worker(alice_3en1),
        contract_type=contract_type("artist-fixed-term"),
        function="Musicienne",
        lines=[line("Concert", "1", "600.00")],
        days=days((FRI, "6")),
        expenses=[],
        by=alice,
    )
    assert job.status == Job.Status.DRAFT
    assert job.turnover == Decimal("600.00")
    assert WorkDay.objects.filter(job=job, cancelled=False).count() == 1


def test_validating_twice_is_refused(alice, alice_3en1, claire):
    job = job_submit(job=make_job(alice, alice_3en1), by=alice)
    with pytest.raises(ValidationError):
        job_validate(job=job, by=claire)
    assert Contract.objects.filter(job=job).count() == 1


# --- working days ---------------------------------------------------------------------------


def test_the_salary_is_due_7_working_days_later_skipping_weekends_and_holidays():
    # Friday 20 Dec 2030: the weekend, Christmas (Wed 25) and New Year's Day are skipped.
    assert salary_due_on(last_day=date(2030, 12, 20)) == date(2031, 1, 2)
    # Friday 18 Jul 2031: the weekend and the National Day (Mon 21 Jul) are skipped.
    assert working_days_after(date(2031, 7, 18), 7) == date(2031, 7, 30)
    # No holiday: Monday + 7 = Wednesday of the next week.
    assert working_days_after(date(2031, 3, 3), 7) == date(2031, 3, 12)
