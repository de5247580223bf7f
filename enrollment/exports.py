"""Spreadsheet exports of station lists: masked ID numbers, no live formulas."""

import tablib
from django.http import HttpResponse

from portal.resources import neutralise_formula

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_response(dataset: tablib.Dataset, *, filename: str, export_format: str) -> HttpResponse:
    if export_format == "csv":
        # With a BOM, Excel on Chinese Windows opens UTF-8 CSV without garbling it.
        body = "\ufeff" + dataset.export("csv")
    else:
        body = dataset.export("xlsx")
    response = HttpResponse(body, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.{export_format}"
    response["Cache-Control"] = "no-store"
    return response


def follow_up_export(residents, *, year: int, export_format: str) -> HttpResponse:
    dataset = tablib.Dataset(headers=["身份证号", "姓名", "联系电话", "村(社区)", f"{year} 年度状态"])
    for resident in residents.iterator(chunk_size=2000):
        status = "已登记未缴费" if resident.enrolled_this_year else "未登记"
        dataset.append([neutralise_formula(v) for v in (resident.id_masked, resident.name, resident.phone, resident.region.name, status)])
    return spreadsheet_response(dataset, filename=f"follow-up-{year}", export_format=export_format)
