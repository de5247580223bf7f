from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "待遇测算"
    group_permissions: dict[str, list[str]] = {}
