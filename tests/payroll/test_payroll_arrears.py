"""Late work days paid as arrears by the next payroll run, and negative balances carried to the
worker's next payslip (docs/payroll.md, "The payroll run": arrears, negative balances).

The month of tests/pay_helpers.py (October 2026, the artist's parameters change on the 16th)
is computed and closed; then days of October are declared late, and November is computed.
Every amount is computed here from the rates, independently of the run."""

from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from payroll.contributions.services import contributions_compute
from payroll.models import EmploymentCost, PayoutLine, PayrollRun, Payslip
from payroll.parameters import contract_parameters
from payroll.pay.payroll_run import payroll_late_days, payroll_run_close, payroll_run_compute
from payroll.pay.payslips import payslip_pdf_render
from production_units.models import LedgerEntry
from tests.pay_helpers import (
    OCTOBER_WORKING_DAYS,
    PERIOD,
    TODAY,
    advance,
    contract,
    day,
    month_employer_cost,
    october,
)
from tests.payroll.test_payslips import pdf_text, squeeze

pytestmark = pytest.mark.django_db
D = Decimal
NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)
NOV_TODAY = date(2026, 12, 2)
DEC_TODAY = date(2027, 1, 4)


def r(value) -> Decimal:
    """Half up to the cent, as the split rounds."""
    return D(value).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def day_amounts(gross, charges_rate, ss_rate, base="100") -> tuple[Decimal, Decimal]:
    """(employer charges, employee SS) of one day, rounded per day."""
    gross = D(gross)
    return (
        r(gross * D(charges_rate) / 100),
        r(gross * D(base) / 100 * D(ss_rate) / 100),
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def closed_october(alice, claire):
    month = october(alice)
    run = payroll_run_close(run=payroll_run_compute(period=PERIOD, today=TODAY), by=claire)
    return month, run


def _late_october(month, *, late_advance="250.00"):
    """What arrives after October's run: chloé's 8 October on her contract C-D (its advance
    was deducted in October), alice's new artist contract C-L (12 October, before the change
    of parameters, and 29 October, after) with its advance, and alice's November work."""
    late_d = day(month.contract_d, date(2026, 10, 8), "900.00")
    late = contract(
        month.alice,
        month.three,
        "artist-fixed-term",
        "C-L",
        date(2026, 10, 12),
        date(2026, 10, 29),
        "692.58",
        days=2,
    )
    day(late, date(2026, 10, 12), "346.29")
    day(late, date(2026, 10, 29), "346.29")
    advance(late, late_advance)
    november = contract(
        month.alice,
        month.activity,
        "trainer-fixed-term",
        "C-N",
        date(2026, 11, 10),
        date(2026, 11, 10),
        "162.35",
    )
    day(november, date(2026, 11, 10), "162.35")
    return late_d, late, november


def _state():
    return {
        "runs": list(PayrollRun.objects.order_by("pk").values_list("pk", "status", "totals")),
        "payslips": list(
            Payslip.objects.order_by("pk").values_list(
                "pk",
                "gross",
                "net",
                "advances_paid",
                "brought_forward",
                "balance_due",
                "carried_forward",
                "brought_forward_from",
                "lines",
                "pdf",
            )
        ),
        "costs": list(EmploymentCost.objects.order_by("pk").values_list("pk", "payslip")),
        "entries": list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
        "payouts": list(
            PayoutLine.objects.order_by("pk").values_list("pk", "amount", "due_on", "deducted_on")
        ),
    }


# --- arrears ----------------------------------------------------------------------------------


def test_late_october_days_are_paid_by_november_with_the_rates_of_each_day(closed_october):
    month, october_run = closed_october
    before_october = list(
        Payslip.objects.filter(run=october_run).order_by("pk").values_list("pk", "gross", "lines")
    )
    _late_october(month)
    assert payroll_late_days(run=october_run).count() == 3

    run = payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)

    # alice: the November trainer day (no worker category: flat 32 %, 13.07 %), and the
    # arrears of C-L: social security with the artist's rates of each day, 12 October before
    # the 16th (13.07 % of 108 %), 29 October after (13.00 % of 108 %); employer charges by
    # worker category (artist 1bis) for October, her two late days as a month of their own:
    # 692.58 on 108 % = 747.99, 25 % = 187.00, holiday pay 10.27 % = 76.82, work fraction
    # 2 ÷ 22 = 0.0909 (reference 8,228.72 a month, above the threshold): 263.82, 131.91 a day.
    nov_ec, nov_ss = day_amounts("162.35", "32", "13.07")
    _ec, oct12_ss = day_amounts("346.29", "0", "13.07", base="108")
    _ec, oct29_ss = day_amounts("346.29", "0", "13.00", base="108")
    artist = month_employer_cost(
        "692.58", days=2, working_days=OCTOBER_WORKING_DAYS, base="108", holiday="10.27"
    )
    oct12_ec = oct29_ec = artist / 2
    assert (nov_ec, nov_ss) == (D("51.95"), D("21.22"))
    assert (artist, oct12_ec) == (D("263.82"), D("131.91"))
    assert (oct12_ss, oct29_ss) == (D("48.88"), D("48.62"))
    gross = D("162.35") + D("346.29") * 2
    ss = nov_ss + oct12_ss + oct29_ss
    taxable = gross - ss
    # key formula 0 (under the tax-free sum); piece work: 11.11 %
    withholding = r(taxable * D("11.11") / 100)
    net = taxable - withholding
    slip = Payslip.objects.get(run=run, worker=month.alice)
    assert (slip.gross, slip.employee_social_security) == (gross, ss) == (D("854.93"), D("118.72"))
    assert slip.employer_charges == nov_ec + oct12_ec + oct29_ec == D("315.77")
    assert (slip.taxable, slip.withholding, slip.net) == (taxable, withholding, net)
    assert net == D("654.42")
    assert slip.advances_paid == D("250.00")  # C-L's advance, never deducted before
    assert slip.balance_due == net - D("250.00") == D("404.42")
    assert slip.days == 3

    # The payslip's lines: the month's contract, then the arrears for October.
    kinds = [(line["kind"], line.get("month"), line.get("reference")) for line in slip.lines]
    assert kinds == [
        ("contract", None, "C-N"),
        ("arrears", "2026-10", "C-L"),
        ("withholding", None, None),
    ]
    arrears = slip.lines[1]
    assert [d["date"] for d in arrears["days"]] == ["2026-10-12", "2026-10-29"]
    # the effective rate: 131.91 ÷ 346.29 = 38.092 % (the flat 27 → 28 % is not used)
    assert [d["employer_charges_rate"] for d in arrears["days"]] == ["38.09", "38.09"]
    assert [d["employee_social_security"] for d in arrears["days"]] == ["48.88", "48.62"]

    # chloé: her 8 October (25 %, 13.07 %); C-D's advance was deducted in October already.
    # White-collar, one day: work fraction 1 ÷ 22 = 0.0455, reference 900 ÷ 0.0455 =
    # 19,780.22 a month, far above the threshold: no reduction, 25 % as the flat rate.
    ec, ss = day_amounts("900.00", "25", "13.07")
    assert ec == month_employer_cost("900.00", days=1, working_days=OCTOBER_WORKING_DAYS)
    taxable = D("900.00") - ss
    net = taxable - r(taxable * D("11.11") / 100)
    chloe = Payslip.objects.get(run=run, worker=month.chloe)
    assert (chloe.gross, chloe.employer_charges, chloe.net) == (D("900.00"), ec, net)
    assert net == D("695.45")
    assert chloe.advances_paid == D("0.00")

    # Employment costs keep the work date; the ledger books them in November, apart.
    costs = EmploymentCost.objects.filter(payslip__run=run)
    assert sorted(costs.values_list("work_date", "employer_charges")) == [
        (date(2026, 10, 8), ec),
        (date(2026, 10, 12), oct12_ec),
        (date(2026, 10, 29), oct29_ec),
        (date(2026, 11, 10), nov_ec),
    ]
    entries = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.EMPLOYMENT_COST, booked_on=date(2026, 11, 30)
    )
    assert sorted(entries.values_list("unit__code", "label", "amount")) == [
        ("UP-0001", "Salary arrears 2026-10 paid in 2026-11, contract C-D", -(D("900.00") + ec)),
        (
            "UP-0001",
            "Salary arrears 2026-10 paid in 2026-11, contract C-L",
            -(D("692.58") + oct12_ec + oct29_ec),
        ),
        ("UP-0002", "Salaries 2026-11, contract C-N", -(D("162.35") + nov_ec)),
    ]
    assert run.totals["arrears_days"] == 3
    assert run.totals["arrears_gross"] == "1592.58"  # 900.00 + 2 × 346.29

    # October is not recomputed; its late days are no longer late.
    october_run.refresh_from_db()
    assert october_run.status == PayrollRun.Status.CLOSED
    assert (
        list(
            Payslip.objects.filter(run=october_run)
            .order_by("pk")
            .values_list("pk", "gross", "lines")
        )
        == before_october
    )
    assert not payroll_late_days(run=october_run).exists()


