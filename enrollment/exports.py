"""Spreadsheet exports of station lists: masked ID numbers, no live formulas."""

from django.http import HttpResponse

from portal.spreadsheets.responses import spreadsheet_response


def follow_up_export(residents, *, year: int, export_format: str) -> HttpResponse:
    rows = (
        (resident.id_masked, resident.name, resident.phone, resident.region.name,
         "已登记未缴费" if resident.enrolled_this_year else "未登记")
        for resident in residents.iterator(chunk_size=2000)
    )
    return spreadsheet_response(headers=["身份证号", "姓名", "联系电话", "村(社区)", f"{year} 年度状态"], rows=rows,
                                filename=f"follow-up-{year}", export_format=export_format)
