"""Employer contributions by worker category, with the annual holiday-pay contribution and the
structural reduction for low wages (docs/payroll.md, "Employer contributions"): the seeded
dated data and worked examples computed here by hand."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.parameters import ParameterMissing, employer_rates, structural_reduction_on
from payroll.split import (
    EmployerRates,
    SplitInputError,
    employer_contributions,
)
from tests.pay_helpers import REDUCTION_2026, WHITE_COLLAR

D = Decimal
MANUAL = EmployerRates(base_percent=D("108"), basic_rate=D("25.00"), holiday_pay_rate=D("10.27"))


@pytest.mark.django_db
def test_the_seeded_rates_are_chosen_by_category_and_date():
    day = date(2026, 10, 15)
    assert employer_rates("white-collar", day) == WHITE_COLLAR
    assert employer_rates("manual-worker", day) == MANUAL
    assert employer_rates("artist-1bis", day) == MANUAL
    assert structural_reduction_on(day) == REDUCTION_2026
    before = structural_reduction_on(date(2026, 3, 31))
    assert before is not None
    assert (before.low_wage_threshold, before.very_low_wage_coefficient) == (
        D("11233.89"),
        D("0.1500"),
    )
    assert structural_reduction_on(date(2025, 6, 30)) is None
    with pytest.raises(ParameterMissing):
        employer_rates("astronaut", day)


def test_a_white_collar_quarter_of_6000():
    cost = employer_contributions(gross=D("6000.00"), rates=WHITE_COLLAR, reduction=REDUCTION_2026)
    # basic 25 % of 6,000.00 = 1,500.00; R = 0.14 × (11,687.74 − 6,000) + 0.16 × (9,738.14 −
    # 6,000) = 796.2836 + 598.1024 = 1,394.386 → 1,394.39
    assert (cost.base, cost.basic, cost.holiday_pay) == (D("6000.00"), D("1500.00"), D("0.00"))
    assert cost.structural_reduction == D("1394.39")
    assert cost.total == D("105.61")


def test_a_manual_worker_pays_on_108_percent_and_the_holiday_fund_contribution():
    cost = employer_contributions(gross=D("6000.00"), rates=MANUAL, reduction=REDUCTION_2026)
    # base 6,000 × 108 % = 6,480.00; basic 1,620.00; holiday pay 10.27 % = 665.496 → 665.50;
    # R on 6,480: 0.14 × 5,207.74 + 0.16 × 3,258.14 = 729.0836 + 521.3024 = 1,250.386
    assert (cost.base, cost.basic, cost.holiday_pay) == (D("6480.00"), D("1620.00"), D("665.50"))
    assert cost.structural_reduction == D("1250.39")
    assert cost.total == D("1620.00") + D("665.50") - D("1250.39") == D("1035.11")


def test_no_reduction_above_the_low_wage_threshold():
    cost = employer_contributions(gross=D("12000.00"), rates=WHITE_COLLAR, reduction=REDUCTION_2026)
    assert (cost.structural_reduction, cost.total) == (D("0.00"), D("3000.00"))


def test_the_reduction_never_exceeds_the_basic_contribution():
    # 3,000.00: basic 750.00; R = 0.14 × 8,687.74 + 0.16 × 6,738.14 = 2,294.386 → capped
    cost = employer_contributions(gross=D("3000.00"), rates=WHITE_COLLAR, reduction=REDUCTION_2026)
    assert (cost.basic, cost.structural_reduction, cost.total) == (
        D("750.00"),
        D("750.00"),
        D("0.00"),
    )


def test_a_half_time_worker_gets_half_the_reduction_of_the_full_time_wage():
    cost = employer_contributions(
        gross=D("3000.00"),
        rates=WHITE_COLLAR,
        reduction=REDUCTION_2026,
        work_fraction=D("0.5"),
    )
    # reference wage 3,000 ÷ 0.5 = 6,000 → R 1,394.39; × 0.5 = 697.195 → 697.20
    assert cost.structural_reduction == D("697.20")
    assert cost.total == D("750.00") - D("697.20") == D("52.80")


def test_without_reduction_parameters_or_for_a_category_without_it():
    assert employer_contributions(
        gross=D("6000.00"), rates=WHITE_COLLAR, reduction=None
    ).total == D("1500.00")
    no_cut = EmployerRates(**{**vars(WHITE_COLLAR), "structural_reduction": False})
    assert employer_contributions(
        gross=D("6000.00"), rates=no_cut, reduction=REDUCTION_2026
    ).total == D("1500.00")


def test_bad_inputs_are_refused_with_the_field():
    with pytest.raises(SplitInputError) as error:
        employer_contributions(gross=D("-1.00"), rates=WHITE_COLLAR, reduction=None)
    assert error.value.field == "gross"
    with pytest.raises(SplitInputError) as error:
        employer_contributions(
            gross=D("1.00"), rates=WHITE_COLLAR, reduction=None, work_fraction=D("0")
        )
    assert error.value.field == "work_fraction"


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(
    st.integers(min_value=0, max_value=3_000_000),
    st.integers(min_value=1, max_value=300_000),
    st.sampled_from([WHITE_COLLAR, MANUAL]),
)
def test_the_employer_cost_never_falls_when_gross_rises(cents, step, rates):
    low = employer_contributions(gross=D(cents).scaleb(-2), rates=rates, reduction=REDUCTION_2026)
    high = employer_contributions(
        gross=D(cents + step).scaleb(-2), rates=rates, reduction=REDUCTION_2026
    )
    assert high.total >= low.total >= 0
    assert 0 <= low.structural_reduction <= low.basic