def test_computing_november_twice_changes_nothing(
    closed_october, django_capture_on_commit_callbacks
):
    month, _run = closed_october
    _late_october(month)
    with django_capture_on_commit_callbacks(execute=True):
        first = payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)
    before = _state()
    files = {p.pk: p.pdf.read() for p in Payslip.objects.filter(run=first)}
    assert len(files) == 2 and all(files.values())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)
    assert again.pk == first.pk
    assert callbacks == []
    assert _state() == before
    assert {p.pk: p.pdf.read() for p in Payslip.objects.filter(run=first)} == files


def test_arrears_are_paid_once_never_again_by_a_later_run(closed_october):
    month, _run = closed_october
    _late_october(month)
    payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)
    costs = EmploymentCost.objects.count()
    entries = LedgerEntry.objects.count()
    december = payroll_run_compute(period=DECEMBER, today=DEC_TODAY)
    assert december.totals["payslips"] == 0
    assert EmploymentCost.objects.count() == costs
    assert LedgerEntry.objects.count() == entries
    assert (
        EmploymentCost.objects.filter(
            work_date=date(2026, 10, 8), contract=month.contract_d
        ).count()
        == 1
    )


def test_a_late_day_of_a_month_without_run_waits_for_its_own_run(closed_october):
    month, _run = closed_october
    september = contract(
        month.chloe,
        month.three,
        "employee-fixed-term",
        "C-S",
        date(2026, 9, 15),
        date(2026, 9, 15),
        "300.00",
    )
    day(september, date(2026, 9, 15), "300.00")
    _late_october(month)
    november = payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)
    chloe = Payslip.objects.get(run=november, worker=month.chloe)
    assert chloe.gross == D("900.00")  # only her 8 October: September has no run yet
    run = payroll_run_compute(period=date(2026, 9, 1), today=NOV_TODAY)
    assert Payslip.objects.get(run=run, worker=month.chloe).gross == D("300.00")


