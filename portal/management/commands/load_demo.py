"""`python manage.py load_demo`: the demo data of every app, idempotent.

Each app that has demo data names its loader in `AppConfig.demo_loader` (a dotted path to a
function that returns a dict of counts); they run in INSTALLED_APPS order. Then the years after
the seeds' are made up to the one that matters today (portal/standards/demo.py), and last the
loaders named in `AppConfig.demo_today_loader`, whose data follows the date (the crowd of
enrollment/demo_crowd.py).
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.standards.demo import demo_years_forward


class Command(BaseCommand):
    help = "载入演示数据（可重复执行，不会重复创建）"

    def handle(self, *args, **options) -> None:
        for config in apps.get_app_configs():
            loader_path = getattr(config, "demo_loader", None)
            if not loader_path:
                continue
            counts = import_string(loader_path)()
            summary = ", ".join(f"{name} {count}" for name, count in counts.items())
            self.stdout.write(f"{config.verbose_name}: {summary}")
        today = timezone.localdate()
        years = demo_years_forward(today)
        if years:
            self.stdout.write(f"新增演示年度（沿用上年度标准）：{'、'.join(map(str, years))}")
        # Demo data that follows the date: made once every year it needs exists.
        for config in apps.get_app_configs():
            loader_path = getattr(config, "demo_today_loader", None)
            if loader_path:
                counts = import_string(loader_path)(today=today)
                self.stdout.write(f"{config.verbose_name}: {', '.join(f'{k} {v}' for k, v in counts.items())}")
        self.stdout.write(self.style.SUCCESS("演示数据已载入。演示账号密码见 README。"))
