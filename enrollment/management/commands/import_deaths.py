"""`python manage.py import_deaths PATH --user officer [--dry-run] [--json]`

Loads the civil-affairs or public-security death list (身份证号, 姓名, 死亡日期, 来源) with the same
checks and the same all-or-nothing write as the officers' admin page
(enrollment/life_events/death_import.py): a death for each row of a registered person of the
officer's scope, nothing twice for a death recorded before, the other rows listed with why.
Exits with status 1 when a row is refused.
"""

import json
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrollment.life_events.death_import import deaths_import
from enrollment.life_events.death_list import COLUMNS, read_death_list
from portal.spreadsheets.reading import TableError


class Command(BaseCommand):
    help = "导入民政、公安部门的死亡人员名单（CSV 或 XLSX）：逐行检查，有任何一行格式不对则全部不导入；同一人的死亡只记录一次"

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help=f"死亡人员名单，表头为 {'、'.join(COLUMNS)}")
        parser.add_argument("--user", required=True, help="导入人用户名（须有导入死亡人员名单的权限和管辖区域）")
        parser.add_argument("--dry-run", action="store_true", help="只检查和统计，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户名为“{options['user']}”的用户")
        if not user.has_perm("enrollment.import_deaths"):
            raise CommandError(f"用户“{user.username}”没有导入死亡人员名单的权限（须为医保局工作人员）")
        path = options["path"]
        started = time.perf_counter()
        try:
            report = deaths_import(rows=read_death_list(path), filename=Path(path).name, user=user,
                                   today=timezone.localdate(), dry_run=options["dry_run"])
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
        reasons = "，".join(f"{label} {count} 行" for _, label, count in report.problem_counts())
        counts = (f"记录死亡 {report.recorded} 人，此前已记录 {report.already_recorded} 人，"
                  f"未能记录 {report.problem_count} 行{'（' + reasons + '）' if reasons else ''}；"
                  f"转退费 {report.refunds} 笔，注销未缴费参保登记 {report.cancelled} 条")
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入：{counts}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"预检通过，未写入：{counts}"))
