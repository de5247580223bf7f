"""Officers' pages of the death lists (民政、公安部门死亡人员名单): the lists imported so far, the upload
that checks a list (a dry run by default) and then imports it (death_import.py), the rows of each
list that recorded nothing, and the deaths recorded. All view-only, masked, and of the officer's
scope; the rows and deaths name people, so opening them is in the access log.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from enrollment.life_events.death_import import deaths_import
from enrollment.life_events.death_list import COLUMNS, SOURCES_ACCEPTED, read_death_list
from enrollment.life_events.models import Death, DeathImport, DeathImportProblem
from portal.accounts.scopes import staff_scope
from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ReadOnlyAdminMixin, VisibleToMixin
from portal.privacy.models import access_log_write
from portal.spreadsheets.reading import TableError

# What the page takes in one request (as the tax office's page); a province's list goes through
# manage.py import_deaths, which has no request time limit.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
ERRORS_SHOWN = 500
PROBLEMS_SHOWN = 500
PERMISSION = "enrollment.import_deaths"


class DeathImportForm(forms.Form):
    file = forms.FileField(label="死亡人员名单（CSV 或 XLSX）",
                           help_text=f"表头：{'、'.join(COLUMNS)}；来源填 {SOURCES_ACCEPTED}；不超过 20 MB、{MAX_ROWS:,} 行。")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 20 MB；请分成几个文件导入，"
                                        "或请管理员用 manage.py import_deaths 导入。")
        return upload


def _imported_in_scope(queryset, request, lookup: str = "imported_by"):
    """Rows of lists imported by officers of the user's scope and below."""
    if request.user.is_superuser:
        return queryset
    scope = staff_scope(request.user)
    if scope is None:
        return queryset.none()
    return queryset.filter(**{f"{lookup}__staff_profile__scope__code__startswith": scope.prefix})


@admin.register(DeathImport)
class DeathImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["filename", "imported_at", "imported_by", "rows", "recorded", "already_recorded", "problems_link",
                    "refunds", "cancelled"]
    list_display_links = None  # a list's counts are all there is to it; its problem rows are linked
    list_select_related = ["imported_by"]
    change_list_template = "enrollment/life_events/death_import_list.html"

    @admin.display(description="未能记录")
    def problems_link(self, batch: DeathImport):
        if not batch.problems:
            return 0
        url = reverse("admin:enrollment_deathimportproblem_changelist") + f"?death_import__id__exact={batch.pk}"
        return format_html('<a href="{}">{} 行</a>', url, batch.problems)

    def get_queryset(self, request):
        return _imported_in_scope(super().get_queryset(request), request)

    def get_urls(self):
        # Only the list and the upload: imports are written by the upload, never edited or deleted.
        info = self.opts.app_label, self.opts.model_name
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="%s_%s_changelist" % info),
            path("import/", self.admin_site.admin_view(self.import_view), name="%s_%s_import" % info),
        ]

    def import_view(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        if staff_scope(request.user) is None:
            raise PermissionDenied("您的账号还没有分配管辖区域，不能导入死亡人员名单。")
        form = DeathImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = deaths_import(rows=read_death_list(upload, upload.name), filename=upload.name,
                                       user=request.user, today=timezone.localdate(),
                                       dry_run=form.cleaned_data["dry_run"], limit=MAX_ROWS)
            except TableError as error:
                form.add_error("file", error.message)
            except ValidationError as error:
                form.add_error(None, error)
        if report is not None:
            # The answer names people of the list (masked): who read which list, and when.
            access_log_write(request=request, action="import_deaths", detail=(
                f"{'导入' if report.committed else '检查'}死亡名单“{report.filename}”：{report.rows} 行，"
                f"未记录 {report.problem_count} 行"))
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "report": report,
            "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
            "problems_shown": report.problem_rows[:PROBLEMS_SHOWN] if report else [],
            "title": "导入死亡人员名单",
        }
        return TemplateResponse(request, "enrollment/life_events/death_import.html", context)


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
        return _imported_in_scope(super().get_queryset(request), request, "death_import__imported_by")


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
