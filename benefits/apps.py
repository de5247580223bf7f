from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "待遇测算"
    demo_loader = "benefits.demo.load"
    group_permissions: dict[str, list[str]] = {}
