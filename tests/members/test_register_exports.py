"""Exports of the share register at a date (CSV, XLSX, PDF) and of a member's extract, from
members.exports and the `export_register` command. The XLSX files are read back with openpyxl
and compared with figures worked out by hand from the history below."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from devtools.demo import national_number
from members.exit_services import member_exit
from members.exports import REGISTER_COLUMNS, member_extract_export, register_export
from members.models import MemberExit, ShareRegisterEntry
from members.services import member_create
from members.share_payment_services import share_payment_record, shares_subscribe
from members.share_services import member_category_change, shares_transfer

pytestmark = pytest.mark.django_db

D = Decimal


def _member(by, first_name, since, serial):
    born = date(1981, 3, serial)
    return member_create(
        by=by,
        category="A",
        first_name=first_name,
        last_name="Export",
        national_number=national_number(born, serial),
        birth_date=born,
        member_since=since,
        iban="BE71096123456769",
    )


@pytest.fixture
def history(claire):
    """Three members and their operations in 2022:

    - Lea: 4 shares on 10 Jan (120 €), pays 45 € on 20 Jan and 75 € on 1 Apr; gives 1 share
      to Max on 1 Jun (board decision).
    - Max: 2 shares on 1 Feb, paid 60 € on 5 Feb; receives 1 share on 1 Jun; category C on
      1 Sep.
    - Zoe: 3 shares on 1 Mar, pays 30 € on 2 Mar; resigns on 1 Oct (30 € refunded).
    """
    lea = _member(claire, "Lea", date(2022, 1, 10), 11)
    max_ = _member(claire, "Max", date(2022, 2, 1), 12)
    zoe = _member(claire, "Zoe", date(2022, 3, 1), 13)
    lea_shares = shares_subscribe(member=lea, shares=4, by=claire, on=date(2022, 1, 10))
    share_payment_record(target=lea_shares, amount=D("45.00"), paid_on=date(2022, 1, 20), by=claire)
    max_shares = shares_subscribe(member=max_, shares=2, by=claire, on=date(2022, 2, 1))
    share_payment_record(target=max_shares, amount=D("60.00"), paid_on=date(2022, 2, 5), by=claire)
    zoe_shares = shares_subscribe(member=zoe, shares=3, by=claire, on=date(2022, 3, 1))
    share_payment_record(target=zoe_shares, amount=D("30.00"), paid_on=date(2022, 3, 2), by=claire)
    share_payment_record(target=lea_shares, amount=D("75.00"), paid_on=date(2022, 4, 1), by=claire)
    shares_transfer(
        from_member=lea,
        to_member=max_,
        shares=1,
        by=claire,
        on=date(2022, 6, 1),
        decision_reference="CA-2022-05-30",
    )
    member_category_change(member=max_, category="C", by=claire, on=date(2022, 9, 1))
    member_exit(member=zoe, by=claire, kind=MemberExit.Kind.RESIGNATION, on=date(2022, 10, 1))
    return lea, max_, zoe


def read_xlsx(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return workbook.worksheets[0], workbook.worksheets[1]


def xlsx_rows(content: bytes) -> dict:
    """{first name: (category, held, nominal, paid up, refunded, paid up not refunded, unpaid)}"""
    sheet, _summary = read_xlsx(content)
    rows = {}
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row = dict(zip(REGISTER_COLUMNS, values, strict=True))
        rows[row["name"].split()[0]] = (
            row["category"],
            row["shares_held"],
            *(
                D(str(row[name])).quantize(D("0.01"))
                for name in (
                    "nominal_amount",
                    "paid_up",
                    "refunded",
                    "paid_up_not_refunded",
                    "unpaid",
                )
            ),
        )
    return rows


def test_the_xlsx_register_at_three_dates_matches_the_history(history):
    # Worked out by hand: (category, held, nominal, paid up, refunded, paid up not refunded,
    # unpaid).
    assert xlsx_rows(register_export(at=date(2022, 3, 1), fmt="xlsx").content) == {
        "Lea": ("A", 4, D("120.00"), D("45.00"), D("0.00"), D("45.00"), D("75.00")),
        "Max": ("A", 2, D("60.00"), D("60.00"), D("0.00"), D("60.00"), D("0.00")),
        "Zoe": ("A", 3, D("90.00"), D("0.00"), D("0.00"), D("0.00"), D("90.00")),
    }
    assert xlsx_rows(register_export(at=date(2022, 6, 1), fmt="xlsx").content) == {
        "Lea": ("A", 3, D("90.00"), D("90.00"), D("0.00"), D("90.00"), D("0.00")),
        "Max": ("A", 3, D("90.00"), D("90.00"), D("0.00"), D("90.00"), D("0.00")),
        "Zoe": ("A", 3, D("90.00"), D("30.00"), D("0.00"), D("30.00"), D("60.00")),
    }
    assert xlsx_rows(register_export(at=date(2022, 12, 31), fmt="xlsx").content) == {
        "Lea": ("A", 3, D("90.00"), D("90.00"), D("0.00"), D("90.00"), D("0.00")),
        "Max": ("C", 3, D("90.00"), D("90.00"), D("0.00"), D("90.00"), D("0.00")),
    }
    former = register_export(at=date(2022, 12, 31), fmt="xlsx", include_former=True)
    assert xlsx_rows(former.content)["Zoe"] == (
        "A",
        0,
        D("0.00"),
        D("30.00"),
        D("30.00"),
        D("0.00"),
        D("0.00"),
    )


def test_the_xlsx_has_a_frozen_header_typed_cells_and_a_summary(history):
    lea, _max, zoe = history
    export = register_export(at=date(2022, 12, 31), fmt="xlsx", include_former=True)
    assert export.filename == "share-register-2022-12-31.xlsx"
    assert export.content_type.endswith("spreadsheetml.sheet")
    sheet, summary = read_xlsx(export.content)
    assert [cell.value for cell in sheet[1]] == REGISTER_COLUMNS
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1 + 3
    lea_row = sheet[2]
    assert lea_row[0].value == lea.number
    assert isinstance(lea_row[3].value, datetime)  # a date cell, not text
    assert lea_row[3].value.date() == date(2022, 1, 10)
    assert lea_row[3].number_format == "dd/mm/yyyy"
    assert isinstance(lea_row[6].value, int | float)  # an amount is a number…
    assert lea_row[6].number_format == "0.00"  # …shown with two decimals
    zoe_row = sheet[4]
    assert zoe_row[4].value.date() == date(2022, 10, 1)  # left on
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True)}
    assert values["Members"] == 3
    assert values["Shares held"] == 6
    assert D(str(values["Nominal amount"])) == D("180.00")
    assert D(str(values["Paid up, not refunded"])) == D("180.00")


def test_the_csv_export_has_exact_amounts(history):
    export = register_export(at=date(2022, 6, 1), fmt="csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8"))))
    assert [(r["name"], r["shares_held"], r["paid_up"], r["unpaid"]) for r in rows] == [
        ("Lea Export", "3", "90.00", "0.00"),
        ("Max Export", "3", "90.00", "0.00"),
        ("Zoe Export", "3", "30.00", "60.00"),
    ]


def test_the_command_writes_each_format(history, tmp_path):
    out = tmp_path / "register.xlsx"
    call_command("export_register", "--format", "xlsx", "--date", "2022-03-01", "--out", str(out))
    assert set(xlsx_rows(out.read_bytes())) == {"Lea", "Max", "Zoe"}
    csv_out = tmp_path / "register.csv"
    call_command("export_register", "--date", "2022-12-31", "--out", str(csv_out))
    names = [row["name"] for row in csv.DictReader(csv_out.open(encoding="utf-8"))]
    assert names == ["Lea Export", "Max Export"]
    stdout = io.StringIO()
    call_command("export_register", "--date", "2022-12-31", "--include-former", stdout=stdout)
    assert "Zoe Export" in stdout.getvalue()
    pdf_out = tmp_path / "register.pdf"
    call_command(
        "export_register",
        "--format",
        "pdf",
        "--date",
        "2022-06-01",
        "--language",
        "en",
        "--out",
        str(pdf_out),
    )
    text = " ".join(page.extract_text() for page in PdfReader(pdf_out).pages)
    assert "3 members" in " ".join(text.split())


def test_the_command_refuses_a_binary_format_without_a_file_and_a_bad_date(history):
    with pytest.raises(CommandError, match="--out"):
        call_command("export_register", "--format", "xlsx", "--date", "2022-03-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_register", "--date", "01/03/2022")


def test_a_members_extract_lists_their_operations_up_to_the_date(history, tmp_path):
    lea, _max, _zoe = history
    export = member_extract_export(member=lea, at=date(2022, 6, 1), fmt="xlsx")
    sheet, summary = read_xlsx(export.content)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # date, operation, shares, unit price, nominal, paid up, held after
    assert [(r[0].date(), r[1], r[2], D(str(r[4])), D(str(r[5])), r[6]) for r in rows] == [
        (date(2022, 1, 10), "subscription", 4, D("120"), D("0"), 4),
        (date(2022, 1, 20), "payment", 0, D("0"), D("45"), 4),
        (date(2022, 4, 1), "payment", 0, D("0"), D("75"), 4),
        (date(2022, 6, 1), "transfer_out", -1, D("-30"), D("-30"), 3),
    ]
    assert rows[-1][8] == "CA-2022-05-30"
    out = tmp_path / "lea.csv"
    call_command(
        "export_register", "--member", str(lea.number), "--date", "2022-03-01", "--out", str(out)
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 2  # header, the subscription and the first payment
    assert lines[2].startswith("20/01/2022,payment,0,0.00,0.00,45.00,4,A")
    assert ShareRegisterEntry.objects.filter(member=lea).count() == 4
