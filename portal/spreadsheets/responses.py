"""Station and officer lists downloaded as CSV or XLSX: every cell safe from formulas."""

from collections.abc import Iterable, Sequence

import tablib
from django.http import HttpResponse

from portal.spreadsheets.resources import neutralise_formula

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_response(*, headers: Sequence[str], rows: Iterable[Sequence], filename: str,
                         export_format: str) -> HttpResponse:
    """A download of ``rows`` under ``headers``; ``export_format`` is "csv" or "xlsx"."""
    dataset = tablib.Dataset(headers=list(headers))
    for row in rows:
        dataset.append([neutralise_formula(value) for value in row])
    if export_format == "csv":
        # With a BOM, Excel on Chinese Windows opens UTF-8 CSV without garbling it.
        body = "\ufeff" + dataset.export("csv")
    else:
        body = dataset.export("xlsx")
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.{export_format}"
    response["Cache-Control"] = "no-store"
    return response
