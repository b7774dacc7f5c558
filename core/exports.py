"""The one way the project writes CSV and XLSX files, so that none can attack whoever opens it.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab
or a carriage return) as a formula: a member named `=HYPERLINK("http://x","y")` would become
a live link in the advisor's spreadsheet (CSV/formula injection, OWASP). So every cell goes
through one typed conversion:

- text is written as text, and text starting with one of those characters gets a single
  quote in front (OWASP's advice), in CSV and XLSX alike;
- numbers (int, Decimal: never float for money) and dates stay typed: real numbers and dates
  in XLSX (shown dd/mm/yyyy), plain digits and Belgian dates (dd/mm/yyyy, the day first, as a
  Belgian spreadsheet reads them) in CSV, in every language. A negative amount passed as a
  Decimal is a number, not neutralised; an amount formatted into a string beforehand would
  be, so pass the Decimal.

`tests/core/test_exports_inert.py` opens every export of the project with csv and openpyxl and
checks that a hostile name stays inert, and that no module writes CSV or XLSX without this one.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

from django import forms
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A byte-order mark, so that spreadsheets read the accents right.
BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
AMOUNT_FORMAT = "0.00"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"


def inert_text(text: str) -> str:
    """`text` as a spreadsheet shows it, never as a formula: a leading =, +, -, @, tab or
    carriage return is preceded by a single quote."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_cell(value: object) -> str:
    """One typed value as CSV text: "" for None, Decimal in plain notation (its own decimals),
    dates dd/mm/yyyy, date-times local dd/mm/yyyy HH:MM:SS, any text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return inert_text(str(value))
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"{_local(value):%d/%m/%Y %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return repr(value)
    return inert_text(str(value))


def csv_row(values: Iterable[object]) -> list[str]:
    return [csv_cell(value) for value in values]


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer rows."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Iterable[object], rows: Iterable[Iterable[object]], *, bom: bool = True
) -> Iterator[str]:
    """The lines of a CSV file (header first), one string each, for a streamed response."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    yield writer.writerow(csv_row(header))
    for values in rows:
        yield writer.writerow(csv_row(values))


def write_csv(stream: TextIO, header: Iterable[object], rows: Iterable[Iterable[object]]) -> int:
    """Write a CSV file (no byte-order mark) to a text stream; return the number of rows."""
    writer = csv.writer(stream)
    writer.writerow(csv_row(header))
    count = 0
    for values in rows:
        writer.writerow(csv_row(values))
        count += 1
    return count


def csv_bytes(header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    stream = io.StringIO()
    write_csv(stream, header, rows)
    return stream.getvalue().encode("utf-8")


def csv_response(
    *,
    filename: str,
    header: Iterable[object],
    rows: Iterable[Iterable[object]],
    bom: bool = True,
    streaming: bool = False,
) -> HttpResponseBase:
    """A CSV download. `streaming=True` sends it line by line (long lists), without holding
    it in memory; `rows` may then be a generator reading the database in chunks."""
    lines = csv_lines(header, rows, bom=bom)
    response: HttpResponseBase
    if streaming:
        response = StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse("".join(lines), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX ------------------------------------------------------------------------------------


def xlsx_value(value: object) -> object:
    """One typed value for openpyxl: numbers (Decimal kept exact) and dates typed, date-times
    local and naive (Excel has no time zones), any text a string made inert, without the
    control characters XML cannot hold."""
    if value is None or isinstance(value, bool | int | Decimal | float | date):
        if isinstance(value, datetime):
            return timezone.make_naive(value) if timezone.is_aware(value) else value
        return value
    return inert_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _number_format(value: object) -> str | None:
    if isinstance(value, Decimal):
        return AMOUNT_FORMAT
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    return None


def _append(
    sheet: Worksheet, values: Iterable[object], formats: dict[int, str] | None = None
) -> None:
    sheet.append([xlsx_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "s":
            continue
        number_format = (formats or {}).get(cell.column) or _number_format(cell.value)
        if number_format and cell.value is not None:
            cell.number_format = number_format


def xlsx_bytes(
    *,
    title: str,
    columns: list[str],
    rows: Iterable[Iterable[object]],
    amounts: AbstractSet[str] = frozenset(),
    dates: AbstractSet[str] = frozenset(),
    summary: Iterable[tuple[str, object]] = (),
) -> bytes:
    """A workbook: one sheet of rows (a bold header row, frozen below it; amounts as numbers
    with two decimals, dates as dates) and, if `summary` is given, a summary sheet of
    (label, value) lines. Every cell goes through xlsx_value()."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    _append(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    formats = {
        index: AMOUNT_FORMAT if name in amounts else DATE_FORMAT
        for index, name in enumerate(columns, start=1)
        if name in amounts or name in dates
    }
    for values in rows:
        _append(sheet, values, formats)
    for index, name in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(str(name)) + 2)
    summary_lines = list(summary)
    if summary_lines:
        about = workbook.create_sheet(_("Summary")[:31])
        for label, value in summary_lines:
            _append(about, [label, value])
        about.column_dimensions["A"].width = 30
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def refused_download(form: forms.Form) -> HttpResponseBadRequest:
    """A download (CSV, XLSX) whose filters don't validate: a 400 in plain text, each error on
    its own line after its field's label ("Date from: Enter a valid date."), the form-wide
    ones alone. Nothing is exported."""
    lines = [
        f"{form[name].label}: {message}" if name in form.fields else str(message)
        for name, errors in form.errors.items()
        for message in errors
    ]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
