"""`python manage.py import_insured_elsewhere PATH --user officer --scheme employee --source "淄博市职工医保"
[--dry-run] [--json]`

Loads a list of people insured elsewhere (the city's employee insurance, another province's
resident insurance) with the same checks and the same all-or-nothing write as the officers'
admin page (enrollment/life_events/duplicates.py): who is insured elsewhere that year, and the
resident enrollments of the same people and year on the clerks' duplicates list. Exits with
status 1 when a row is refused.
"""

from pathlib import Path

from django.utils import timezone

from enrollment.life_events.duplicates import insured_elsewhere_import
from enrollment.life_events.elsewhere_checks import COLUMNS, SCHEMES, read_insured_elsewhere
from portal.spreadsheets.list_command import ListImportCommand


class Command(ListImportCommand):
    help = ("导入职工医保或外地城乡居民医保的参保名单（CSV 或 XLSX）：逐行检查，有任何一行格式不对则全部不导入；"
            "名单上已在本地参保的人列入重复参保名单；重复导入不会重复记录")
    what, permission, columns = "他处参保名单", "enrollment.import_insured_elsewhere", COLUMNS

    def add_list_arguments(self, parser) -> None:
        parser.add_argument("--scheme", required=True, choices=list(SCHEMES),
                            help="employee：本市职工医保；other_region：外地城乡居民医保")
        parser.add_argument("--source", required=True, help="提供名单的部门，如 淄博市职工医保经办机构")

    def run_import(self, path: str, *, user, dry_run: bool, options: dict):
        return insured_elsewhere_import(
            rows=read_insured_elsewhere(path), filename=Path(path).name, scheme=options["scheme"],
            source=options["source"], user=user, today=timezone.localdate(), now=timezone.now(), dry_run=dry_run,
        )

    def counts(self, report) -> str:
        return (f"{report.year} 年度{report.scheme_label}名单：本辖区已登记 {report.matched} 人，"
                f"新记录已在他处参保 {report.recorded} 人（此前已记录 {report.already_recorded} 人），"
                f"新发现重复参保 {report.duplicates} 人（此前已列入 {report.duplicates_known} 人）；"
                f"本辖区未登记 {report.unknown} 人；姓名不符 {report.name_differs} 人；文件中重复 {report.repeated} 行")
