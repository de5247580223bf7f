"""Officers' page of the lists of people insured elsewhere (职工医保、外地居民医保名单): the lists
imported so far, and the upload that checks a list (a dry run by default) and then imports it
(enrollment/life_events/duplicates.py).

The history holds file names, the providing department and counts, no personal data; the
enrollments found on a list are worked by the clerks of their regions (/station/duplicates/).
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from enrollment.life_events.duplicates import SOURCE_LENGTH, insured_elsewhere_import
from enrollment.life_events.elsewhere_checks import COLUMNS, SCHEMES, read_insured_elsewhere
from enrollment.life_events.models import ElsewhereImport
from portal.spreadsheets.list_admin import ListImportAdmin, ListUploadForm

MAX_ROWS = 100_000
PERMISSION = "enrollment.import_insured_elsewhere"


class ElsewhereImportForm(ListUploadForm):
    command = "import_insured_elsewhere"
    file = forms.FileField(label="名单文件（CSV 或 XLSX）",
                           help_text=f"表头：{'、'.join(COLUMNS)}；一个文件一个年度；不超过 20 MB、{MAX_ROWS:,} 行。")
    scheme = forms.ChoiceField(label="参保险种", choices=list(SCHEMES.items()),
                               help_text="职工医保名单的“单位”为用人单位；外地居民医保名单的“单位”为参保地或经办机构。")
    source = forms.CharField(label="提供部门", max_length=SOURCE_LENGTH, help_text="如 淄博市职工医保经办机构、某省医保局")
    field_order = ["file", "scheme", "source", "dry_run"]


@admin.register(ElsewhereImport)
class ElsewhereImportAdmin(ListImportAdmin):
    list_display = ["filename", "scheme", "source", "year", "imported_at", "imported_by", "rows", "matched", "unknown",
                    "duplicates"]
    list_filter = ["scheme", "year"]
    list_display_links = None  # a list's counts are all there is to it: no page of its own
    list_select_related = ["imported_by"]
    change_list_template = "enrollment/life_events/elsewhere_import_list.html"
    import_permission, import_form, what = PERMISSION, ElsewhereImportForm, "他处参保名单"
    import_template, import_title = "enrollment/life_events/elsewhere_import.html", "导入职工医保、外地参保名单"

    def run_import(self, request, upload, data: dict):
        return insured_elsewhere_import(
            rows=read_insured_elsewhere(upload, upload.name), filename=upload.name, scheme=data["scheme"],
            source=data["source"], user=request.user, today=timezone.localdate(), now=timezone.now(),
            dry_run=data["dry_run"], limit=MAX_ROWS,
        )

    def import_context(self, request, report) -> dict:
        return {"duplicates_url": reverse("station:duplicates")}
