"""The board's figures against a small known history, each expected value worked out here
from the history itself (not from the selectors' code)."""

from datetime import date
from decimal import Decimal

import pytest

from invoicing.models import Invoice, Transmission
from members.selectors import yearly_figures
from payroll.models import (
    ContributionPosting,
    ExpenseCategory,
    ExpenseClaim,
    PayrollRun,
    Payslip,
    Worker,
)
from reports.figures import Scope, compute
from reports.figures import base as figures_base
from reports.figures.base import SUPPRESSED
from tests import reports_helpers as h

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 3, 1)  # 2025 is a whole year; 2026 to date
# name: (gender, birth date, [(unit code, opened, tool, [(client, issue day, net)])])
HOLDERS = {
    "Ana": (
        "F",
        date(1990, 5, 1),
        [("U1", date(2020, 1, 1), "3en1", [("c1", date(2025, 3, 1), 500)])],
    ),
    "Ben": (
        "M",
        date(2001, 7, 1),
        [
            (
                "U2",
                date(2020, 1, 1),
                "activite",
                [("c1", date(2025, 4, 1), 1500), ("c2", date(2025, 5, 1), 1000)],
            )
        ],
    ),
    "Cleo": (
        "F",
        date(1980, 1, 1),
        [
            ("U3", date(2020, 1, 1), "3en1", [("c3", date(2025, 6, 1), 4000)]),
            ("U4", date(2021, 1, 1), "activite", [("c3", date(2025, 7, 1), 8000)]),
        ],
    ),
    "Dan": (
        "M",
        date(1960, 1, 1),
        [("U5", date(2020, 1, 1), "3en1", [("c1", date(2025, 8, 1), 25000)])],
    ),
    "Eve": ("X", date(1995, 1, 1), [("U6", date(2025, 2, 1), "3en1", [])]),
    "Finn": (
        "M",
        date(1985, 1, 1),
        [("U7", date(2019, 1, 1), "3en1", [("c2", date(2024, 5, 1), 300)])],
    ),
}
CREDIT = ("U5", date(2025, 9, 1), 1000)  # a credit note on U5's invoice


@pytest.fixture
def history(db):
    people, units, invoices = {}, {}, {}
    clients = {
        "c1": h.client("Client one"),
        "c2": h.client("Client two", country="FR"),
        "c3": h.client("Client three", kind="person"),
    }
    for name, (gender, born, held) in HOLDERS.items():
        office = "namur" if name == "Finn" else "bruxelles"
        people[name] = h.member(
            name, since=date(2020, 1, 1), born=born, gender=gender, office_code=office
        )
        for code, opened, tool, sales in held:
            units[code] = h.unit(people[name], code, opened=opened, tool=tool)
            for client, day, net in sales:
                invoices[(code, day)] = h.invoice(units[code], clients[client], day, net)
    code, day, net = CREDIT
    h.invoice(units[code], clients["c1"], day, net, credited=invoices[(code, date(2025, 8, 1))])
    # Members who hold no unit: one joins in 2025 (category C), one resigns in 2025, one
    # joins after the period.
    h.member(
        "Gus",
        since=date(2025, 4, 1),
        born=date(1970, 1, 1),
        shares=3,
        category="C",
        office_code="namur",
    )
    hal = h.member(
        "Hal",
        since=date(2018, 1, 1),
        born=date(1975, 1, 1),
        shares=1,
        left=date(2025, 6, 30),
        status="resigned",
    )
    h.refund(hal, date(2025, 7, 10), 1)
    h.member("Ivy", since=date(2026, 1, 5), born=date(1999, 1, 1))
    # Payments: the 2024 invoice and U1's before the end of 2025, U2's first after it.
    h.payment(invoices[("U7", date(2024, 5, 1))], date(2024, 6, 1), 300)
    h.payment(invoices[("U1", date(2025, 3, 1))], date(2025, 3, 20), 500)
    h.payment(invoices[("U2", date(2025, 4, 1))], date(2026, 1, 10), 1500)
    # Work: Ben in his unit, someone who is no member in Ben's unit, Eve in hers.
    ben = h.worker("Ben", date(2001, 7, 1), people["Ben"])
    outsider = h.worker("Olga", date(1992, 3, 3))
    eve = h.worker("Eve", date(1995, 1, 1), people["Eve"])
    h.work(ben, units["U2"], [date(2025, 1, 6), date(2025, 1, 7)], "8.00")
    h.work(outsider, units["U2"], [date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)], "6.00")
    h.work(eve, units["U6"], [date(2025, 2, 10)], "4.00", gross="200.00", charges="60.00")
    # Mutual contribution postings.
    turnover, employment = (
        ContributionPosting.Pillar.TURNOVER,
        ContributionPosting.Pillar.EMPLOYMENT,
    )
    h.contribution(units["U1"], date(2025, 1, 1), turnover, "32.50")
    h.contribution(units["U2"], date(2025, 2, 1), employment, "10.00")
    h.contribution(units["U1"], date(2024, 1, 1), turnover, "20.00")
    return {"people": people, "units": units, "clients": clients}


