"""Officers' page of the lists of people insured elsewhere (职工医保、外地居民医保名单): the lists
imported so far, and the upload that checks a list (a dry run by default) and then imports it
(enrollment/life_events/duplicates.py).

The history holds file names, the providing department and counts, no personal data; the
enrollments found on a list are worked by the clerks of their regions (/station/duplicates/).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from enrollment.life_events.duplicates import SOURCE_LENGTH, insured_elsewhere_import
from enrollment.life_events.elsewhere_checks import COLUMNS, SCHEMES, read_insured_elsewhere
from enrollment.life_events.models import ElsewhereImport
from portal.accounts.scopes import staff_scope
from portal.spreadsheets.reading import TableError

# What the page takes in one request (as the tax office's page): a city's whole list goes
# through manage.py import_insured_elsewhere, which has no request time limit.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
ERRORS_SHOWN = 500
PERMISSION = "enrollment.import_insured_elsewhere"


class ElsewhereImportForm(forms.Form):
    file = forms.FileField(label="名单文件（CSV 或 XLSX）",
                           help_text=f"表头：{'、'.join(COLUMNS)}；一个文件一个年度；不超过 20 MB、{MAX_ROWS:,} 行。")
    scheme = forms.ChoiceField(label="参保险种", choices=list(SCHEMES.items()),
                               help_text="职工医保名单的“单位”为用人单位；外地居民医保名单的“单位”为参保地或经办机构。")
    source = forms.CharField(label="提供部门", max_length=SOURCE_LENGTH, help_text="如 淄博市职工医保经办机构、某省医保局")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 20 MB；请分成几个文件导入，"
                                        "或请管理员用 manage.py import_insured_elsewhere 导入。")
        return upload


@admin.register(ElsewhereImport)
class ElsewhereImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "scheme", "source", "year", "imported_at", "imported_by", "rows", "matched", "unknown",
                    "duplicates"]
    list_filter = ["scheme", "year"]
    list_display_links = None  # a list's counts are all there is to it: no page of its own
    list_select_related = ["imported_by"]
    change_list_template = "enrollment/life_events/elsewhere_import_list.html"

    def get_queryset(self, request):
        """Lists imported by officers of the user's scope and below."""
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scope = staff_scope(request.user)
        if scope is None:
            return queryset.none()
        return queryset.filter(imported_by__staff_profile__scope__code__startswith=scope.prefix)

    def get_urls(self):
        # Only the list and the upload: imports are written by the upload, never edited or deleted.
        info = self.opts.app_label, self.opts.model_name
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="%s_%s_changelist" % info),
            path("import/", self.admin_site.admin_view(self.import_view), name="%s_%s_import" % info),
        ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def import_view(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        if staff_scope(request.user) is None:
            raise PermissionDenied("您的账号还没有分配管辖区域，不能导入他处参保名单。")
        form = ElsewhereImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload, data = form.cleaned_data["file"], form.cleaned_data
            try:
                report = insured_elsewhere_import(
                    rows=read_insured_elsewhere(upload, upload.name), filename=upload.name, scheme=data["scheme"],
                    source=data["source"], user=request.user, today=timezone.localdate(), now=timezone.now(),
                    dry_run=data["dry_run"], limit=MAX_ROWS,
                )
            except TableError as error:
                form.add_error("file", error.message)
            except ValidationError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "report": report,
            "errors_shown": report.errors[:ERRORS_SHOWN] if report else [], "title": "导入职工医保、外地参保名单",
            "duplicates_url": reverse("station:duplicates"),
        }
        return TemplateResponse(request, "enrollment/life_events/elsewhere_import.html", context)
