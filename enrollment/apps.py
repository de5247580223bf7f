from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "参保登记与缴费"
    demo_loader = "enrollment.demo.load"
    group_permissions: dict[str, list[str]] = {}
