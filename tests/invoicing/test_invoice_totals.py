"""Property-based: totals add up to the cent for any lines (hypothesis, fixed seed)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from invoicing.invoice_services import invoice_create
from invoicing.totals import LineInput, compute_totals
from tests.invoicing_helpers import line, make_client

RATES = [("S", Decimal("21")), ("S", Decimal("12")), ("S", Decimal("6")), ("Z", Decimal("0"))]

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=4)
lines_strategy = st.lists(
    st.builds(
        lambda q, p, r: LineInput(q, p, r[0], r[1]), quantities, prices, st.sampled_from(RATES)
    ),
    min_size=1,
    max_size=40,
)


def half_up_cents(value: Fraction) -> Fraction:
    """Independent rounding: exact rational arithmetic, half away from zero (values ≥ 0)."""
    hundredths = value * 100
    floor = hundredths.numerator // hundredths.denominator
    return Fraction(floor + (1 if hundredths - floor >= Fraction(1, 2) else 0), 100)


@seed(20261123)
@settings(max_examples=300, deadline=None)
@given(lines_strategy)
def test_total_is_net_plus_vat_subtotals_to_the_cent(lines):
    totals = compute_totals(lines)
    assert totals.total == totals.net_total + sum(s.vat for s in totals.subtotals)
    assert totals.net_total == sum(totals.line_amounts)
    assert sum(s.taxable for s in totals.subtotals) == totals.net_total
    for amount in [totals.net_total, totals.vat_total, totals.total, *totals.line_amounts]:
        assert amount == amount.quantize(Decimal("0.01"))
    # Each line and each subtotal checked against exact rational arithmetic.
    for data, amount in zip(lines, totals.line_amounts, strict=True):
        exact = Fraction(data.quantity) * Fraction(data.unit_price)
        assert Fraction(amount) == half_up_cents(exact)
    for sub in totals.subtotals:
        assert Fraction(sub.vat) == half_up_cents(Fraction(sub.taxable) * Fraction(sub.rate) / 100)


def test_rounding_sensitive_lines_follow_the_rules():
    # 3 × 0.333 = 0.999 → 1.00 ; 7 × 0.1429 = 1.0003 → 1.00 ; VAT 21 % of 2.00 = 0.42
    totals = compute_totals(
        [
            LineInput(Decimal("3"), Decimal("0.333"), "S", Decimal("21")),
            LineInput(Decimal("7"), Decimal("0.1429"), "S", Decimal("21")),
        ]
    )
    assert totals.line_amounts == [Decimal("1.00"), Decimal("1.00")]
    assert totals.vat_total == Decimal("0.42")
    assert totals.total == Decimal("2.42")


@pytest.mark.django_db
@seed(7)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(quantities, prices, st.sampled_from(RATES)), min_size=1, max_size=8))
def test_a_saved_invoice_stores_the_same_totals_as_the_pure_function(
    alice, alice_3en1, claire, rows
):
    client = make_client(alice, alice_3en1, verify_by=claire)
    invoice = invoice_create(
        by=alice,
        unit=alice_3en1,
        client=client,
        lines=[
            line(quantity=str(q), unit_price=str(p), category=c, rate=str(r))
            for q, p, (c, r) in rows
        ],
    )
    expected = compute_totals([LineInput(q, p, c, r) for q, p, (c, r) in rows])
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        expected.net_total,
        expected.vat_total,
        expected.total,
    )
    stored = sorted(invoice.lines.values_list("position", "net_amount"))
    assert [amount for _, amount in stored] == expected.line_amounts
