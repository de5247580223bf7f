"""What the public site says in words: service guides (办事指南) and policy notices."""

from django.db import models

from portal.network.models import ServiceItem


class ServiceGuide(models.Model):
    """办事指南 of one service item, written by officers in the admin and shown to residents."""

    item = models.OneToOneField(ServiceItem, verbose_name="服务事项", on_delete=models.CASCADE, related_name="guide")
    summary = models.CharField("一句话说明", max_length=200)
    eligibility = models.TextField("办理对象", help_text="谁可以办理。")
    documents = models.TextField("所需材料", help_text="每行一项。")
    where = models.TextField("办理地点", help_text="在哪一级、哪一类服务网点可以办理。")
    time_limit = models.CharField("办理时限", max_length=200)
    online = models.BooleanField("可网上办理", default=False)
    online_channels = models.CharField("网上办理渠道", max_length=200, blank=True)
    fees = models.CharField("收费标准", max_length=100, default="不收费")
    steps = models.TextField("办理流程", blank=True, help_text="每行一步。")
    basis = models.CharField("办理依据", max_length=300, blank=True, help_text="政策文件名称和文号。")
    notes = models.TextField("温馨提示", blank=True, help_text="每行一条。")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办事指南"
        verbose_name_plural = "办事指南"
        ordering = ["item__order"]

    def __str__(self) -> str:
        return f"{self.item.name} 办事指南"

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def document_list(self) -> list[str]:
        return self._lines(self.documents)

    def step_list(self) -> list[str]:
        return self._lines(self.steps)

    def note_list(self) -> list[str]:
        return self._lines(self.notes)


class PolicyNoticeQuerySet(models.QuerySet):
    def published(self) -> "PolicyNoticeQuerySet":
        return self.filter(published=True)


class PolicyNotice(models.Model):
    """A policy document or news item residents may read, with a summary in plain words."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "政策文件"
        NEWS = "news", "工作动态"

    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    number = models.CharField("文号", max_length=100, blank=True)
    issuer = models.CharField("发文机关", max_length=200, blank=True)
    area = models.CharField("适用地区", max_length=50, blank=True, help_text="如“山东省”“淄博市”。")
    reference_only = models.BooleanField(
        "外地文件，仅供参考", default=False, help_text="其他省市的文件：居民看到时会提示本地政策以本地文件为准。",
    )
    issued_on = models.DateField("发布日期", null=True, blank=True, help_text="原文未注明日期的留空。")
    summary = models.TextField("要点解读", help_text="写给居民看的通俗说明，每行一条。")
    body = models.TextField("正文", blank=True)
    published = models.BooleanField("公开", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PolicyNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        ordering = [models.F("issued_on").desc(nulls_last=True), "title"]
        constraints = [
            models.UniqueConstraint(fields=["title"], name="policy_notice_unique_title"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）" if self.number else self.title

    def summary_list(self) -> list[str]:
        return ServiceGuide._lines(self.summary)
