"""`python manage.py sweep_attachments [--dry-run] [--force]`

Deletes scanned-document files (every app's attachments: applications, filings, claims,
recognitions) that no row names, written more than an hour ago: files whose upload was rolled
back (portal/privacy/scans.py, scans_sweep). Run it
from cron, daily say; it reads the rows, never changes them. A database without a single
attachment row beside such files is most likely the wrong database (a missing DATABASE_URL
falls back to the embedded SQLite file): then it deletes nothing unless given --force.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.privacy.scans import any_scan_rows, scans_sweep


class Command(BaseCommand):
    help = "删除没有对应材料记录的申请材料文件（上传后事务已回滚的文件）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")
        parser.add_argument("--force", action="store_true", help="数据库中没有任何材料记录时也删除")

    def handle(self, *args, **options) -> None:
        now = time.time()
        self.stdout.write(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}")
        orphans = scans_sweep(now=now, dry_run=True)
        if orphans and not options["force"] and not any_scan_rows():
            raise CommandError(f"数据库中没有任何材料记录，却有 {len(orphans)} 个材料文件：请确认连接的是正式数据库"
                               "（DATABASE_URL）；确认无误后加 --force 再运行。")
        if not options["dry_run"]:
            orphans = scans_sweep(now=now)
        verb = "将删除" if options["dry_run"] else "已删除"
        for name in orphans:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(orphans)} 个无记录的材料文件")
