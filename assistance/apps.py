from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "困难群众医疗保障"
    group_permissions: dict[str, list[str]] = {}
