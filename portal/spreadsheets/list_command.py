"""The management command of an officer's list import (the tax office's payments, the death list,
the lists of people insured elsewhere): the same checks and all-or-nothing write as its admin
page, run by an officer named with ``--user``. A subclass says what the list is, which
permission it takes, how to run the import and how to tell its counts."""

import json
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.spreadsheets.reading import TableError


class ListImportCommand(BaseCommand):
    what = ""  # the list, as officers name it: 死亡人员名单
    permission = ""  # "app.codename" the importing user must hold
    columns: tuple[str, ...] = ()

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help=f"{self.what}，表头为 {'、'.join(self.columns)}")
        parser.add_argument("--user", required=True, help=f"导入人用户名（须有导入{self.what}的权限和管辖区域）")
        self.add_list_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="只检查和统计，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def add_list_arguments(self, parser) -> None:
        """Arguments of this list alone."""

    def run_import(self, path: str, *, user, dry_run: bool, options: dict):
        """The import's report (with ``rows``, ``errors``, ``committed`` and ``as_dict()``)."""
        raise NotImplementedError

    def counts(self, report) -> str:
        """What a passed file recorded, or would record, in one line."""
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户名为“{options['user']}”的用户")
        if not user.has_perm(self.permission):
            raise CommandError(f"用户“{user.username}”没有导入{self.what}的权限（须为医保局工作人员）")
        path = options["path"]
        started = time.perf_counter()
        try:
            report = self.run_import(path, user=user, dry_run=options["dry_run"], options=options)
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
        done = "已导入" if report.committed else "预检通过，未写入"
        self.stdout.write(self.style.SUCCESS(f"{done}：{self.counts(report)}"))
