"""Station and officer lists downloaded as CSV or XLSX: every cell safe from formulas, and in
XLSX every amount a number with two decimals and every date a date, so that finance can sum
and sort them."""

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

import tablib
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from portal.spreadsheets.resources import neutralise_formula

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_response(*, headers: Sequence[str], rows: Iterable[Sequence], filename: str,
                         export_format: str) -> HttpResponse:
    """A download of ``rows`` under ``headers``; ``export_format`` is "csv" or "xlsx". Give
    amounts as Decimal, counts and years as int and days as date, not as text."""
    rows = ([neutralise_formula(value) for value in row] for row in rows)
    if export_format == "csv":
        dataset = tablib.Dataset(*rows, headers=list(headers))
        # With a BOM, Excel on Chinese Windows opens UTF-8 CSV without garbling it.
        body = "\ufeff" + dataset.export("csv")
    else:
        body = xlsx_bytes(headers, rows)
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.{export_format}"
    response["Cache-Control"] = "no-store"
    return response


def number_format(value) -> str | None:
    """How a cell shows its value: an amount with its two (or a rate's four) decimals, a date as
    a date; None leaves the spreadsheet's default."""
    if isinstance(value, Decimal):
        places = max(2, -value.as_tuple().exponent) if value.is_finite() else 2
        return "0." + "0" * places
    if isinstance(value, date):
        return "yyyy-mm-dd"
    return None


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A workbook of one sheet: ``headers`` then ``rows``, numbers and dates typed and formatted."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(headers))
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if number_format(value):
                cell.number_format = number_format(value)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
