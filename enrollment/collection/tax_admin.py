"""Officers' page of the tax office's payment files (税务代收): the files imported so far, and the
upload that checks a file (a dry run by default) and then imports it (enrollment/collection/tax.py).

The list holds file names and counts, no personal data; the vouchers that matched no enrollment
are worked on the station's reconciliation list (/station/tax-vouchers/), which officers reach too.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from enrollment.collection.tax import COLUMNS, read_tax_payments
from enrollment.collection.tax_import import tax_payments_import
from enrollment.models import TaxPaymentImport
from portal.accounts.scopes import staff_scope
from portal.spreadsheets.reading import TableError

# What the page takes in one request: the import writes about 6,000 rows a second on the
# benchmark's machine (benchmarks/README.md), so 50,000 rows stay well inside a worker's 30 s. A
# province's file goes through manage.py import_tax_payments, which has no request time limit.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
ERRORS_SHOWN = 500  # a wholly wrong file would otherwise make a page of a million lines


class TaxImportForm(forms.Form):
    file = forms.FileField(label="税务缴费文件（CSV 或 XLSX）",
                           help_text=f"表头：{'、'.join(COLUMNS)}；不超过 20 MB、{MAX_ROWS:,} 行。")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 20 MB；请分成几个文件导入，"
                                        "或请管理员用 manage.py import_tax_payments 导入。")
        return upload


@admin.register(TaxPaymentImport)
class TaxPaymentImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "imported_at", "imported_by", "rows", "recorded", "already_imported", "unmatched",
                    "amount_recorded"]
    list_display_links = None  # a file's counts are all there is to it: no page of its own
    list_select_related = ["imported_by"]
    change_list_template = "enrollment/collection/tax_import_list.html"

    def get_queryset(self, request):
        """Files imported by officers of the user's scope and below."""
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
        if not request.user.has_perm("enrollment.import_tax_payments"):
            raise PermissionDenied
        if staff_scope(request.user) is None:
            raise PermissionDenied("您的账号还没有分配管辖区域，不能导入税务缴费文件。")
        form = TaxImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = tax_payments_import(
                    rows=read_tax_payments(upload, upload.name), filename=upload.name, user=request.user,
                    now=timezone.now(), dry_run=form.cleaned_data["dry_run"], limit=MAX_ROWS,
                )
            except TableError as error:
                form.add_error("file", error.message)
            except ValidationError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "report": report,
            "errors_shown": report.errors[:ERRORS_SHOWN] if report else [], "title": "导入税务缴费文件",
            "reconcile_url": reverse("station:tax_vouchers"),
        }
        return TemplateResponse(request, "enrollment/collection/tax_import.html", context)
