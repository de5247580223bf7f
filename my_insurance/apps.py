from django.apps import AppConfig


class MyInsuranceConfig(AppConfig):
    name = "my_insurance"
    verbose_name = "我的医保（居民本人）"

    def ready(self) -> None:
        from my_insurance import checks  # noqa: F401 (registers the deploy check)
