"""The payroll run's employer charges by worker category (docs/payroll.md, "The payroll run":
employer charges): the dated rates of the category, the holiday-pay contribution on 108 % for
artists, the structural reduction brought to a month; spread over the days to the cent.

October 2026: 22 working days (Thursday 1 and Friday 2, then four weeks of five; no public
holiday). Every expected amount is worked out here from the published rates (ONSS/RSZ: basic
25.00 %; artists on 108 % with the holiday-pay contribution 10.27 %; the structural
reduction, category 1, from 1 April 2026: S0 11,687.74, α 0.14, S2 9,738.14, γ 0.16 a
quarter), never read from the code under test."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import allocate
from payroll.contributions.services import contributions_compute
from payroll.models import (
    ContractType,
    ContributionPosting,
    EmployerContributionRate,
    EmploymentCost,
    Payslip,
)
from payroll.pay.api import PayslipContractOutputSerializer
from payroll.pay.payroll_run import payroll_run_compute, work_fraction
from payroll.pay.payslips import payslip_context
from payroll.split import EmployerRates, employer_contributions
from production_units.models import ProductionUnit
from tests.pay_helpers import (
    OCTOBER_WORKING_DAYS,
    PERIOD,
    REDUCTION_2026,
    TODAY,
    WHITE_COLLAR,
    contract,
    day,
    invited_worker,
    month_employer_cost,
)

D = Decimal
OCTOBER_DAYS = [1, 2, *range(5, 10), *range(12, 17), *range(19, 24), *range(26, 31)]
ARTIST = EmployerRates(base_percent=D("108"), basic_rate=D("25.00"), holiday_pay_rate=D("10.27"))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def unit(alice):
    return ProductionUnit.objects.get(code="UP-0001")


def _worker(unit, code, serial, grosses: dict[int, str]):
    """A worker with one contract of type `code` and a day on each October day given."""
    worker = invited_worker(f"W{serial}", "Test", serial)
    first, last = min(grosses), max(grosses)
    total = sum((D(g) for g in grosses.values()), D(0))
    c = contract(
        worker,
        unit,
        code,
        f"C-{serial}",
        date(2026, 10, first),
        date(2026, 10, last),
        str(total),
        days=len(grosses),
    )
    for n, gross in grosses.items():
        day(c, date(2026, 10, n), gross)
    return worker


def _costs(worker) -> list[Decimal]:
    return list(
        EmploymentCost.objects.filter(contract__worker=worker)
        .order_by("work_date")
        .values_list("employer_charges", flat=True)
    )


@pytest.mark.django_db
def test_the_contract_types_have_their_worker_category():
    categories = dict(ContractType.objects.values_list("code", "worker_category"))
    assert categories == {
        "employee-fixed-term": "white-collar",
        "open-ended": "white-collar",
        "artist-fixed-term": "artist-1bis",
        "student": None,
        "trainer-fixed-term": None,
    }


def test_a_white_collar_full_month_above_the_threshold_pays_the_basic_contribution(unit):
    worker = _worker(unit, "employee-fixed-term", 60, {n: "250.00" for n in OCTOBER_DAYS})
    payroll_run_compute(period=PERIOD, today=TODAY)
    # 22 × 250.00 = 5,500.00; work fraction 22 ÷ 22 = 1; 3 × 5,500.00 = 16,500.00 a quarter,
    # above S0 11,687.74: no reduction; 25 % = 1,375.00, 62.50 a day.
    expected = month_employer_cost("5500.00", days=22, working_days=OCTOBER_WORKING_DAYS)
    assert expected == D("1375.00")
    assert Payslip.objects.get(worker=worker).employer_charges == expected
    assert _costs(worker) == [D("62.50")] * 22


def test_a_white_collar_full_month_below_the_threshold_gets_the_reduction(unit):
    worker = _worker(unit, "employee-fixed-term", 62, {n: "150.00" for n in OCTOBER_DAYS})
    payroll_run_compute(period=PERIOD, today=TODAY)
    # 22 × 150.00 = 3,300.00; basic 25 % = 825.00; work fraction 1; the quarter's wage
    # 3 × 3,300.00 = 9,900.00, below S0 and above S2: R = 0.14 × (11,687.74 − 9,900.00) =
    # 250.2836 a quarter, a third 83.427867 → 83.43 for the month; total 825.00 − 83.43.
    expected = month_employer_cost("3300.00", days=22, working_days=OCTOBER_WORKING_DAYS)
    assert expected == D("825.00") - D("83.43") == D("741.57")
    slip = Payslip.objects.get(worker=worker)
    assert slip.employer_charges == expected
    # 741.57 ÷ 22 = 33.7077…: 33.70 each, the 17 cents left to the first 17 days
    costs = _costs(worker)
    assert costs == [D("33.71")] * 17 + [D("33.70")] * 5
    assert sum(costs) == expected


def test_an_artist_on_a_few_days_pays_the_holiday_contribution_on_108_percent_less_the_reduction(
    unit,
):
    worker = _worker(unit, "artist-fixed-term", 64, {5: "100.00", 6: "150.00", 7: "200.00"})
    payroll_run_compute(period=PERIOD, today=TODAY)
    # gross 450.00; base 108 % = 486.00; basic 25 % = 121.50; holiday pay 10.27 % of 486.00 =
    # 49.9122 → 49.91; work fraction 3 ÷ 22 = 0.13636 → 0.1364; reference 486.00 ÷ 0.1364 =
    # 3,563.0499 → 3,563.05 a month, 10,689.15 a quarter: R = 0.14 × (11,687.74 − 10,689.15)
    # = 139.8026, a third 46.600867 → 46.60; × 0.1364 = 6.35624 → 6.36.
    # Total 121.50 + 49.91 − 6.36 = 165.05.
    expected = month_employer_cost(
        "450.00", days=3, working_days=OCTOBER_WORKING_DAYS, base="108", holiday="10.27"
    )
    assert expected == D("121.50") + D("49.91") - D("6.36") == D("165.05")
    slip = Payslip.objects.get(worker=worker)
    assert slip.employer_charges == expected
    # In proportion to the gross: 165.05 × 100/450 = 36.677…, × 150/450 = 55.016…,
    # × 200/450 = 73.355…: 36.67 + 55.01 + 73.35 = 165.03, the 2 cents left to the largest
    # remainders (0.78 and 0.67 of a cent): 36.68, 55.02, 73.35.
    assert _costs(worker) == [D("36.68"), D("55.02"), D("73.35")]
    line = next(line for line in slip.lines if line["kind"] == "contract")
    assert line["worker_category"] == "artist-1bis"
    assert line["employer_charges"] == "165.05"
    # effective rates: 36.68 ÷ 100.00, 55.02 ÷ 150.00 = 36.68 %, 73.35 ÷ 200.00 = 36.675 %
    assert [d["employer_charges_rate"] for d in line["days"]] == ["36.68", "36.68", "36.68"]


def test_the_day_costs_add_up_to_each_workers_month_total(unit):
    workers = [
        _worker(unit, "employee-fixed-term", 66, {1: "123.45", 2: "98.76", 5: "111.11"}),
        _worker(unit, "artist-fixed-term", 68, {n: "101.01" for n in OCTOBER_DAYS[:7]}),
    ]
    payroll_run_compute(period=PERIOD, today=TODAY)
    white = month_employer_cost("333.32", days=3, working_days=OCTOBER_WORKING_DAYS)
    artist = month_employer_cost(
        "707.07", days=7, working_days=OCTOBER_WORKING_DAYS, base="108", holiday="10.27"
    )
    for worker, expected in zip(workers, (white, artist), strict=True):
        total = EmploymentCost.objects.filter(contract__worker=worker).aggregate(
            total=Sum("employer_charges")
        )["total"]
        assert total == Payslip.objects.get(worker=worker).employer_charges == expected


def test_a_contract_type_without_category_keeps_its_flat_rate(unit):
    worker = _worker(unit, "student", 70, {5: "100.00", 6: "80.00"})
    payroll_run_compute(period=PERIOD, today=TODAY)
    # the student type's flat employer charges: 5.42 % a day, half up
    assert _costs(worker) == [D("5.42"), D("4.34")]  # 100 × 5.42 %; 80 × 5.42 % = 4.336
    slip = Payslip.objects.get(worker=worker)
    line = next(line for line in slip.lines if line["kind"] == "contract")
    assert line["worker_category"] == ""
    assert [d["employer_charges_rate"] for d in line["days"]] == ["5.42", "5.42"]


def test_a_category_without_rates_in_force_stops_the_run(unit):
    _worker(unit, "artist-fixed-term", 72, {5: "100.00"})
    EmployerContributionRate.objects.filter(category="artist-1bis").delete()
    with pytest.raises(ValidationError) as error:
        payroll_run_compute(period=PERIOD, today=TODAY)
    assert "artist-1bis" in error.value.message_dict["period"][0]
    assert not Payslip.objects.exists()


# -- the month's estimate of the quarterly reduction (pure) ------------------------------------


def test_the_work_fraction_is_the_paid_days_over_the_working_days_at_most_one():
    assert work_fraction(22, 22) == D("1")
    assert work_fraction(3, 22) == D("0.1364")  # 0.136363…
    assert work_fraction(25, 22) == D("1")  # weekends worked: capped


def test_a_full_time_month_gets_a_third_of_the_quarters_reduction():
    month = employer_contributions(
        gross=D("2000.00"), rates=WHITE_COLLAR, reduction=REDUCTION_2026.a_month()
    )
    # the quarter at 6,000.00: R = 0.14 × 5,687.74 + 0.16 × 3,738.14 = 1,394.386; a third =
    # 464.795333 → 464.80 (three such months: 1,394.40, a cent from the quarter's 1,394.39:
    # the quarterly declaration settles it).
    assert month.structural_reduction == D("464.80")
    assert month.total == D("500.00") - D("464.80")


@settings(max_examples=150, deadline=None)
@given(
    cents=st.integers(min_value=1, max_value=2_000_000),
    days=st.integers(min_value=1, max_value=23),
    artist=st.booleans(),
)
def test_the_monthly_reduction_never_exceeds_the_basic_and_vanishes_above_the_threshold(
    cents, days, artist
):
    gross = D(cents).scaleb(-2)
    rates = ARTIST if artist else WHITE_COLLAR
    fraction = work_fraction(days, 22)
    month = employer_contributions(
        gross=gross, rates=rates, reduction=REDUCTION_2026.a_month(), work_fraction=fraction
    )
    assert D(0) <= month.structural_reduction <= month.basic
    if 3 * (month.base / fraction) >= REDUCTION_2026.low_wage_threshold:
        assert month.structural_reduction == 0
    # monotonic: a cent more of gross never costs less
    more = employer_contributions(
        gross=gross + D("0.01"),
        rates=rates,
        reduction=REDUCTION_2026.a_month(),
        work_fraction=fraction,
    )
    assert more.total >= month.total


@settings(max_examples=150, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10_000_000),
    weights=st.lists(st.integers(min_value=1, max_value=1_000_000), min_size=1, max_size=25),
)
def test_allocate_adds_up_exactly_and_stays_within_a_cent_of_the_proportion(total, weights):
    amount = D(total).scaleb(-2)
    parts = [D(w).scaleb(-2) for w in weights]
    shares = allocate(amount, parts)
    assert sum(shares) == amount
    whole = sum(parts)
    for share, part in zip(shares, parts, strict=True):
        assert abs(share - amount * part / whole) < D("0.01")


def test_a_payslip_line_of_before_the_categories_is_still_read():
    """The payslips computed before issue 16 have no worker category in their lines, and a
    day's rate was the contract type's flat one: the API shows them as they are."""
    old_line = {
        "kind": "contract",
        "contract": 1,
        "reference": "C-A",
        "employer": "SmartCoop",
        "enterprise_number": "0450010021",
        "unit": "UP-0001",
        "contract_type": "Artist",
        "function": "musician",
        "gross": "346.29",
        "employer_charges": "93.50",
        "employee_social_security": "48.88",
        "days": [
            {
                "date": "2026-10-14",
                "hours": "8.00",
                "gross": "346.29",
                "employer_charges_rate": "27.00",
                "employer_charges": "93.50",
                "employee_ss_rate": "13.07",
                "employee_ss_base_percent": "108.00",
                "employee_social_security": "48.88",
            }
        ],
    }
    data = PayslipContractOutputSerializer(old_line).data
    assert data["worker_category"] == ""
    assert data["days"][0]["employer_charges_rate"] == "27.00"
    assert data["employer_charges"] == "93.50"


@pytest.mark.parametrize("set_based", [False, True])
def test_an_artists_charges_above_the_budget_make_the_employment_pillar_negative(unit, set_based):
    """The unit pays ⌈G × k⌉ in total: the artist type's k − 1 = 0.35 is below the charges
    (108 % × 35.27 % = 38.09 % before the reduction), so the mutual fund gives back the
    difference (docs/payroll.md: a decision for the cooperative). Python and SQL paths."""
    if set_based and connection.vendor != "postgresql":
        pytest.skip("the set-based run needs PostgreSQL")
    _worker(unit, "artist-fixed-term", 74, {5: "100.00", 6: "150.00", 7: "200.00"})
    payroll_run_compute(period=PERIOD, today=TODAY)
    contributions_compute(period=PERIOD, today=TODAY, set_based=set_based)
    posting = ContributionPosting.objects.get(unit=unit, pillar="employment")
    # ⌈450.00 × 0.35 = 157.50⌉ − 165.05 (the artist's month, above) = −7.55
    assert posting.amount == D("157.50") - D("165.05") == D("-7.55")
    # employment cost 450.00 + 165.05, contribution −7.55: the unit pays 607.50 = 450 × 1.35
    assert D("450.00") + D("165.05") + posting.amount == D("450.00") * D("1.35")


def test_the_payslip_shows_the_worker_category_of_the_charges(unit):
    worker = _worker(unit, "artist-fixed-term", 76, {5: "100.00"})
    student = _worker(unit, "student", 78, {5: "100.00"})
    payroll_run_compute(period=PERIOD, today=TODAY)
    with translation.override("en"):
        artist_lines = payslip_context(Payslip.objects.get(worker=worker))["contracts"]
        student_lines = payslip_context(Payslip.objects.get(worker=student))["contracts"]
        assert [str(c["worker_category_label"]) for c in artist_lines] == ["Artist (art. 1bis)"]
    assert [c["worker_category_label"] for c in student_lines] == [""]
