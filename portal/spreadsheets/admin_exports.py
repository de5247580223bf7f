"""The admin actions "导出所选（Excel）" and "导出所选（CSV）" of the officers' lists that go to
finance or another department: Chinese headers, amounts and dates typed, every export in the
access log.

A model admin that lists them in ``actions`` sets ``export_headers``, ``export_filename`` and
``export_log`` (the access-log action and what the file is, in Chinese) and defines
``export_rows(queryset)``, the rows in the order of the headers.
"""

from django.contrib import admin

from portal.privacy.models import access_log_write
from portal.spreadsheets.responses import spreadsheet_response


def _export(modeladmin, request, queryset, export_format: str):
    action, what = modeladmin.export_log
    access_log_write(request=request, action=action, detail=f"导出{what} {queryset.count()} 条 {export_format}")
    return spreadsheet_response(headers=modeladmin.export_headers, rows=modeladmin.export_rows(queryset),
                                filename=modeladmin.export_filename, export_format=export_format)


@admin.action(description="导出所选（Excel）")
def export_xlsx(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, "xlsx")


@admin.action(description="导出所选（CSV）")
def export_csv(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, "csv")
