"""`python manage.py load_demo`: the demo data of every app, idempotent.

Each app that has demo data names its loader in `AppConfig.demo_loader` (a dotted path to a
function that returns a dict of counts); they run in INSTALLED_APPS order.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


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
        self.stdout.write(self.style.SUCCESS("演示数据已载入。演示账号密码见 README。"))