@pytest.fixture
def every_group(monkeypatch):
    """Show every group, however small, to check the numbers themselves."""
    monkeypatch.setattr(figures_base, "MIN_GROUP", 1)


def figure(key, year=2025, **scope):
    return {
        block.key: block.rows
        for block in compute(key, year=year, today=TODAY, scope=Scope(**scope)).blocks
    }


def headline(rows):
    return {row[0]: row[1:3] for row in rows}


# --- what the history says, worked out by hand ------------------------------------------


def active_2025():
    """Units with an invoice in 2025, or a work day in 2025 (U2 and U6 work)."""
    invoiced = {
        code
        for held in HOLDERS.values()
        for code, _o, _t, sales in held[2]
        for _c, day, _n in sales
        if day.year == 2025
    }
    return invoiced | {"U2", "U6"}


def invoiced_by_holder_2025():
    totals = {}
    for name, (_g, _b, held) in HOLDERS.items():
        codes = {code for code, *_ in held}
        if codes & active_2025():
            totals[name] = sum(
                net for _c, _o, _t, sales in held for _cl, day, net in sales if day.year == 2025
            )
            if CREDIT[0] in codes:
                totals[name] -= CREDIT[2]
    return totals


def holder_band(amount):
    if amount < 1000:
        return "less than 1 k€"
    if amount < 3000:
        return "1 to 3 k€"
    if amount < 5000:
        return "3 to 5 k€"
    if amount < 10000:
        return "5 to 10 k€"
    if amount < 20000:
        return "10 to 20 k€"
    return "20 k€ and more"


def test_members_figures(history):
    rows = headline(figure("members")["members"])
    # End of 2025: the six holders and Gus; Hal left, Ivy joins in 2026.
    assert rows["Members at the end of the period"] == [7, 7]  # 2024: six holders and Hal
    assert rows["Joined"] == [1, 0]
    assert rows["Resigned"] == [1, 0]
    assert rows["Shares held"] == [6 * 2 + 3, 6 * 2 + 1]
    assert rows["Equity (€)"] == [D("450.00"), D("390.00")]
    assert rows["Average invested per member (€)"][0] == D("64.29")  # 450 / 7
    assert rows["Maximum invested by a member (€)"][0] == D("90.00")
    assert rows["Shares refunded"] == [1, 0]
    # Six members of 5 completed years on 31/12/2025, Gus of 0: 30 / 7.
    assert rows["Average seniority (years)"][0] == D("4.3")
    by_category = {row[0]: row[1] for row in figure("members")["members_by_category"]}
    assert by_category == {"Category A": SUPPRESSED, "Category B": 0, "Category C": SUPPRESSED}


def test_members_figures_agree_with_the_register_s_yearly_figures(history):
    rows = headline(figure("members")["members"])
    register = yearly_figures(2025)
    assert rows["Members at the end of the period"][0] == register.members
    assert rows["Joined"][0] == register.joined
    assert rows["Shares held"][0] == register.shares
    assert rows["Equity (€)"][0] == register.equity
    assert rows["Average seniority (years)"][0] == register.average_seniority
    assert rows["Average age (years)"][0] == register.average_age


def test_members_of_one_office(history, every_group):
    brussels = h.office("bruxelles").pk
    rows = headline(figure("members", office_id=brussels)["members"])
    assert rows["Members at the end of the period"] == [5, 6]  # Finn, Gus in Namur; Hal left
    assert rows["Joined"] == [0, 0]


def test_holders_figures(history, every_group):
    blocks = figure("holders")
    invoiced = invoiced_by_holder_2025()
    rows = headline(blocks["holders"])
    assert rows["Holders"] == [len(invoiced), 1]  # 2024: Finn only
    assert rows["New holders"][0] == 1  # Eve opened her first unit in 2025
    assert rows["Holders of 1 unit"][0] == 4
    assert rows["Holders of 2 units"][0] == 1
    bands = {row[0]: row[1] for row in blocks["holders_by_invoiced"]}
    expected = {}
    for amount in invoiced.values():
        expected[holder_band(amount)] = expected.get(holder_band(amount), 0) + 1
    assert {band: n for band, n in bands.items() if n} == expected
    by_gender = {row[0]: row[1:] for row in blocks["holders_invoiced_by_gender"]}
    # women, men, other, unknown, all
    assert by_gender["less than 1 k€"] == [1, 0, 1, 0, 2]  # Ana 500, Eve 0
    assert by_gender["20 k€ and more"] == [0, 1, 0, 0, 1]  # Dan 24,000
    clients = {row[0]: row[1] for row in blocks["holders_by_clients"]}
    assert clients == {"1 client": 3, "2 clients": 1, "3 to 5 clients": 0, "more than 5 clients": 0}
    regions = {row[0]: row[1] for row in blocks["holders_by_region"]}
    assert regions["Brussels"] == 5


