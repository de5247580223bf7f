"""Officers' pages of the death lists (民政、公安部门死亡人员名单): the lists imported so far, the upload
that checks a list (a dry run by default) and then imports it (death_import.py), the rows of each
list that recorded nothing, and the deaths recorded. All view-only, masked, and of the officer's
scope; the rows and deaths name people, so opening them is in the access log.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from enrollment.life_events.death_import import deaths_import
from enrollment.life_events.death_list import COLUMNS, SOURCES_ACCEPTED, read_death_list
from enrollment.life_events.models import Death, DeathImport, DeathImportProblem
from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ReadOnlyAdminMixin, VisibleToMixin
from portal.privacy.models import access_log_write
from portal.spreadsheets.list_admin import ListImportAdmin, ListUploadForm, imported_in_scope

MAX_ROWS = 100_000
PROBLEMS_SHOWN = 500


class DeathImportForm(ListUploadForm):
    command = "import_deaths"
    file = forms.FileField(label="死亡人员名单（CSV 或 XLSX）",
                           help_text=f"表头：{'、'.join(COLUMNS)}；来源填 {SOURCES_ACCEPTED}；不超过 20 MB、{MAX_ROWS:,} 行。")
    field_order = ["file", "dry_run"]


@admin.register(DeathImport)
class DeathImportAdmin(ListImportAdmin):
    list_display = ["filename", "imported_at", "imported_by", "rows", "recorded", "already_recorded", "problems_link",
                    "refunds", "cancelled"]
    list_display_links = None  # a list's counts are all there is to it; its problem rows are linked
    list_select_related = ["imported_by"]
    change_list_template = "enrollment/life_events/death_import_list.html"
    import_permission, import_form, what = "enrollment.import_deaths", DeathImportForm, "死亡人员名单"
    import_template, import_title = "enrollment/life_events/death_import.html", "导入死亡人员名单"

    @admin.display(description="未能记录")
    def problems_link(self, batch: DeathImport):
        if not batch.problems:
            return 0
        url = reverse("admin:enrollment_deathimportproblem_changelist") + f"?death_import__id__exact={batch.pk}"
        return format_html('<a href="{}">{} 行</a>', url, batch.problems)

    def run_import(self, request, upload, data: dict):
        report = deaths_import(rows=read_death_list(upload, upload.name), filename=upload.name, user=request.user,
                               today=timezone.localdate(), dry_run=data["dry_run"], limit=MAX_ROWS)
        # The answer names people of the list (masked): who read which list, and when.
        access_log_write(request=request, action="import_deaths", detail=(
            f"{'导入' if report.committed else '检查'}死亡名单“{report.filename}”：{report.rows} 行，"
            f"未记录 {report.problem_count} 行"))
        return report

    def import_context(self, request, report) -> dict:
        return {"problems_shown": report.problem_rows[:PROBLEMS_SHOWN] if report else []}


@admin.register(DeathImportProblem)
class DeathImportProblemAdmin(AccessLoggedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # The rows carry names and masked numbers of people who may be nobody's: logged as a list opened.
    access_action, access_detail, access_resident_path = "view_death_import_problem", "查看死亡名单未记录行", None
    list_display = ["death_import", "row", "id_masked", "name", "date_of_death", "source", "problem", "detail"]
    list_filter = ["problem", "source"]
    list_select_related = ["death_import"]
    fields = list_display
    readonly_fields = fields
    list_per_page = 100

    def get_queryset(self, request):
        return imported_in_scope(super().get_queryset(request), request, "death_import__imported_by")


@admin.register(Death)
class DeathAdmin(AccessLoggedAdminMixin, VisibleToMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    access_action, access_detail, access_resident_path = "view_death", "查看死亡记录", "resident"
    list_display = ["resident_name", "resident_id_masked", "village", "date_of_death", "source", "recorded_at",
                    "death_import"]
    list_filter = ["source"]
    list_select_related = ["resident__region", "death_import"]
    search_fields = ["resident__name", "resident__id_masked"]
    fields = ["resident_name", "resident_id_masked", "village", "date_of_death", "source", "recorded_by",
              "recorded_at", "death_import"]
    readonly_fields = fields
    date_hierarchy = "date_of_death"
    list_per_page = 50

    @admin.display(description="姓名", ordering="resident__name")
    def resident_name(self, death: Death) -> str:
        return death.resident.name

    @admin.display(description="身份证号")
    def resident_id_masked(self, death: Death) -> str:
        return death.resident.id_masked

    @admin.display(description="居住村(社区)")
    def village(self, death: Death) -> str:
        return death.resident.region.name
