"""The monthly payroll run on the month of tests/pay_helpers.py: every amount computed by hand
here (docs/payroll.md, "The payroll run", worked example)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from core.calendar import working_days_after
from core.encryption import decrypt, lookup_hash
from core.models import AuditEvent
from payroll.contributions.services import contributions_compute
from payroll.models import (
    ContractType,
    ContractTypeParameters,
    ContributionPosting,
    EmploymentCost,
    PayoutLine,
    PayrollRun,
    Payslip,
    WorkDay,
)
from payroll.pay.payroll_run import payroll_late_days, payroll_run_close, payroll_run_compute
from payroll.tasks import payroll_run_task
from production_units.models import LedgerEntry
from tests.pay_helpers import (
    OCTOBER_WORKING_DAYS,
    PERIOD,
    TODAY,
    day,
    month_employer_cost,
    october,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def month(alice):
    return october(alice)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def compute(**kwargs):
    return payroll_run_compute(period=PERIOD, today=TODAY, **kwargs)


def payroll_entries():
    return LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.EMPLOYMENT_COST, booked_on=date(2026, 10, 31)
    )


def test_alices_payslip_adds_her_days_with_the_parameters_of_each_day(month, claire):
    run = compute(by=claire)
    slip = Payslip.objects.get(run=run, worker=month.alice)
    # artist 14th (SS 13.07 % of 108 %): SS 346.29 × 1.08 × 13.07 % = 48.88091124 → 48.88
    # artist 20th (SS 13.00 %): SS 373.9932 × 13 % = 48.619116 → 48.62
    # the artist's employer charges, by worker category (artist 1bis) for the month: base
    #   692.58 × 108 % = 747.9864 → 747.99; basic 25 % = 186.9975 → 187.00; holiday pay
    #   10.27 % = 76.818573 → 76.82; work fraction 2 ÷ 22 = 0.0909; reference 747.99 ÷ 0.0909
    #   = 8,228.71837 → 8,228.72, × 3 = 24,686.16 a quarter, above S0: no reduction; 263.82
    # trainer 21st, 22nd (no category: flat 32 %, 13.07 %): EC 51.952 → 51.95; SS 21.219145
    #   → 21.22 (each)
    artist = month_employer_cost(
        "692.58", days=2, working_days=OCTOBER_WORKING_DAYS, base="108", holiday="10.27"
    )
    assert artist == D("187.00") + D("76.82") == D("263.82")
    assert slip.days == 4
    assert slip.hours == D("32.00")
    assert slip.gross == D("1017.28")  # 2 × 346.29 + 2 × 162.35
    assert slip.employer_charges == artist + 2 * D("51.95") == D("367.72")
    assert slip.employee_social_security == D("139.94")  # 48.88 + 48.62 + 21.22 + 21.22
    assert slip.taxable == D("877.34")
    # key formula: 877.34 × 12 = 10,528.08, less 30 % = 7,369.66 taxed 1,971.38, under the
    # 2,987.98 reduction: 0; piece work: 11.11 %; 877.34 × 11.11 % = 97.472474
    assert slip.withholding == D("97.47")
    assert slip.net == D("779.87")
    assert slip.advances_paid == D("500.00")
    assert slip.balance_due == D("279.87")
    assert slip.gross == slip.net + slip.employee_social_security + slip.withholding


def test_chloes_payslip_is_withheld_by_the_key_formula(month):
    slip = Payslip.objects.get(run=compute(), worker=month.chloe)
    # 3 × 900.00; EC 3 × 225.00; SS 3 × 117.63 (900 × 13.07 %)
    assert (slip.gross, slip.employer_charges, slip.employee_social_security) == (
        D("2700.00"),
        D("675.00"),
        D("352.89"),
    )
    assert slip.taxable == D("2347.11")
    # Key formula 2026, scale I: yearly 2,347.11 × 12 = 28,165.32; expenses 30 % = 8,449.60,
    # capped at 6,070.00; net 22,095.32; tax 4,469.93 + (22,095.32 − 16,710) × 42.80 %
    # = 4,469.93 + 2,304.91696 = 6,774.85; − 2,987.98 = 3,786.87; ÷ 12 = 315.5725 → 315.57,
    # above the piece-work minimum 2,347.11 × 11.11 % = 260.76.
    assert slip.withholding == D("315.57")
    assert slip.net == D("2031.54")
    assert slip.advances_paid == D("2100.00")
    # 2,031.54 − 2,100.00 = −68.46: not paid out, carried to her next payslip
    assert slip.balance_due == D("0.00")
    assert slip.carried_forward == D("68.46")
    assert slip.brought_forward == D("0.00")


def test_a_worker_on_scale_ii_is_withheld_with_the_marital_quotient(month):
    month.chloe.withholding_scale = "II"
    month.chloe.save(update_fields=["withholding_scale"])
    slip = Payslip.objects.get(run=compute(), worker=month.chloe)
    # Net yearly 22,095.32 (as above); quotient 30 % = 6,628.596 → 6,628.60 (under 13,790);
    # rest 15,466.72 × 26.75 % = 4,137.35; quotient 6,628.60 × 26.75 % = 1,773.15; 5,910.50
    # − 2 × 2,987.98 < 0: the key formula gives 0, so the piece-work minimum applies:
    # 2,347.11 × 11.11 % = 260.763921 → 260.76.
    assert slip.withholding == D("260.76")
    assert slip.net == D("2347.11") - D("260.76")
    assert slip.lines[-1] == {"kind": "withholding", "rate": "11.11", "piece_work": True}


def test_the_payslip_lines_detail_each_contract_and_day(month):
    slip = Payslip.objects.get(run=compute(), worker=month.alice)
    contracts = [line for line in slip.lines if line["kind"] == "contract"]
    assert [c["reference"] for c in contracts] == ["C-A", "C-B"]
    assert [c["employer"] for c in contracts] == [
        month.three.legal_entity.name,
        month.activity.legal_entity.name,
    ]
    artist = contracts[0]
    assert [d["date"] for d in artist["days"]] == ["2026-10-14", "2026-10-20"]
    # The month's 263.82 spread over two days of the same gross: 131.91 each; the rate shown
    # is the effective one, 131.91 ÷ 346.29 = 38.092 % → 38.09 (the flat 27 → 28 % of the
    # artist's parameters no longer makes the charges).
    assert [d["employer_charges_rate"] for d in artist["days"]] == ["38.09", "38.09"]
    assert [d["employer_charges"] for d in artist["days"]] == ["131.91", "131.91"]
    assert artist["worker_category"] == "artist-1bis"
    assert artist["employer_charges"] == "263.82"
    assert artist["gross"] == "692.58"
    trainer = contracts[1]
    assert trainer["worker_category"] == ""  # no category: the flat rate
    assert [d["employer_charges_rate"] for d in trainer["days"]] == ["32.00", "32.00"]
    assert slip.lines[-1] == {"kind": "withholding", "rate": "11.11", "piece_work": True}


def test_every_paid_day_has_one_employment_cost(month):
    run = compute()
    costs = EmploymentCost.objects.filter(payslip__run=run)
    assert costs.count() == 7  # 4 days of alice (not the cancelled ones), 3 of chloé
    rows = sorted(
        costs.values_list("work_date", "gross", "employer_charges", "contract__reference")
    )
    assert rows[:3] == [
        (date(2026, 10, 5), D("900.00"), D("225.00"), "C-D"),
        (date(2026, 10, 6), D("900.00"), D("225.00"), "C-D"),
        (date(2026, 10, 7), D("900.00"), D("225.00"), "C-D"),
    ]
    assert rows[3:5] == [
        (date(2026, 10, 14), D("346.29"), D("131.91"), "C-A"),  # 263.82 ÷ 2
        (date(2026, 10, 20), D("346.29"), D("131.91"), "C-A"),
    ]
    assert not costs.filter(
        work_date__in=[date(2026, 10, 23), date(2026, 10, 27), date(2026, 10, 28)]
    ).exists()
    totals = costs.aggregate(gross=Sum("gross"), charges=Sum("employer_charges"))
    # chloé 3 × 225.00 (white-collar: 2,700.00 × 25 %, reference 2,700 ÷ 0.1364 well above
    # the threshold: no reduction) + alice's artist 263.82 + trainer 103.90
    assert totals == {"gross": D("3717.28"), "charges": D("1042.72")}


def test_one_ledger_entry_per_unit_and_contract(month):
    compute()
    entries = sorted(payroll_entries().values_list("unit__code", "label", "amount"))
    assert entries == [
        ("UP-0001", "Salaries 2026-10, contract C-A", D("-956.40")),  # 692.58 + 263.82
        ("UP-0001", "Salaries 2026-10, contract C-D", D("-3375.00")),  # 2,700 + 675
        ("UP-0002", "Salaries 2026-10, contract C-B", D("-428.60")),  # 324.70 + 103.90
    ]
    assert payroll_entries().aggregate(total=Sum("amount"))["total"] == D("-4760.00")


def test_a_positive_balance_is_paid_seven_working_days_after_the_month(month):
    run = compute()
    payouts = PayoutLine.objects.filter(kind=PayoutLine.Kind.SALARY_BALANCE)
    assert payouts.count() == 1  # chloé's balance is negative: nothing to pay
    payout = payouts.get()
    assert payout.payslip == Payslip.objects.get(run=run, worker=month.alice)
    assert payout.amount == D("279.87")
    assert payout.iban == month.alice.iban
    # Written by COPY, encrypted at rest as a save would, and found by its look-up hash.
    with connection.cursor() as cursor:
        cursor.execute("SELECT iban, iban_hash FROM payroll_payoutline WHERE id = %s", [payout.pk])
        stored, stored_hash = cursor.fetchone()
    assert stored and month.alice.iban not in stored and decrypt(stored) == month.alice.iban
    assert stored_hash == lookup_hash(month.alice.iban)
    assert payout in payouts.filter(iban_hash=lookup_hash(month.alice.iban))
    assert payout.batch is None
    # 31 October 2026 is a Saturday; 1 November a Sunday: 2, 3, 4, 5, 6, 9, 10 November
    assert payout.due_on == date(2026, 11, 10)


def test_working_days_skip_weekends_and_belgian_holidays():
    assert working_days_after(date(2026, 11, 10), 1) == date(2026, 11, 12)  # 11th: Armistice
    assert working_days_after(date(2026, 12, 24), 1) == date(2026, 12, 28)  # Christmas, weekend


def test_the_run_totals_and_audit(month, claire):
    run = compute(by=claire)
    assert run.status == PayrollRun.Status.COMPUTED
    assert run.computed_by == claire
    assert run.totals["payslips"] == 2
    assert run.totals["days"] == 7
    assert run.totals["gross"] == "3717.28"
    assert run.totals["net"] == "2811.41"  # 779.87 + 2,031.54
    assert run.totals["balance_due"] == "279.87"  # alice's; chloé's −68.46 is carried
    assert run.totals["carried_forward"] == "68.46"
    assert run.totals["arrears_days"] == 0
    assert AuditEvent.objects.filter(action="payroll_run.computed", object_id=str(run.pk)).exists()


def _state():
    return {
        "runs": PayrollRun.objects.count(),
        "payslips": list(Payslip.objects.order_by("pk").values_list("pk", "net", "pdf")),
        "costs": EmploymentCost.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "ledger": LedgerEntry.objects.aggregate(total=Sum("amount"))["total"],
        "payouts": list(PayoutLine.objects.order_by("pk").values_list("pk", "amount", "due_on")),
    }


def test_a_second_compute_changes_nothing(month, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = compute()
    before = _state()
    files = {p.pk: p.pdf.read() for p in Payslip.objects.all()}
    assert all(files.values())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = compute()
    assert again.pk == first.pk
    assert callbacks == []
    assert _state() == before
    assert {p.pk: p.pdf.read() for p in Payslip.objects.all()} == files


def test_a_closed_period_is_never_computed_again(month, claire):
    run = payroll_run_close(run=compute(), by=claire)
    assert run.status == PayrollRun.Status.CLOSED
    assert run.closed_by == claire
    before = _state()
    with pytest.raises(ValidationError) as error:
        compute()
    assert "closed" in error.value.message_dict["period"][0]
    with pytest.raises(ValidationError):
        payroll_run_close(run=run, by=claire)
    assert _state() == before


def test_a_month_not_over_is_refused(month):
    with pytest.raises(ValidationError) as error:
        payroll_run_compute(period=PERIOD, today=date(2026, 10, 31))
    assert "not over" in error.value.message_dict["period"][0]
    assert not PayrollRun.objects.exists()


def test_a_day_without_parameters_stops_the_run_and_writes_nothing(month):
    trainer = ContractType.objects.get(code="trainer-fixed-term")
    ContractTypeParameters.objects.filter(contract_type=trainer).update(valid_to=date(2026, 10, 20))
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        compute()
    assert "21/10/2026" in error.value.message_dict["period"][0]
    assert not PayrollRun.objects.exists()
    assert not Payslip.objects.exists() and not EmploymentCost.objects.exists()
    assert LedgerEntry.objects.count() == entries


def test_a_day_declared_after_the_run_is_reported_not_paid(month):
    run = compute()
    assert not payroll_late_days(run=run).exists()
    late = day(month.contract_d, date(2026, 10, 8), "900.00")
    again = compute()
    assert list(payroll_late_days(run=again)) == [late]
    assert Payslip.objects.get(run=run, worker=month.chloe).days == 3


def test_the_contribution_run_charges_the_costs_the_payroll_recorded(month):
    compute()
    contributions_compute(period=PERIOD, today=TODAY)
    posting = ContributionPosting.objects.get(unit=month.activity, pillar="employment")
    # trainer, k = 1.40: ⌈324.70 × 0.40⌉ − 103.90 = 129.88 − 103.90 (docs/payroll.md, example 3)
    assert posting.amount == D("25.98")


def test_an_empty_month_gives_an_empty_run():
    run = payroll_run_compute(period=date(2026, 9, 1), today=TODAY)
    assert run.totals["payslips"] == 0
    assert not Payslip.objects.exists()


class _Rollback(Exception):
    pass


def _queries_of_a_run() -> tuple[int, int]:
    """The queries of computing the month, and its payslips, rolled back afterwards."""
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                compute()
                payslips = Payslip.objects.count()
                raise _Rollback
        except _Rollback:
            pass
    return len(captured.captured_queries) - 1, payslips  # the count() above left out


def test_the_query_count_does_not_grow_with_the_workers(month):
    from tests.pay_helpers import contract, invited_worker

    _queries_of_a_run()  # once first: the caches of a process (content types…) warm
    few, payslips = _queries_of_a_run()
    assert payslips == 2
    for serial in range(50, 56, 2):
        worker = invited_worker(f"W{serial}", "Test", serial)
        c = contract(
            worker,
            month.three,
            "employee-fixed-term",
            f"C-{serial}",
            date(2026, 10, 12),
            date(2026, 10, 13),
            "400.00",
            days=2,
        )
        day(c, date(2026, 10, 12), "200.00")
        day(c, date(2026, 10, 13), "200.00")
    many, payslips = _queries_of_a_run()
    assert payslips == 5
    # The same statements for two workers as for five: the payslips, the day costs and the
    # payout lines go by COPY (core.bulk.insert_rows: the sequence, the ids, the COPY), the
    # employer rates are read once a worker category and month.
    assert many == few
    assert many <= 40, many


def test_the_command_computes_and_closes(month, capsys):
    call_command("run_payroll", "--period", "2026-10", "--close")
    run = PayrollRun.objects.get(period=PERIOD)
    assert run.status == PayrollRun.Status.CLOSED
    assert "2026-10: 2 payslips" in capsys.readouterr().out
    with pytest.raises(CommandError, match="closed"):
        call_command("run_payroll", "--period", "2026-10")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("run_payroll", "--period", "october")


def test_the_task_computes_the_period_once(month):
    assert payroll_run_task("2026-10") == 2
    assert payroll_run_task("2026-10") == 2
    assert Payslip.objects.count() == 2
    assert WorkDay.objects.filter(cancelled=False).count() == 9
