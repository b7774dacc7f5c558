"""A funding agreement counts in the turnover pillar of the mutual contribution of the month
it is received, at the rate in force that day, as an invoice does: in the Python run and in
the SQL run alike (issue 16)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from invoicing.funding import funding_agreement_record
from payroll.contributions.services import contributions_compute
from production_units.models import ContributionRate
from tests.payroll.test_contributions import (
    OCTOBER,
    Month,
    _dated,
    _run_and_roll_back,
    open_units,
    posted,
)

pytestmark = pytest.mark.django_db

D = Decimal


def _fund(unit, claire, day, amount):
    return funding_agreement_record(
        unit=unit, funder="Région wallonne", reference=f"RW-{day:%d}", amount=amount,
        received_on=day, by=claire,
    )  # fmt: skip


def _by_hand(parts):
    """Σ rate % × base, rounded half up to the cent once (DESIGN.md, turnover pillar)."""
    exact = sum((rate * base / 100 for rate, base in parts), D(0))
    return exact.quantize(D("0.01"), ROUND_HALF_UP)


@pytest.mark.parametrize(
    "set_based",
    [False, pytest.param(True, marks=pytest.mark.skipif("connection.vendor != 'postgresql'"))],
)
def test_a_month_with_funding_charges_the_rule_applied_by_hand(
    set_based, alice, alice_3en1, claire
):
    assert ContributionRate.objects.get(valid_to__isnull=True).rate == D("6.50")
    _dated(ContributionRate, ContributionRate.objects.get(valid_to__isnull=True),
           date(2026, 10, 16), rate=D("7.25"), label="test")  # fmt: skip
    unit, other = open_units(alice_3en1, claire, 2)
    month = Month(alice, claire, [unit, other])
    month.invoice(unit, date(2026, 10, 5), "1000.00")  # 6.50 %
    _fund(unit, claire, date(2026, 10, 12), "2345.67")  # 6.50 %
    _fund(unit, claire, date(2026, 10, 20), "999.99")  # 7.25 %
    _fund(other, claire, date(2026, 10, 30), "100.01")  # 7.25 %, no invoice in the month
    _fund(other, claire, date(2026, 11, 2), "5000.00")  # November: not this month

    contributions_compute(period=OCTOBER, set_based=set_based)

    # 6.50 % × 3345.67 + 7.25 % × 999.99 = 217.46855 + 72.499275 = 289.967825 → 289.97
    assert _by_hand([(D("6.50"), D("3345.67")), (D("7.25"), D("999.99"))]) == D("289.97")
    # 7.25 % × 100.01 = 7.250725 → 7.25
    assert posted() == {unit.pk: {"turnover": D("-289.97")}, other.pk: {"turnover": D("-7.25")}}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL run needs PostgreSQL")
def test_the_python_and_sql_runs_agree_with_funding_invoices_and_credit_notes(
    alice, alice_3en1, claire
):
    _dated(ContributionRate, ContributionRate.objects.get(valid_to__isnull=True),
           date(2026, 10, 11), rate=D("7.25"), label="test")  # fmt: skip
    units = open_units(alice_3en1, claire, 4)
    month = Month(alice, claire, units)
    first = month.invoice(units[0], date(2026, 10, 2), "1234.56")
    month.invoice(units[1], date(2026, 10, 14), "99.99")
    month.credit(first, date(2026, 10, 25), "234.56")
    for unit, day, amount in (
        (units[0], date(2026, 10, 3), "10000.00"),
        (units[1], date(2026, 10, 11), "0.07"),
        (units[2], date(2026, 10, 31), "333.33"),
        (units[2], date(2026, 10, 1), "333.33"),
    ):
        _fund(unit, claire, day, amount)

    in_python = _run_and_roll_back(set_based=False)
    in_sql = _run_and_roll_back(set_based=True)

    assert in_python and in_python == in_sql
    base, amount, detail, *_ = in_sql[units[2].pk, "turnover"]
    assert (base, detail["funded"], detail["invoiced"]) == (D("666.66"), "666.66", "0.00")
    # 333.33 × 6.50 % + 333.33 × 7.25 % = 21.66645 + 24.166425 = 45.832875 → 45.83
    assert amount == D("45.83")
    assert detail["net_by_rate"] == {"6.50": "333.33", "7.25": "333.33"}
    assert (units[3].pk, "turnover") not in in_sql


def test_a_funding_in_a_month_already_computed_is_refused(alice, alice_3en1, claire):
    (unit,) = open_units(alice_3en1, claire, 1)
    contributions_compute(period=OCTOBER)
    with pytest.raises(ValidationError) as refused:
        _fund(unit, claire, date(2026, 10, 20), "100.00")
    assert "already computed" in " ".join(refused.value.message_dict["received_on"])