def test_small_groups_of_holders_are_not_shown(history):
    blocks = figure("holders")
    for key in ("holders_by_gender", "holders_by_invoiced", "holders_invoiced_by_age"):
        for row in blocks[key]:
            assert all(
                cell in (0, None, SUPPRESSED) or not isinstance(cell, int) or cell >= 10
                for cell in row[1:]
            ), (key, row)
            if SUPPRESSED in row[1:] and len(row) == 3:
                assert row[2] == SUPPRESSED  # the share would give the count back


def test_units_figures(history, every_group):
    blocks = figure("units")
    rows = headline(blocks["units"])
    assert rows["Active units"] == [len(active_2025()), 1]
    expected_turnover = sum(invoiced_by_holder_2025().values())
    assert rows["Turnover excl. VAT (€)"] == [D(expected_turnover).quantize(D("0.01")), D("300.00")]
    assert expected_turnover == 500 + 2500 + 12000 + 24000
    assert rows["Units employing others"][0] == 1  # U2 employs Olga
    assert rows["Budget spent employing others (€)"][0] == D("1300.00")
    bands = {row[0]: row[1] for row in blocks["units_by_invoiced"]}
    assert bands["less than 1 k€"] == 2  # U1 500, U6 nothing
    assert bands["3 to 10 k€"] == 2  # U3, U4
    assert bands["10 to 30 k€"] == 1  # U5 24,000
    tools = {row[0]: row[1] for row in blocks["units_by_tool"]}
    assert tools == {"3en1": 4, "Activité": 2}


def test_work_figures(history, every_group):
    blocks = figure("work")
    rows = headline(blocks["work"])
    assert rows["Contracts"] == [3, 0]
    assert rows["Declared work days"] == [2 + 3 + 1, 0]
    assert rows["Declared hours"][0] == D("16.00") + D("18.00") + D("4.00")
    assert rows["Employees"][0] == 3
    assert rows["Employees holding no unit"][0] == 1  # Olga
    assert rows["Full-time equivalents"][0] == (D(38) / (38 * 52)).quantize(D("0.1"))
    hours = {row[0]: row[1] for row in blocks["work_by_hours"]}
    assert hours["8 to 20 h"] == 2 and hours["less than 8 h"] == 1


def test_clients_figures(history, every_group):
    rows = headline(figure("clients")["clients"])
    assert rows["Clients invoiced"] == [3, 1]
    assert rows["New clients"][0] == 2  # Client two was first invoiced in 2024
    sales_2025 = [
        day
        for _g, _b, held in HOLDERS.values()
        for *_u, sales in held
        for _c, day, _n in sales
        if day.year == 2025
    ]
    assert rows["Invoices issued"][0] == len(sales_2025) == 6
    assert rows["Credit notes issued"][0] == 1
    # Receivables on 31/12/2025: 300 + 40,000 invoiced, 1,000 credited, 300 + 500 paid.
    assert rows["Receivables at the end of the period (€)"][0] == D("38500.00")
    assert rows["Clients in Belgium (%)"][0] == D("66.7")


def test_contribution_figures(history):
    blocks = figure("contribution")
    rows = headline(blocks["contribution"])
    assert rows["Turnover pillar (€)"] == [D("32.50"), D("20.00")]
    assert rows["Employment pillar (€)"] == [D("10.00"), D("0.00")]
    months = {row[0]: row[1:] for row in blocks["contribution_by_month"]}
    assert months["January"] == [D("32.50"), D("20.00")]
    assert months["February"] == [D("10.00"), D("0.00")]
    assert len(months) == 12


# --- the rest of the figures: sectors, ages, employing, kinds, claims, payslips, Peppol -----


@pytest.fixture
def more_history(history, admin_user):
    """Expense claims (one approved, one reimbursed, one refused, one waiting, one of 2024),
    payslips of 2025 and 2024, a Peppol transmission sent and one failed, and members who
    left in 2025 otherwise than by resigning."""
    category = ExpenseCategory.objects.order_by("pk").first()
    ben = Worker.objects.get(member=history["people"]["Ben"])
    for status, day in CLAIMS:
        ExpenseClaim.objects.create(
            unit=history["units"]["U2"], worker=ben, category=category, spent_on=day,
            description="train", amount=D("12.40"), status=status,
            created_by=admin_user,
        )  # fmt: skip
    for period, gross, social, charges in PAYSLIPS:
        run = PayrollRun.objects.create(period=period)
        Payslip.objects.create(
            run=run, worker=ben, period=period, gross=D(gross),
            employee_social_security=D(social), taxable=D(gross) - D(social), withholding=0,
            net=D(gross) - D(social), employer_charges=D(charges),
        )  # fmt: skip
    invoices = Invoice.objects.filter(issue_date__year=2025, kind="invoice").order_by("pk")
    Transmission.objects.create(invoice=invoices[0], channel="peppol", status="sent")
    Transmission.objects.create(invoice=invoices[1], channel="peppol", status="failed")
    for name, status in (("Jo", "excluded"), ("Kim", "deceased")):
        h.member(
            name, since=date(2019, 1, 1), born=date(1960, 1, 1), left=date(2025, 10, 1),
            status=status,
        )  # fmt: skip
    return history


