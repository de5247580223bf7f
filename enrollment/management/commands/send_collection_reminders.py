"""`python manage.py send_collection_reminders [--region CODE] [--dry-run] [--json]`

The daily run of the collection reminders (enrollment/collection/reminders.py): every
enrolled-but-unpaid person with a phone, at most once a week, during the collection window.
Without --region it covers every pooling region (city) whose window is open today (Beijing
date); outside every window it sends nothing and says so. Run it from cron once a day; a second
run the same day, or the officers' page at the same time, reminds nobody twice.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrollment.collection.reminders import open_windows, reminders_send
from portal.network.codes import Level, RegionCodeError, normalize_code
from portal.network.models import Region

COUNTS = ("due", "sent", "reminded_this_week", "without_phone", "sent_by_another", "no_longer_due", "failed", "left")


class Command(BaseCommand):
    help = "向集中缴费期内已登记未缴费、有手机号的居民发送缴费提醒（每人每周至多一次）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--region", help="只发送这个区划（及其下级）的提醒，如 370303 或 370303001000；"
                                             "不填则为今天在集中缴费期内的所有统筹区")
        parser.add_argument("--dry-run", action="store_true", help="只统计应提醒人数，不发送、不记录")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        started = time.perf_counter()
        reports = [
            (scope, reminders_send(scope=scope, today=today, dry_run=options["dry_run"]))
            for scope in self._scopes(options["region"], today)
        ]
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps({
                "today": today.isoformat(), "dry_run": options["dry_run"],
                "regions": [{"region": scope.code, "region_name": scope.name, **report.as_dict()}
                            for scope, report in reports],
                "total": {name: sum(getattr(report, name) for _, report in reports) for name in COUNTS},
            }, ensure_ascii=False))
            return
        if not reports:
            self.stdout.write(f"{today.isoformat()} 没有统筹区在集中缴费期内，未发送缴费提醒。")
            return
        for scope, report in reports:
            self.stdout.write(self.style.SUCCESS(f"{scope.name}（{scope.code}）：{report.summary()}"))
        self.stdout.write(f"用时 {elapsed:.1f} 秒")

    def _scopes(self, code: str | None, today) -> list[Region]:
        """The region asked for, or every city with a window open today."""
        if code:
            try:
                region = Region.objects.filter(code=normalize_code(code)).first()
            except RegionCodeError as error:
                raise CommandError(str(error)) from error
            if region is None:
                raise CommandError(f"没有区划代码为 {normalize_code(code)} 的区划")
            return [region]
        cities = Region.objects.filter(level=Level.CITY).order_by("code")
        return [city for city in cities if open_windows(scope=city, today=today)]
