"""`python manage.py import_deaths PATH --user officer [--dry-run] [--json]`

Loads the civil-affairs or public-security death list (身份证号, 姓名, 死亡日期, 来源) with the same
checks and the same all-or-nothing write as the officers' admin page
(enrollment/life_events/death_import.py): a death for each row of a registered person of the
officer's scope, nothing twice for a death recorded before, the other rows listed with why.
Exits with status 1 when a row is refused.
"""

from pathlib import Path

from django.utils import timezone

from enrollment.life_events.death_import import deaths_import
from enrollment.life_events.death_list import COLUMNS, read_death_list
from portal.spreadsheets.list_command import ListImportCommand


class Command(ListImportCommand):
    help = "导入民政、公安部门的死亡人员名单（CSV 或 XLSX）：逐行检查，有任何一行格式不对则全部不导入；同一人的死亡只记录一次"
    what, permission, columns = "死亡人员名单", "enrollment.import_deaths", COLUMNS

    def run_import(self, path: str, *, user, dry_run: bool, options: dict):
        return deaths_import(rows=read_death_list(path), filename=Path(path).name, user=user,
                             today=timezone.localdate(), dry_run=dry_run)

    def counts(self, report) -> str:
        reasons = "，".join(f"{label} {count} 行" for _, label, count in report.problem_counts())
        return (f"记录死亡 {report.recorded} 人，此前已记录 {report.already_recorded} 人，"
                f"未能记录 {report.problem_count} 行{'（' + reasons + '）' if reasons else ''}；"
                f"转退费 {report.refunds} 笔，注销未缴费参保登记 {report.cancelled} 条")
