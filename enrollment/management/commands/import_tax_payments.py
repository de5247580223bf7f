"""`python manage.py import_tax_payments PATH --user officer [--dry-run] [--json]`

Loads the tax office's payment file (税务代收) with the same checks and the same all-or-nothing
write as the officers' admin page (enrollment/collection/tax.py): payments for the rows that
match an enrollment, the reconciliation list for the rest, nothing twice for a voucher imported
before. Exits with status 1 when a row is refused.
"""

from pathlib import Path

from django.utils import timezone

from enrollment.collection.tax import COLUMNS, read_tax_payments
from enrollment.collection.tax_import import tax_payments_import
from portal.spreadsheets.list_command import ListImportCommand


class Command(ListImportCommand):
    help = "导入税务部门的缴费文件（CSV 或 XLSX）：逐行检查，有任何一行格式不对则全部不导入；同一缴费凭证号只导入一次"
    what, permission, columns = "税务缴费文件", "enrollment.import_tax_payments", COLUMNS

    def run_import(self, path: str, *, user, dry_run: bool, options: dict):
        return tax_payments_import(rows=read_tax_payments(path), filename=Path(path).name, user=user,
                                   now=timezone.now(), dry_run=dry_run)

    def counts(self, report) -> str:
        reasons = "，".join(f"{label} {count} 笔" for _, label, count in report.problem_counts())
        return (f"入账 {report.recorded} 笔，合计 {report.amount_recorded:,.2f} 元；转入税务对账 {report.unmatched} 笔"
                f"{'（' + reasons + '）' if reasons else ''}；此前已导入 {report.already_imported} 笔未重复入账")
