"""Exports of the share register: the full register as it stood on a date (CSV, XLSX, PDF)
and a member's extract (CSV, XLSX, PDF). Used by the back-office and `export_register`.

Everything is computed by the selectors from the register entries dated on or before the
date, so an export of a past date is the register as it stood then. Amounts are Decimal to
the cent everywhere: a point and two decimals in CSV, numbers formatted 0.00 in XLSX.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core import exports

from .models import Member
from .selectors import RegisterRow, member_entries, register_at

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": exports.CSV_CONTENT_TYPE,
    "xlsx": exports.XLSX_CONTENT_TYPE,
    "pdf": "application/pdf",
}

# Column names are stable identifiers (other tools read them), not translated.
REGISTER_COLUMNS = [
    "member_number",
    "name",
    "category",
    "member_since",
    "left_on",
    "shares_held",
    "nominal_amount",
    "paid_up",
    "refunded",
    "paid_up_not_refunded",
    "unpaid",
]
REGISTER_AMOUNTS = {"nominal_amount", "paid_up", "refunded", "paid_up_not_refunded", "unpaid"}
REGISTER_DATES = {"member_since", "left_on"}

EXTRACT_COLUMNS = [
    "date",
    "operation",
    "shares",
    "unit_price",
    "nominal_amount",
    "paid_up_amount",
    "shares_held_after",
    "category",
    "decision_reference",
    "structured_reference",
    "other_member",
    "recorded_by",
    "recorded_at",
    "note",
]
EXTRACT_AMOUNTS = {"unit_price", "nominal_amount", "paid_up_amount"}
EXTRACT_DATES = {"date"}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


# --- rows as plain values --------------------------------------------------------------------


def register_values(row: RegisterRow) -> list:
    """One register row as typed values, in REGISTER_COLUMNS order."""
    position = row.position
    return [
        row.number,
        row.name,
        row.category,
        row.member_since,
        row.left_on,
        position.held,
        position.nominal,
        position.paid_up,
        position.refunded,
        position.refundable,
        position.unpaid,
    ]


def extract_values(member: Member, at: date) -> list[list]:
    """The member's register entries up to `at` as typed values, in EXTRACT_COLUMNS order,
    with the shares held after each operation."""
    rows, held = [], 0
    for entry in member_entries(member=member, at=at):
        held += entry.shares
        rows.append(
            [
                entry.date,
                entry.operation,
                entry.shares,
                entry.unit_price,
                entry.amount,
                entry.paid_amount,
                held,
                entry.category,
                entry.decision_reference,
                entry.structured_reference,
                entry.counterparty.number if entry.counterparty else None,
                str(entry.recorded_by) if entry.recorded_by else "",
                entry.recorded_at,
                entry.note,
            ]
        )
    return rows


# --- CSV and XLSX: core.exports (typed cells, text made inert) --------------------------


def write_csv(columns: list[str], rows: list[list], stream) -> None:
    """Rows as CSV: a header, amounts with a point and two decimals, dates ISO 8601."""
    exports.write_csv(stream, columns, rows)


def register_write_csv(rows: list[RegisterRow], stream) -> None:
    write_csv(REGISTER_COLUMNS, [register_values(row) for row in rows], stream)


_csv_bytes = exports.csv_bytes
xlsx_bytes = exports.xlsx_bytes


def register_totals(rows: list[RegisterRow]) -> dict:
    return {
        "members": len(rows),
        "shares": sum(row.position.held for row in rows),
        "nominal": sum((row.position.nominal for row in rows), Decimal("0.00")),
        "paid_up_not_refunded": sum((row.position.refundable for row in rows), Decimal("0.00")),
    }


def register_xlsx(rows: list[RegisterRow], at: date) -> bytes:
    totals = register_totals(rows)
    return xlsx_bytes(
        title=f"register {at.isoformat()}",
        columns=REGISTER_COLUMNS,
        rows=[register_values(row) for row in rows],
        amounts=REGISTER_AMOUNTS,
        dates=REGISTER_DATES,
        summary=[
            (_("Register at the end of"), at),
            (_("Members"), totals["members"]),
            (_("Shares held"), totals["shares"]),
            (_("Nominal amount"), totals["nominal"]),
            (_("Paid up, not refunded"), totals["paid_up_not_refunded"]),
        ],
    )


# --- what the back-office and the command call ----------------------------------------------


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}: one of {', '.join(FORMATS)}.")


def register_export(
    *,
    at: date,
    fmt: str,
    include_former: bool = False,
    language: str | None = None,
    rows: list[RegisterRow] | None = None,
) -> ExportFile:
    """The whole register as it stood at the end of `at`, as a file of format `fmt`.

    Raises ValueError for an unknown format."""
    _check_format(fmt)
    rows = register_at(at, include_former=include_former) if rows is None else rows
    if fmt == "csv":
        content = _csv_bytes(REGISTER_COLUMNS, [register_values(row) for row in rows])
    elif fmt == "xlsx":
        content = register_xlsx(rows, at)
    else:
        from .pdf import render_register_pdf  # WeasyPrint loads only when a PDF is made

        content = render_register_pdf(at, language=language, rows=rows)
    return ExportFile(
        content=content,
        filename=f"share-register-{at.isoformat()}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


def member_extract_export(*, member: Member, at: date, fmt: str) -> ExportFile:
    """A member's register extract up to the end of `at`, as a file of format `fmt` (the PDF
    in the member's language).

    Raises ValueError for an unknown format."""
    _check_format(fmt)
    if fmt == "pdf":
        from .pdf import render_member_extract_pdf  # WeasyPrint loads only when a PDF is made

        content = render_member_extract_pdf(member, at=at)
    else:
        rows = extract_values(member, at)
        if fmt == "csv":
            content = _csv_bytes(EXTRACT_COLUMNS, rows)
        else:
            held = rows[-1][6] if rows else 0
            content = xlsx_bytes(
                title=f"member {member.number}",
                columns=EXTRACT_COLUMNS,
                rows=rows,
                amounts=EXTRACT_AMOUNTS,
                dates=EXTRACT_DATES,
                summary=[
                    (_("Member"), member.display_name),
                    (_("Member number"), member.number),
                    (_("Extract at the end of"), at),
                    (_("Shares held"), held),
                ],
            )
    return ExportFile(
        content=content,
        filename=f"share-register-member-{member.number}-{at.isoformat()}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )
