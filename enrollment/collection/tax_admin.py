"""Officers' page of the tax office's payment files (税务代收): the files imported so far, and the
upload that checks a file (a dry run by default) and then imports it (enrollment/collection/tax.py).

The list holds file names and counts, no personal data; the vouchers that matched no enrollment
are worked on the station's reconciliation list (/station/tax-vouchers/), which officers reach too.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from enrollment.collection.tax import COLUMNS, read_tax_payments
from enrollment.collection.tax_import import tax_payments_import
from enrollment.models import TaxPaymentImport
from portal.spreadsheets.list_admin import ListImportAdmin, ListUploadForm

# What the page takes in one request: the import writes about 6,000 rows a second on the
# benchmark's machine (benchmarks/README.md), so 50,000 rows stay well inside a worker's 30 s.
MAX_ROWS = 50_000


class TaxImportForm(ListUploadForm):
    command = "import_tax_payments"
    file = forms.FileField(label="税务缴费文件（CSV 或 XLSX）",
                           help_text=f"表头：{'、'.join(COLUMNS)}；不超过 20 MB、{MAX_ROWS:,} 行。")
    field_order = ["file", "dry_run"]


@admin.register(TaxPaymentImport)
class TaxPaymentImportAdmin(ListImportAdmin):
    list_display = ["filename", "imported_at", "imported_by", "rows", "recorded", "already_imported", "unmatched",
                    "amount_recorded"]
    list_display_links = None  # a file's counts are all there is to it: no page of its own
    list_select_related = ["imported_by"]
    change_list_template = "enrollment/collection/tax_import_list.html"
    import_permission, import_form, what = "enrollment.import_tax_payments", TaxImportForm, "税务缴费文件"
    import_template, import_title = "enrollment/collection/tax_import.html", "导入税务缴费文件"

    def run_import(self, request, upload, data: dict):
        return tax_payments_import(rows=read_tax_payments(upload, upload.name), filename=upload.name,
                                   user=request.user, now=timezone.now(), dry_run=data["dry_run"], limit=MAX_ROWS)

    def import_context(self, request, report) -> dict:
        return {"reconcile_url": reverse("station:tax_vouchers")}
