"""My accounting view: every figure of the page, the exports and the yearly PDF is checked
against sums the test makes itself from the unit ledger's entries, to the cent.

alice's year 2026 on her two units, built through the services: the demo's entries (turnover
without an invoice, a purchase, salaries, contributions), invoices to two clients and a
partial credit note, October's payroll run and contribution run, an approved expense claim;
and an invoice of 2025 for the comparison with the year before."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from invoicing.invoice_services import credit_note_create, invoice_create, invoice_issue
from invoicing.models import Client, Invoice
from payroll.contributions.services import contributions_compute
from payroll.expenses.services import expense_claim_approve
from payroll.models import Attestation
from payroll.pay.attestations import attestation_request
from payroll.pay.payroll_run import payroll_run_compute
from portal.accounting import GROUPS, accounting_year, member_year, year_movements
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from production_units.services import ledger_post
from tests.expense_helpers import alice_claim
from tests.invoicing_helpers import line, make_client
from tests.page_queries import page_queries
from tests.pay_helpers import PERIOD, TODAY, october

pytestmark = pytest.mark.django_db

YEAR = 2026
D = Decimal
TODAY_VIEW = date(2026, 12, 7)
GROUP_KINDS = {name: set(kinds) for name, _label, kinds in GROUPS}


def _issue(alice, claire, unit, client, amount, day):
    draft = invoice_create(by=alice, unit=unit, client=client, lines=[line(unit_price=amount)])
    return invoice_issue(invoice=draft, by=claire, issue_date=day)


@pytest.fixture
def year(alice, claire, alice_3en1, alice_activity, django_capture_on_commit_callbacks):
    theatre = Client.objects.get(name="Théâtre de la Place")
    school = make_client(alice, alice_activity, verify_by=claire, name="Atelier Vert ASBL")
    # Only the attestation's PDF is rendered (after commit); the invoices' documents aren't needed.
    _issue(alice, claire, alice_3en1, theatre, "800.00", date(2025, 6, 10))
    first = _issue(alice, claire, alice_3en1, theatre, "1000.00", date(2026, 2, 10))
    _issue(alice, claire, alice_3en1, theatre, "250.50", date(2026, 3, 15))
    credit = credit_note_create(invoice=first, by=alice, lines=[line(unit_price="100.00")])
    invoice_issue(invoice=credit, by=claire, issue_date=date(2026, 4, 1))
    _issue(alice, claire, alice_activity, school, "2000.00", date(2026, 5, 20))
    _issue(alice, claire, alice_3en1, theatre, "500.00", date(2026, 10, 8))
    claim = alice_claim(alice, alice_activity, spent_on=date(2026, 9, 3))
    expense_claim_approve(claim=claim, by=claire, today=date(2026, 9, 10))
    month = october(alice)
    payroll_run_compute(period=PERIOD, today=TODAY)
    contributions_compute(period=PERIOD, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        attestation_request(
            worker=month.alice,
            kind=Attestation.Kind.EMPLOYMENT,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            by=alice,
        )
    return {"units": [alice_3en1, alice_activity], "theatre": theatre, "school": school}


def entries(units, **filters):
    """The ledger's entries, read one by one (the test's own sums, in Python)."""
    return list(LedgerEntry.objects.filter(unit__in=units, **filters))


def total(rows) -> Decimal:
    return sum((entry.amount for entry in rows), D("0.00"))


def test_the_year_has_every_kind_of_movement(year):
    kinds = {entry.kind for entry in entries(year["units"], booked_on__year=YEAR)}
    assert {
        "turnover", "turnover_contribution", "employment_cost", "employment_contribution",
        "expense", "purchase",
    } <= kinds  # fmt: skip
    assert any(e.amount < 0 for e in entries(year["units"], kind="turnover"))  # a credit note


@pytest.mark.parametrize("which", ["all", "UP-0001", "UP-0002"])
def test_every_figure_is_the_sum_of_the_ledger_entries(year, which):
    units = [u for u in year["units"] if which in ("all", u.code)]
    accounts = accounting_year(units=units, year=YEAR, today=TODAY_VIEW)
    this_year = entries(units, booked_on__year=YEAR)

    assert accounts.entries == len(this_year)
    for row in accounts.kinds:
        assert row.amount == total(e for e in this_year if e.kind == row.kind), row.kind
        assert row.previous == total(entries(units, booked_on__year=YEAR - 1, kind=row.kind))
    for name, kinds in GROUP_KINDS.items():
        assert accounts.groups[name] == total(e for e in this_year if e.kind in kinds)
    for row in accounts.months:
        in_month = [e for e in this_year if e.booked_on.month == row.month.month]
        for name, kinds in GROUP_KINDS.items():
            assert row.groups[name] == total(e for e in in_month if e.kind in kinds)
        assert row.movement == total(in_month)
        before = entries(units, booked_on__year=YEAR - 1, booked_on__month=row.month.month)
        assert row.previous_movement == total(before)
        assert row.previous_income == total(e for e in before if e.kind == "turnover")
        month_end = (
            date(YEAR, 12, 31) if row.month.month == 12 else date(YEAR, row.month.month + 1, 1)
        )
        assert row.balance == total(e for e in entries(units) if e.booked_on < month_end)
    assert accounts.opening == total(e for e in entries(units) if e.booked_on.year < YEAR)
    ledger = sum((unit_balance(unit=unit, until=date(YEAR, 12, 31)) for unit in units), D(0))
    assert accounts.closing == accounts.ledger_closing == ledger
    assert accounts.reconciled


def test_income_by_client_sums_the_turnover_entries_of_their_invoices(year):
    units = year["units"]
    accounts = accounting_year(units=units, year=YEAR, today=TODAY_VIEW)
    turnover = entries(units, booked_on__year=YEAR, kind="turnover")
    invoices = {str(i.pk): i for i in Invoice.objects.filter(unit__in=units)}

    by_client = {row.client_id: row for row in accounts.clients}
    for client in (year["theatre"], year["school"]):
        mine = [
            e
            for e in turnover
            if e.source_id in invoices and invoices[e.source_id].client_id == client.pk
        ]
        assert by_client[client.pk].net == total(mine)
        assert by_client[client.pk].invoiced == total(e for e in mine if e.amount > 0)
        assert by_client[client.pk].credited == total(e for e in mine if e.amount < 0)
        assert by_client[client.pk].documents == len(mine)
    assert by_client[year["theatre"].pk].credited == D("-100.00")
    # The demo's turnover was posted without an invoice: one row, so nothing is lost.
    assert by_client[None].net == total(e for e in turnover if not e.source_id)
    assert sum((row.net for row in accounts.clients), D(0)) == total(turnover)
    nets = [row.net for row in accounts.top_clients]
    assert nets == sorted(nets, reverse=True)


def test_the_contribution_is_shown_by_pillar(year):
    accounts = accounting_year(units=year["units"], year=YEAR, today=TODAY_VIEW)
    pillars = {row.kind: row.amount for row in accounts.contribution_by_pillar}
    for kind in ("turnover_contribution", "employment_contribution"):
        assert pillars[kind] == total(entries(year["units"], booked_on__year=YEAR, kind=kind))
        assert pillars[kind] < 0


def test_receivables_are_what_the_open_invoices_still_owe_by_due_date(year):
    accounts = accounting_year(units=year["units"], year=YEAR, today=TODAY_VIEW)
    receivables = accounts.receivables
    open_invoices = Invoice.objects.filter(unit__in=year["units"], kind="invoice", status="issued")
    owed = {}
    for invoice in open_invoices:
        credited = total_of(Invoice.objects.filter(credited_invoice=invoice, status="issued"))
        owed[invoice.pk] = (invoice.due_date, invoice.total - credited)
    assert receivables.count == len(owed)
    assert receivables.total == sum((amount for _due, amount in owed.values()), D(0))
    assert receivables.overdue == sum(
        (amount for due, amount in owed.values() if due < TODAY_VIEW), D(0)
    )
    assert receivables.overdue + receivables.due_soon + receivables.due_later == receivables.total
    assert [row.due_date for row in receivables.first] == sorted(
        row.due_date for row in receivables.first
    )


def total_of(invoices) -> Decimal:
    return sum((invoice.total for invoice in invoices), D("0.00"))


def test_the_page_shows_the_ledger_figures_and_says_they_reconcile(alice_client, year):
    response = alice_client.get(reverse("portal:accounting"), {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    units = year["units"]
    this_year = entries(units, booked_on__year=YEAR)
    for kind in ("turnover", "expense", "purchase", "employment_cost", "turnover_contribution"):
        expected = total(e for e in this_year if e.kind == kind)
        assert re.search(
            rf'data-kind="{kind}">.*?data-amount="{re.escape(str(expected))}"', html, re.S
        ), kind
    assert f'data-amount="{total(this_year)}"' in html  # the movement of the year
    december = total(e for e in entries(units) if e.booked_on <= date(YEAR, 12, 31))
    assert f'data-month="{YEAR}-12"' in html
    assert f'data-balance="{december}"' in html
    assert 'data-reconciled="yes"' in html
    assert f"{len(this_year)} entries of {YEAR}" in _english(alice_client, YEAR)
    assert html.count('<svg class="chart"') == 3
    assert "Atelier Vert ASBL" in html


def _english(client, year_asked) -> str:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client.get(reverse("portal:accounting"), {"year": year_asked}).content.decode()


def test_one_unit_page_shows_only_that_unit(alice_client, year, alice_activity):
    response = alice_client.get(
        reverse("portal:accounting_unit", args=[alice_activity.pk]), {"year": YEAR}
    )
    html = response.content.decode()
    expected = total(entries([alice_activity], booked_on__year=YEAR))
    assert f'data-amount="{expected}"' in html
    assert "Théâtre de la Place" not in html  # the client of UP-0001 only


def test_a_member_without_unit_is_told_what_to_do(bob_client):
    response = bob_client.get(reverse("portal:accounting"))
    assert response.status_code == 200
    assert 'id="no-unit"' in response.content.decode()


def test_a_bad_year_is_refused_with_a_message(alice_client, year):
    response = alice_client.get(reverse("portal:accounting"), {"year": "1800"})
    assert response.status_code == 400
    assert 'data-reconciled="yes"' in response.content.decode()  # this year shown instead
    export = alice_client.get(reverse("portal:accounting_csv"), {"year": "abc"})
    assert export.status_code == 400
    assert "Year" in export.content.decode() or "Année" in export.content.decode()


def test_the_page_costs_a_fixed_number_of_queries(alice_client, year, alice, claire, alice_3en1):
    url = f"{reverse('portal:accounting')}?year={YEAR}"
    before = page_queries(alice_client, url)
    for day in (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)):
        _issue(alice, claire, alice_3en1, year["theatre"], "10.00", day)
    assert page_queries(alice_client, url) == before


def test_the_selector_costs_six_queries_whatever_the_units(year, django_assert_num_queries):
    for units in (year["units"][:1], year["units"]):
        with django_assert_num_queries(6):
            accounting_year(units=units, year=YEAR, today=TODAY_VIEW)


# --- exports ---------------------------------------------------------------------------------


def _download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_csv_reads_back_as_the_years_entries_with_their_documents(alice_client, year):
    response = alice_client.get(reverse("portal:accounting_csv"), {"year": YEAR})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(_download(response).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    this_year = entries(year["units"], booked_on__year=YEAR)
    assert len(body) == len(this_year)
    amount = header.index("Amount (EUR)") if "Amount (EUR)" in header else 5
    assert sum((D(row[amount]) for row in body), D(0)) == total(this_year)
    references = {row[-1]: row[7] for row in body}
    for invoice in Invoice.objects.filter(unit__in=year["units"], issue_date__year=YEAR):
        entry = LedgerEntry.objects.get(source_id=str(invoice.pk), kind="turnover")
        assert invoice.display_number in references[str(entry.pk)]


def test_the_xlsx_reads_back_with_openpyxl(alice_client, year, alice_3en1):
    response = alice_client.get(
        reverse("portal:accounting_unit_xlsx", args=[alice_3en1.pk]), {"year": YEAR}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    this_year = entries([alice_3en1], booked_on__year=YEAR)
    assert len(rows) == len(this_year)
    assert all(isinstance(row[5], int | float | Decimal) for row in rows)
    assert sum((D(str(row[5])) for row in rows), D(0)).quantize(D("0.01")) == total(this_year)
    assert {row[1] for row in rows} == {"UP-0001"}
    summary = dict(workbook.worksheets[1].iter_rows(values_only=True))
    assert D(str(summary[next(k for k in summary if "EUR" in str(k))])) == total(this_year)


def test_the_movements_carry_their_document_references(year):
    movements = year_movements(units=year["units"], year=YEAR)
    purchases_and_runs = {m["document"] for m in movements if m["reference"]}
    assert len(purchases_and_runs) >= 3  # invoices, the expense claim, the runs
    assert all(m["reference"] for m in movements if m["kind"] == "expense")


# --- my year PDF -----------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_my_year_pdf_gives_turnover_salaries_expenses_shares_and_attestations(
    alice_client, alice, year
):
    summary = member_year(member=alice.member, user=alice, year=YEAR, today=TODAY_VIEW)
    this_year = entries(year["units"], booked_on__year=YEAR)
    assert summary.turnover == total(e for e in this_year if e.kind == "turnover")
    assert summary.expenses_reimbursed == -total(e for e in this_year if e.kind == "expense")
    assert summary.salary_gross > 0 and summary.payslips >= 1
    assert len(summary.attestations) == 1

    alice_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = alice_client.get(reverse("portal:accounting_pdf"), {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"My year {YEAR} at the cooperative" in text
    assert f"€{summary.turnover:,.2f}" in text
    assert f"€{summary.expenses_reimbursed:,.2f}" in text
    assert f"€{summary.salary_net:,.2f}" in text
    assert "Employment attestation" in text
    attestation = summary.attestations[0]
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in PdfReader(io.BytesIO(response.content)).pages
        for annotation in page.get("/Annots") or []
    ]
    assert any(
        reverse("portal:pay_attestation_pdf", args=[attestation.pk]) in link for link in links
    )


def test_the_bench_builds_the_unit_it_says_and_its_year_reconciles(alice):
    from devtools.bench.accounting import _big_unit  # the bench module, only for this check

    holder, unit = _big_unit(YEAR, 40, 100)
    accounts = accounting_year(units=[unit], year=YEAR, today=TODAY_VIEW)
    assert Invoice.objects.filter(unit=unit, issue_date__year=YEAR).count() == 40
    assert accounts.entries == 100
    assert accounts.reconciled
    assert accounts.opening == total(entries([unit], booked_on__year=YEAR - 1))
    assert holder == alice


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_movements_exports_are_inert(alice_client, alice_activity, claire, fmt):
    from tests.core.test_exports_inert import EVIL, assert_inert_csv, assert_inert_xlsx  # shared

    ledger_post(
        unit=alice_activity, kind="adjustment", amount=D("-12.34"), booked_on=date(YEAR, 3, 3),
        label=EVIL, by=claire, reason="test",
    )  # fmt: skip
    response = alice_client.get(reverse(f"portal:accounting_{fmt}"), {"year": YEAR})
    if fmt == "csv":
        rows = assert_inert_csv(_download(response).decode("utf-8"))
        assert "-12.34" in [cell for row in rows for cell in row]  # a negative amount: a number
    else:
        assert_inert_xlsx(response.content)


def test_members_holding_a_unit_find_it_from_home_and_their_unit_page(alice_client, alice_activity):
    home = alice_client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:accounting")}" id="accounting-link"' in home
    unit_page = alice_client.get(reverse("portal:unit_detail", args=[alice_activity.pk]))
    assert reverse("portal:accounting_unit", args=[alice_activity.pk]) in unit_page.content.decode()


def test_members_without_a_unit_are_not_sent_there_from_home(bob_client):
    assert 'id="accounting-link"' not in bob_client.get(reverse("portal:home")).content.decode()
