"""`python manage.py refresh_assistance_categories [--date YYYY-MM-DD]`, run daily.

Identities start and end by date without anyone touching them; this sets every resident's
assistance category to what their verified identities say today (assistance/identities/services.py).
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from assistance.identities.services import categories_refresh


class Command(BaseCommand):
    help = "按当日有效的已核实身份，更新居民的困难类别（每日运行）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="按哪一天计算 YYYY-MM-DD，默认今天（北京时间）")

    def handle(self, *args, **options) -> None:
        on = options["date"] or timezone.localdate()
        changed = categories_refresh(on=on)
        self.stdout.write(self.style.SUCCESS(f"{on}：已更新 {changed} 名居民的困难类别。"))
