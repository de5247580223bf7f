"""`python manage.py sweep_attachments [--dry-run]`

Deletes application attachment files that no attachment row names, written more than an hour
ago: files whose upload was rolled back (assistance/case_services.py, attachments_sweep). Run it
from cron, daily say; it reads the rows, never changes them.
"""

import time

from django.core.management.base import BaseCommand

from assistance.case_services import attachments_sweep


class Command(BaseCommand):
    help = "删除没有对应材料记录的申请材料文件（上传后事务已回滚的文件）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, **options) -> None:
        orphans = attachments_sweep(now=time.time(), dry_run=options["dry_run"])
        verb = "将删除" if options["dry_run"] else "已删除"
        for name in orphans:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(orphans)} 个无记录的材料文件")
