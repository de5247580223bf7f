"""Special payment batches (特殊缴费单据): the assistance fund pays the subsidised part of the
premium of enrolled assistance residents, one record per enrollment (DESIGN.md section 8)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from enrollment.models import MONEY, Enrollment, Payment
from portal.network.models import Region, ScopedQuerySet


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        GENERATED = "generated", "已生成"
        PUSHED = "pushed", "已推送"
        PAID = "paid", "已支付"

    year = models.PositiveSmallIntegerField("待遇享受年度")
    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.GENERATED)
    total = models.DecimalField("合计金额", **MONEY)
    # Subsidies of people who died before their coverage started, taken back in this batch.
    reversed_total = models.DecimalField("冲销金额", default=0, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推送人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    pushed_at = models.DateTimeField("推送时间", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认支付人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "特殊缴费单据批次"
        verbose_name_plural = "特殊缴费单据批次"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="pushed") | Q(pushed_at__isnull=False), name="batch_pushed_has_time"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(pushed_at__isnull=False, paid_at__isnull=False),
                name="batch_paid_after_pushed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year} 年度特殊缴费单据（{self.get_status_display()}）"


class PaymentBatchItemQuerySet(ScopedQuerySet):
    region_lookup = "enrollment__region"


class PaymentBatchItem(models.Model):
    batch = models.ForeignKey(PaymentBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="items")
    enrollment = models.OneToOneField(
        # One special payment per enrollment, whichever batch it is in.
        Enrollment, verbose_name="参保登记", on_delete=models.PROTECT, related_name="special_payment",
    )
    amount = models.DecimalField("资助金额", **MONEY)
    payment = models.OneToOneField(
        Payment, verbose_name="缴费记录", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PaymentBatchItemQuerySet.as_manager()

    class Meta:
        verbose_name = "特殊缴费单据"
        verbose_name_plural = "特殊缴费单据"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="batch_item_amount_positive")]

    def __str__(self) -> str:
        return f"{self.enrollment} 资助 {self.amount} 元"


class SubsidyReversalQuerySet(ScopedQuerySet):
    region_lookup = "enrollment__region"

    def pending(self) -> "SubsidyReversalQuerySet":
        return self.filter(batch__isnull=True)


class SubsidyReversal(models.Model):
    """The assistance fund's subsidy of an enrollment whose coverage had not started when the
    person died (确保死亡人员不再享受政府补助): taken back in the next special payment batch of
    the enrollment's year and region, as a negative line."""

    enrollment = models.OneToOneField(Enrollment, verbose_name="参保登记", on_delete=models.PROTECT,
                                      related_name="subsidy_reversal")
    payment = models.OneToOneField(Payment, verbose_name="冲销的基金缴费", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("冲销金额", **MONEY)
    reason = models.CharField("原因", max_length=200)
    marked_at = models.DateTimeField("标记时间", auto_now_add=True)
    batch = models.ForeignKey(PaymentBatch, verbose_name="冲销所在批次", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="reversals")

    objects = SubsidyReversalQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "资助参保冲销"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_reversal_amount_positive")]

    def __str__(self) -> str:
        return f"{self.enrollment} 冲销资助 {self.amount} 元"
