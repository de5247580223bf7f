"""`python manage.py import_settlements PATH [--user officer] [--dry-run] [--json]`

Loads a month of settlement records (就医结算) with the same checks and the same all-or-nothing
write as the officers' admin page (assistance/settlements/imports.py), then refreshes the
high-cost alerts of the people and years it touched. Exits with status 1 when a row is refused.
"""

import json
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assistance.settlements.imports import read_settlements, settlements_import
from assistance.settlements.services import alerts_refresh
from portal.spreadsheets.reading import TableError


class Command(BaseCommand):
    help = "导入就医结算记录（CSV 或 XLSX）：逐行检查，有任何一行不通过则全部不导入；已导入过的结算不重复计入"

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="结算文件，表头为 身份证号、结算日期、医疗机构、就诊类别、医疗总费用、"
                                         "政策范围内费用、基本医保支付、大病保险支付、医疗救助支付、个人负担")
        parser.add_argument("--user", help="导入人用户名（记入每条结算记录）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户名为“{options['user']}”的用户")
        started = time.perf_counter()
        try:
            rows = read_settlements(options["path"])
        except FileNotFoundError:
            raise CommandError(f"找不到文件 {options['path']}") from None
        except TableError as error:
            raise CommandError(error.message) from error
        report = settlements_import(rows=rows, user=user, today=timezone.localdate(), dry_run=options["dry_run"])
        alerts = [alerts_refresh(year=year, resident_ids=report.resident_ids) for year in sorted(report.years)
                  ] if report.committed else []
        elapsed = time.perf_counter() - started
        opened = sum(a.opened for a in alerts)
        if options["json"]:
            self.stdout.write(json.dumps({**report.as_dict(), "alerts_opened": opened}, ensure_ascii=False))
        else:
            self._describe(report, opened, elapsed)
        if report.errors:
            raise CommandError(f"{len({e.row for e in report.errors})} 行未通过检查，全部未导入。请改正后重新导入。")

    def _describe(self, report, opened: int, elapsed: float) -> None:
        self.stdout.write(f"共 {report.rows} 行，用时 {elapsed:.1f} 秒（{report.rows / max(elapsed, 1e-9):,.0f} 行/秒）")
        for error in report.errors:
            self.stdout.write(str(error))
        if report.errors:
            return
        counts = (f"新结算记录 {report.created} 条（本地已登记居民 {report.matched_residents} 条，"
                  f"未登记 {report.unregistered} 条），已导入过 {report.already_imported} 条未重复计入"
                  + (f"，其中 {report.invoices_added} 条补上发票号码" if report.invoices_added else ""))
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入：{counts}；新开高额费用预警 {opened} 条"))
        else:
            self.stdout.write(self.style.SUCCESS(f"预检通过，未写入：{counts}"))
