"""`python manage.py import_identities PATH --user officer [--dry-run] [--json]`

Imports a department's list of assistance identities (民政, 乡村振兴) with the same checks and
the same all-or-nothing write as the admin's import page (assistance/identities/imports.py).
Exits with status 1 when any row is refused; then nothing is written.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assistance.identities.imports import COLUMNS, ListFileError, identities_import, read_identity_list


class Command(BaseCommand):
    help = "导入困难群众身份名单（CSV 或 XLSX）：逐行检查，有任何一行不通过则全部不导入"

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help=f"名单文件，表头为 {'、'.join(COLUMNS)}")
        parser.add_argument("--user", required=True, help="导入人用户名（须有导入权限；核实须由另一人）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options) -> None:
        path, username = options["path"], options["user"]
        try:
            officer = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户名为“{username}”的用户") from None
        if not officer.has_perm("assistance.add_assistanceidentity"):
            raise CommandError(f"用户“{username}”没有导入困难群众身份的权限")
        try:
            rows = read_identity_list(path)
        except FileNotFoundError:
            raise CommandError(f"找不到文件 {path}") from None
        except ListFileError as error:
            raise CommandError(error.message) from error
        report = identities_import(rows=rows, file_name=Path(path).name, officer=officer, dry_run=options["dry_run"])

        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            self._describe(report, path)
        if report.errors:
            refused = len({error.row for error in report.errors})
            raise CommandError(f"{refused} 行未通过检查，全部未导入。请改正后重新导入。")

    def _describe(self, report, path: str) -> None:
        self.stdout.write(
            f"名单 {path}：共 {report.rows} 行；新增 {report.created} 条，更新 {report.updated} 条；"
            f"已登记居民 {report.matched_residents} 人，未登记 {report.unregistered} 人"
        )
        for error in report.errors:
            self.stdout.write(f"第 {error.row} 行：{error.message}")
        for duplicate in report.duplicates:
            self.stdout.write(f"第 {duplicate.row} 行：{duplicate.message}")
        if report.committed:
            self.stdout.write(self.style.SUCCESS("已导入，均为待核实；请另一名经办人员核实。"))
        elif not report.errors:
            self.stdout.write(self.style.SUCCESS("预检通过，未写入（--dry-run）。"))