def test_the_payslip_page_shows_the_arrears_section(alice_client, closed_october):
    month, _run = closed_october
    _late_october(month)
    run = payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)
    slip = Payslip.objects.get(run=run, worker=month.alice)
    page = alice_client.get(reverse("portal:pay_payslip_detail", args=[slip.pk]))
    html = page.content.decode()
    assert 'id="arrears-2026-10"' in html
    assert "Arrears for" in html or "Arriérés" in html
    assert "C-L" in html and "C-N" in html
    api = alice_client.get(reverse("api:pay-payslip-detail", kwargs={"payslip_id": slip.pk}))
    body = api.json()
    assert [c["reference"] for c in body["contracts"]] == ["C-N"]
    assert [(a["month"], a["reference"], a["gross"]) for a in body["arrears"]] == [
        ("2026-10", "C-L", "692.58")
    ]


# --- negative balances ------------------------------------------------------------------------


def test_chloes_negative_balance_is_deducted_from_her_next_payslip(closed_october):
    month, october_run = closed_october
    october_slip = Payslip.objects.get(run=october_run, worker=month.chloe)
    # 2,031.54 net − 2,100.00 advance: not paid out, carried forward
    assert (october_slip.balance_due, october_slip.carried_forward) == (D("0.00"), D("68.46"))
    assert not PayoutLine.objects.filter(payslip=october_slip).exists()
    _late_october(month)
    run = payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)
    slip = Payslip.objects.get(run=run, worker=month.chloe)
    net = D("695.45")  # her 8 October (previous test)
    assert slip.brought_forward == D("68.46")
    assert slip.brought_forward_from == october_slip
    assert slip.balance_due == net - D("68.46") == D("626.99")
    assert slip.carried_forward == D("0.00")
    assert PayoutLine.objects.get(payslip=slip).amount == D("626.99")
    assert run.totals["brought_forward"] == "68.46"
    october_slip.refresh_from_db()
    assert (october_slip.balance_due, october_slip.carried_forward) == (D("0.00"), D("68.46"))

    # Both payslips say it.
    old = squeeze(pdf_text(payslip_pdf_render(payslip=october_slip).pdf))
    new = squeeze(pdf_text(payslip_pdf_render(payslip=slip).pdf))
    assert "−68,46" in old
    assert "−68,46" in new and "626,99" in new


