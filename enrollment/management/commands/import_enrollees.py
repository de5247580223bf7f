"""`python manage.py import_enrollees PATH --year 2022 --user officer [--dry-run] [--date YYYY-MM-DD]`

The officers' way to load a large roll: the same checks and the same all-or-nothing write as the
station's upload page (enrollment/imports/checks.py). Exits with status 1 when any row is refused.
"""

import time
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrollment.imports.checks import enrollees_import
from enrollment.imports.rolls import RollError, read_roll


class Command(BaseCommand):
    help = "导入参保名单（CSV 或 XLSX）：逐行检查，有任何一行不通过则全部不导入"

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="名单文件，表头为 身份证号、姓名、联系电话、村社区代码、参保类别")
        parser.add_argument("--year", type=int, required=True, help="待遇享受年度，如 2022")
        parser.add_argument("--user", required=True, help="经办人用户名；只能导入其管辖范围内的村(社区)")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--date", type=date.fromisoformat, help="登记日期 YYYY-MM-DD，默认今天（北京时间）"
        )

    def handle(self, *args, **options) -> None:
        path, year, user = options["path"], options["year"], options["user"]
        started = time.perf_counter()
        try:
            clerk = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户名为“{user}”的用户") from None
        try:
            rows = read_roll(path)
        except FileNotFoundError:
            raise CommandError(f"找不到文件 {path}") from None
        except RollError as error:
            raise CommandError(error.message) from error
        try:
            report = enrollees_import(
                rows=rows, year=year, user=clerk, on=options["date"] or timezone.localdate(),
                dry_run=options["dry_run"],
            )
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        elapsed = time.perf_counter() - started

        self.stdout.write(
            f"名单 {path}：共 {report.rows} 行，用时 {elapsed:.1f} 秒（{report.rows / elapsed:,.0f} 行/秒）"
        )
        counts = (
            f"新登记居民 {report.new_residents} 人，已登记居民 {report.existing_residents} 人，"
            f"参保登记 {report.enrollments} 条，个人应缴合计 {report.payable_total:,.2f} 元"
        )
        if report.errors:
            for error in report.errors:
                self.stdout.write(str(error))
            refused = len({error.row for error in report.errors})
            raise CommandError(
                f"{refused} 行未通过检查，全部未导入。请改正后重新导入（其余 {report.enrollments} 行无误）。"
            )
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"已导入 {year} 年度：{counts}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"预检通过，未写入（--dry-run）。导入后将有：{counts}"))