# (status, day): validated means approved or reimbursed, spent in the year
CLAIMS = [
    ("approved", date(2025, 2, 3)),
    ("reimbursed", date(2025, 3, 4)),
    ("rejected", date(2025, 3, 5)),
    ("submitted", date(2025, 11, 5)),
    ("approved", date(2024, 12, 30)),
]
# (period, gross, employee social security, employer charges)
PAYSLIPS = [
    (date(2025, 1, 1), "1000.00", "130.70", "270.00"),
    (date(2025, 3, 1), "500.00", "65.35", "135.00"),
    (date(2024, 12, 1), "800.00", "104.56", "216.00"),
]


def test_the_remaining_work_figures(more_history, every_group):
    blocks = figure("work")
    rows = headline(blocks["work"])
    validated = ("approved", "reimbursed")
    assert rows["Expense claims validated"] == [
        sum(status in validated and day.year == 2025 for status, day in CLAIMS),
        sum(status in validated and day.year == 2024 for status, day in CLAIMS),
    ]
    social = [
        sum(D(s) + D(c) for period, _g, s, c in PAYSLIPS if period.year == year)
        for year in (2025, 2024)
    ]
    assert rows["Social security contributions (€)"] == social
    # every unit of the history is in the same sector
    ((_sector, employees, _share, budget, _budget_share),) = blocks["work_by_sector"]
    assert employees == 3  # Ben and Olga in U2, Eve in U6
    assert budget == D("1300.00") * 2 + D("260.00")  # the three contracts' gross + charges


def test_the_remaining_unit_figures(history, every_group):
    blocks = figure("units")
    ages = {row[0]: row[1] for row in blocks["units_by_age"] if row[1]}
    # on 31/12/2025: U6 opened in 2025 (0 years), the others 4 or 5 years before
    assert ages == {"1 year or less": 1, "2 to 5 years": len(active_2025()) - 1}
    employed = {row[0]: row[1] for row in blocks["units_by_employed"] if row[1]}
    assert employed == {"1 employee": 1}  # U2 employs Olga
    (sector_row,) = blocks["units_by_sector"]
    assert sector_row[1] == len(active_2025())


def test_the_remaining_client_and_member_figures(more_history, every_group):
    kinds = {row[0]: row[1] for row in figure("clients")["clients_by_kind"] if row[1]}
    assert kinds == {"company": 2, "private person": 1}  # c1, c2 companies; c3 a person
    rows = headline(figure("clients")["clients"])
    issued_2025 = 6 + 1  # six invoices and one credit note
    assert rows["Documents sent over Peppol (%)"][0] == D(100 / issued_2025).quantize(D("0.1"))
    members = headline(figure("members")["members"])
    assert members["Excluded"][0] == 1
    assert members["Deceased"][0] == 1


AGE_BANDS = [(25, "25 or younger"), (35, "26 to 35"), (45, "36 to 45"), (59, "46 to 59")]


def _age_band(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next((label for top, label in AGE_BANDS if age <= top), "60 and older")


def test_amount_invoiced_crossed_with_age_and_seniority(history, every_group):
    blocks = figure("holders")
    end = date(2025, 12, 31)
    invoiced = invoiced_by_holder_2025()
    ages = [label for _top, label in AGE_BANDS] + ["60 and older"]
    expected: dict[str, list[int]] = {}
    for name, amount in invoiced.items():
        row = expected.setdefault(holder_band(amount), [0] * (len(ages) + 2))
        row[ages.index(_age_band(HOLDERS[name][1], end))] += 1
        row[-1] += 1  # all
    by_age = {row[0]: row[1:] for row in blocks["holders_invoiced_by_age"]}
    assert {band: cells for band, cells in by_age.items() if cells[-1]} == expected
    # Every holder became a member on 1 January 2020: 5 completed years on 31/12/2025.
    by_seniority = {row[0]: row[1:] for row in blocks["holders_invoiced_by_seniority"]}
    for band, cells in by_seniority.items():
        total = sum(1 for amount in invoiced.values() if holder_band(amount) == band)
        assert cells[2] == cells[-1] == total, band  # the "5 to 9 years" column
