"""Every CSV and XLSX export of the project is inert when opened in a spreadsheet (issue 14,
point 2): a member, client, unit, ledger label or claim named `=HYPERLINK("http://x","y")`
comes out as text with a leading quote, never as a formula; amounts and dates stay typed (a
negative amount is still a number). The last test makes sure no module writes CSV or XLSX
without core/exports.py, so a new export cannot forget it."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import csv_cell, inert_text, xlsx_value
from members.exports import member_extract_export, register_export
from members.models import Member
from members.share_payment_services import shares_subscribe
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import ledger_post
from tests.expense_helpers import alice_claim
from tests.invoicing_helpers import issued_invoice, line, make_client
from tests.payroll.test_contributions import october  # noqa: F401  (a fixture)
from tests.work_helpers import make_job

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://x","y")'
INERT = "'" + EVIL
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BASE_DIR = Path(__file__).resolve().parents[2]


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def assert_inert_csv(text: str) -> list[list[str]]:
    """No cell of the CSV can start a formula (a leading "-" only on a number) and the hostile
    name is there, quoted."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or _is_number(cell), cell
    assert INERT in cells, cells
    return rows


def assert_inert_xlsx(content: bytes) -> None:
    workbook = load_workbook(io.BytesIO(content))
    found = False
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), cell.value
                    found = found or cell.value == INERT
    assert found, "the hostile name is not in the workbook"


def _body(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def hostile_alice(alice, alice_activity, claire):
    """Alice's member record, a unit, a client, a ledger label and a claim named EVIL."""
    Member.objects.filter(user=alice).update(first_name=EVIL, last_name="")
    shares_subscribe(member=Member.objects.get(user=alice), shares=1, by=claire, note=EVIL)
    ProductionUnit.objects.filter(pk=alice_activity.pk).update(name=EVIL)
    ledger_post(
        unit=alice_activity,
        kind=LedgerEntry.Kind.PURCHASE,
        amount=Decimal("-12.50"),
        booked_on=date(2026, 11, 3),
        label=EVIL,
        by=claire,
    )
    return alice


# --- the member portal ----------------------------------------------------------------------


def test_the_unit_ledger_csv_is_inert_and_keeps_negative_amounts_numbers(
    hostile_alice, alice_client, alice_activity
):
    body = _body(alice_client.get(reverse("portal:unit_ledger_csv", args=[alice_activity.pk])))
    rows = assert_inert_csv(body)
    evil_row = next(row for row in rows if row[3] == INERT)
    assert evil_row[4] == "-12.50"  # a number, not "'-12.50"


def test_the_invoice_list_csv_is_inert(alice, alice_client, alice_3en1, claire):
    client = make_client(alice, alice_3en1, name=EVIL, verify_by=claire)
    issued_invoice(alice, alice_3en1, client, [line()])
    assert_inert_csv(_body(alice_client.get(reverse("portal:invoice_list_csv"))))


def test_the_expense_claims_csv_is_inert(alice, alice_client, alice_activity):
    alice_claim(alice, alice_activity, description=EVIL)
    assert_inert_csv(_body(alice_client.get(reverse("portal:expense_list_csv"))))


def test_the_jobs_csv_is_inert(alice, alice_client, alice_3en1, claire):
    client = make_client(alice, alice_3en1, name=EVIL, verify_by=claire)
    make_job(alice, alice_3en1, client=client)
    assert_inert_csv(_body(alice_client.get(reverse("portal:work_job_list_csv"))))


def test_the_members_register_csv_is_inert(alice, alice_client):
    member = Member.objects.get(user=alice)
    shares_subscribe(member=member, shares=1, by=alice, note=EVIL)
    # The portal extract has no free-text column: nothing in it may start a formula.
    body = _body(alice_client.get(reverse("portal:membership_register_csv")))
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) >= 2
    for cell in (cell for row in rows for cell in row):
        assert not cell.startswith(TRIGGERS) or _is_number(cell), cell


# --- the back-office and the commands -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_share_register_export_is_inert(hostile_alice, fmt):
    export = register_export(at=date(2030, 1, 1), fmt=fmt)
    if fmt == "csv":
        assert_inert_csv(export.content.decode())
    else:
        assert_inert_xlsx(export.content)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_members_register_extract_is_inert(hostile_alice, fmt):
    member = Member.objects.get(user=hostile_alice)
    export = member_extract_export(member=member, at=date(2030, 1, 1), fmt=fmt)
    if fmt == "csv":
        assert_inert_csv(export.content.decode())
    else:
        assert_inert_xlsx(export.content)  # the summary sheet holds the member's name too


def test_the_export_register_command_is_inert(hostile_alice, tmp_path):
    stdout = io.StringIO()
    call_command("export_register", "--date", "2030-01-01", stdout=stdout)
    assert_inert_csv(stdout.getvalue())
    out = tmp_path / "register.xlsx"
    call_command("export_register", "--format", "xlsx", "--date", "2030-01-01", "--out", str(out))
    assert_inert_xlsx(out.read_bytes())


def test_the_contribution_breakdown_csv_is_inert_and_keeps_negative_numbers(
    october,  # noqa: F811
    tmp_path,
):
    unit = october.units[1]  # B: a credit note makes its net turnover negative
    ProductionUnit.objects.filter(pk=unit.pk).update(name=EVIL)
    path = tmp_path / "october.csv"
    call_command("compute_contributions", "--period", "2026-10", "--csv", str(path))
    rows = assert_inert_csv(path.read_text(encoding="utf-8"))
    row = next(row for row in rows if row[0] == unit.code)
    assert row[1] == INERT
    assert row[5:7] == ["-149.95", "-9.75"]


# --- the helper itself ----------------------------------------------------------------------


@pytest.mark.parametrize("text", [EVIL, "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "=1"])
def test_text_that_could_start_a_formula_gets_a_leading_quote(text):
    assert inert_text(text) == "'" + text
    assert csv_cell(text) == "'" + text
    assert xlsx_value(text) == "'" + text


def test_numbers_and_dates_stay_typed():
    assert csv_cell(Decimal("-12.50")) == "-12.50"
    assert csv_cell(-3) == "-3"
    assert csv_cell(date(2026, 1, 2)) == "02/01/2026"  # Belgian: the day first
    assert csv_cell(None) == ""
    assert xlsx_value(Decimal("-12.50")) == Decimal("-12.50")
    assert xlsx_value(date(2026, 1, 2)) == date(2026, 1, 2)
    assert csv_cell("Alice") == xlsx_value("Alice") == "Alice"
    assert xlsx_value("a\x00b") == "ab"  # a control character XML cannot hold


# --- no export without the helper -----------------------------------------------------------

WRITERS = re.compile(r"csv\.writer\(|csv\.DictWriter\(|import openpyxl|from openpyxl|text/csv")
NOT_EXPORTS = {
    Path("core/exports.py"),  # the helper
    Path("devtools/bench/load.py"),  # reads CSV, writes none
}


def test_no_module_writes_csv_or_xlsx_without_the_helper():
    offenders = []
    for path in BASE_DIR.glob("*/**/*.py"):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in {"tests", ".venv", "var", "staticfiles"} or (
            relative in NOT_EXPORTS
        ):
            continue
        if WRITERS.search(path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert offenders == [], f"use core.exports in {offenders}"