def test_a_negative_balance_is_carried_from_payslip_to_payslip(alice_client, closed_october):
    month, _run = closed_october
    _late_october(month, late_advance="1000.00")
    november = payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)
    nov = Payslip.objects.get(run=november, worker=month.alice)
    # net 654.42 (first test) − the 1,000.00 advance of C-L
    assert nov.advances_paid == D("1000.00")
    assert (nov.balance_due, nov.carried_forward) == (D("0.00"), D("345.58"))
    assert not PayoutLine.objects.filter(payslip=nov).exists()

    # January: no work, nothing taken; December: one trainer day deducts the carried balance.
    december_work = contract(
        month.alice,
        month.activity,
        "trainer-fixed-term",
        "C-DEC",
        date(2026, 12, 1),
        date(2026, 12, 1),
        "162.35",
    )
    day(december_work, date(2026, 12, 1), "162.35")
    december = payroll_run_compute(period=DECEMBER, today=DEC_TODAY)
    dec = Payslip.objects.get(run=december, worker=month.alice)
    _ec, ss = day_amounts("162.35", "32", "13.07")
    taxable = D("162.35") - ss
    net = taxable - r(taxable * D("11.11") / 100)
    assert net == D("125.45")
    assert (dec.net, dec.brought_forward, dec.brought_forward_from) == (net, D("345.58"), nov)
    assert dec.balance_due == D("0.00")
    assert dec.carried_forward == D("345.58") - net == D("220.13")
    assert not PayoutLine.objects.filter(payslip=dec).exists()

    again = _state()
    payroll_run_compute(period=DECEMBER, today=DEC_TODAY)
    assert _state() == again
    january = payroll_run_compute(period=date(2027, 1, 1), today=date(2027, 2, 2))
    assert january.totals["payslips"] == 0
    assert not Payslip.objects.filter(brought_forward_from=dec).exists()  # still to deduct

    nov_page = alice_client.get(reverse("portal:pay_payslip_detail", args=[nov.pk]))
    dec_page = alice_client.get(reverse("portal:pay_payslip_detail", args=[dec.pk]))
    nov_html = squeeze(nov_page.content.decode().replace("\u00a0", " "))
    dec_html = squeeze(dec_page.content.decode().replace("\u00a0", " "))
    assert 'id="carried-forward"' in nov_html and "345,58" in nov_html
    assert 'id="brought-forward"' in dec_html and "345,58" in dec_html
    assert 'id="carried-forward"' in dec_html and "220,13" in dec_html
    assert EmploymentCost.objects.filter(payslip=dec).aggregate(g=Sum("gross"))["g"] == D("162.35")


def test_the_contribution_run_of_november_charges_octobers_arrears_at_each_days_coefficient(
    closed_october,
):
    month, _october_run = closed_october
    october = contributions_compute(period=PERIOD, today=TODAY)
    october_posted = {(p.unit_id, p.pillar): p.amount for p in october.posted}
    late_d, late, _november = _late_october(month)
    payroll_run_compute(period=NOVEMBER, today=NOV_TODAY)

    # October's run is over: computing it again charges nothing more, the late days included.
    assert contributions_compute(period=PERIOD, today=NOV_TODAY).posted == []

    november = contributions_compute(period=NOVEMBER, today=NOV_TODAY)
    posted = {(p.unit_id, p.pillar): p.amount for p in november.posted}
    # UP-0001 worked no day in November: its employment contribution is its October arrears,
    # each day at the coefficient in force on that day (the artist's changes on the 16th).
    days = [
        ("employee-fixed-term", date(2026, 10, 8), D("900.00")),
        ("artist-fixed-term", date(2026, 10, 12), D("346.29")),
        ("artist-fixed-term", date(2026, 10, 29), D("346.29")),
    ]
    kept = sum(
        gross * (contract_parameters(code, day).coefficient - 1) for code, day, gross in days
    )
    # the charges the payroll recorded: chloé's day 25 % (white-collar, no reduction), the
    # artist's two days by category: 263.82 (see above)
    artist = month_employer_cost(
        "692.58", days=2, working_days=OCTOBER_WORKING_DAYS, base="108", holiday="10.27"
    )
    charges = r(D("900.00") * D("0.25")) + artist
    expected = kept.quantize(D("0.01"), rounding=ROUND_CEILING) - charges
    # 900 × 0.33 + 2 × 346.29 × 0.35 = 297.00 + 242.403 → 539.41; − (225.00 + 263.82)
    assert expected == D("50.59")
    assert posted[(month.three.pk, "employment")] == expected
    assert october_posted[(month.three.pk, "employment")] != expected  # not October's again
    assert late_d.date.month == late.start_date.month == 10
