"""`python manage.py import_insured_elsewhere PATH --user officer --scheme employee --source "淄博市职工医保"
[--dry-run] [--json]`

Loads a list of people insured elsewhere (the city's employee insurance, another province's
resident insurance) with the same checks and the same all-or-nothing write as the officers'
admin page (enrollment/life_events/duplicates.py): who is insured elsewhere that year, and the
resident enrollments of the same people and year on the clerks' duplicates list. Exits with
status 1 when a row is refused.
"""

import json
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrollment.life_events.duplicates import insured_elsewhere_import
from enrollment.life_events.elsewhere_checks import COLUMNS, SCHEMES, read_insured_elsewhere
from portal.spreadsheets.reading import TableError


class Command(BaseCommand):
    help = ("导入职工医保或外地城乡居民医保的参保名单（CSV 或 XLSX）：逐行检查，有任何一行格式不对则全部不导入；"
            "名单上已在本地参保的人列入重复参保名单；重复导入不会重复记录")

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help=f"名单文件，表头为 {'、'.join(COLUMNS)}")
        parser.add_argument("--user", required=True, help="导入人用户名（须有导入他处参保名单的权限和管辖区域）")
        parser.add_argument("--scheme", required=True, choices=list(SCHEMES),
                            help="employee：本市职工医保；other_region：外地城乡居民医保")
        parser.add_argument("--source", required=True, help="提供名单的部门，如 淄博市职工医保经办机构")
        parser.add_argument("--dry-run", action="store_true", help="只检查和统计，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户名为“{options['user']}”的用户")
        if not user.has_perm("enrollment.import_insured_elsewhere"):
            raise CommandError(f"用户“{user.username}”没有导入他处参保名单的权限（须为医保局工作人员）")
        path = options["path"]
        started = time.perf_counter()
        try:
            report = insured_elsewhere_import(
                rows=read_insured_elsewhere(path), filename=Path(path).name, scheme=options["scheme"],
                source=options["source"], user=user, today=timezone.localdate(), now=timezone.now(),
                dry_run=options["dry_run"],
            )
        except FileNotFoundError:
            raise CommandError(f"找不到文件 {path}") from None
        except TableError as error:
            raise CommandError(error.message) from error
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps({**report.as_dict(), "seconds": round(elapsed, 2)}, ensure_ascii=False))
        else:
            self._describe(report, elapsed)
        if report.errors:
            raise CommandError(f"{len({e.row for e in report.errors})} 行未通过检查，全部未导入。请改正后重新导入。")

    def _describe(self, report, elapsed: float) -> None:
        self.stdout.write(f"共 {report.rows} 行，用时 {elapsed:.1f} 秒（{report.rows / max(elapsed, 1e-9):,.0f} 行/秒）")
        for error in report.errors:
            self.stdout.write(str(error))
        if report.errors:
            return
        counts = (f"{report.year} 年度{report.scheme_label}名单：本辖区已登记 {report.matched} 人，"
                  f"新记录已在他处参保 {report.recorded} 人（此前已记录 {report.already_recorded} 人），"
                  f"新发现重复参保 {report.duplicates} 人（此前已列入 {report.duplicates_known} 人）；"
                  f"本辖区未登记 {report.unknown} 人；姓名不符 {report.name_differs} 人；文件中重复 {report.repeated} 行")
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入：{counts}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"预检通过，未写入：{counts}"))
