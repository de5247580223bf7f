"""异地就医备案 (cross-region treatment filings) and their scanned documents."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.network.models import ScopedQuerySet
from portal.privacy.scans import ScannedDocument

# Temporary filings are valid for at least six months (国家医保局 异地就医备案: 临时外出就医人员
# 备案有效期内可在就医地多次就诊), long-term ones until cancelled.
TEMPORARY_MONTHS = 6

# The provincial-level divisions where care may be filed for.
PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区", "新疆生产建设兵团",
]


class FilingKind(models.TextChoices):
    # Long-term (长期异地居住人员)
    RETIRED_RESETTLED = "retired_resettled", "异地安置退休"
    LONG_TERM_RESIDENCE = "long_term_residence", "异地长期居住"
    WORKING_AWAY = "working_away", "常驻异地工作"
    # Temporary (临时外出就医人员)
    REFERRAL = "referral", "转诊转院"
    EMERGENCY = "emergency", "急诊抢救"
    OTHER_TEMPORARY = "other_temporary", "其他临时外出就医"


LONG_TERM_KINDS = frozenset({FilingKind.RETIRED_RESETTLED, FilingKind.LONG_TERM_RESIDENCE, FilingKind.WORKING_AWAY})
# What a resident may file for themselves in 我的医保: the temporary kinds that need no referral
# and no document. A referral needs the referral form, a long-term kind a residence or work proof,
# which the station checks.
ONLINE_KINDS = (FilingKind.EMERGENCY, FilingKind.OTHER_TEMPORARY)
# Where a clerk's name would stand, for what the resident did online.
FILED_ONLINE = "居民本人网上办理"
CANCELLED_ONLINE = "居民本人网上撤销"


class FilingQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"

    def active(self) -> "FilingQuerySet":
        return self.filter(status=Filing.Status.ACTIVE)

    def valid_on(self, day: date) -> "FilingQuerySet":
        """Filings that cover care on ``day``: active, started, and not yet ended."""
        return self.active().filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))

    def in_force_on(self, day: date) -> "FilingQuerySet":
        """Filings that covered care on ``day`` as it stood then: those valid on it, and those
        cancelled (or changed) later than that day. A change cancels the old filing, yet care
        received while it held was filed care."""
        return (self.filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
                .filter(Q(status=Filing.Status.ACTIVE) | Q(cancelled_at__date__gte=day)))


class Filing(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        CANCELLED = "cancelled", "已撤销"

    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name="参保人", on_delete=models.PROTECT, related_name="treatment_filings"
    )
    kind = models.CharField("备案类型", max_length=30, choices=FilingKind.choices)
    # Set from the kind on save: the one-long-term-filing constraint reads it.
    long_term = models.BooleanField("长期备案", editable=False, default=False)
    province = models.CharField("就医省份", max_length=20, choices=[(p, p) for p in PROVINCES])
    city = models.CharField("就医城市", max_length=40)
    hospital = models.CharField("就医医院", max_length=100, blank=True,
                                help_text="转诊转院填写转入医院；其他类型可不填")
    referring_hospital = models.CharField("转出医院", max_length=100, blank=True)
    referral_number = models.CharField("转诊单编号", max_length=50, blank=True)
    valid_from = models.DateField("开始日期")
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="长期备案留空，撤销前一直有效")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField("撤销原因", max_length=200, blank=True)
    # Opens the public check of a printed filing (/verify/filing/<code>/), like a receipt's.
    verification_code = models.CharField("核验码", max_length=32, editable=False, unique=True)
    recorded_at = models.DateTimeField("备案时间", default=timezone.now)
    # Empty for a filing the resident made online in 我的医保 (filed_online).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+"
    )
    filed_online = models.BooleanField("居民网上办理", default=False, editable=False)
    cancelled_online = models.BooleanField("居民网上撤销", default=False, editable=False)
    service_point = models.ForeignKey(
        "portal.ServicePoint", verbose_name="经办网点", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "异地就医备案"
        verbose_name_plural = "异地就医备案"
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            # At most one long-term filing in force per person; a change is a cancellation and a new one.
            models.UniqueConstraint(
                fields=["resident"], condition=Q(long_term=True, status="active"), name="one_active_long_term_filing"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="filing_valid_until_after_start",
            ),
            # A temporary filing always ends; an active long-term one never has an end date.
            models.CheckConstraint(
                condition=Q(long_term=True) | Q(valid_until__isnull=False), name="filing_temporary_has_end",
            ),
            # A clerk's filing names the clerk; only the resident's own online filing has none.
            models.CheckConstraint(
                condition=Q(filed_online=True) | Q(recorded_by__isnull=False), name="filing_recorded_by_clerk_or_online",
            ),
            models.CheckConstraint(
                condition=Q(long_term=False) | ~Q(status="active") | Q(valid_until__isnull=True),
                name="filing_active_long_term_open",
            ),
        ]

    def __str__(self) -> str:
        return f"异地就医备案 {self.number}"

    def save(self, *args, **kwargs) -> None:
        self.long_term = self.kind in LONG_TERM_KINDS
        super().save(*args, **kwargs)

    @property
    def number(self) -> str:
        return f"{timezone.localtime(self.recorded_at):%Y}-{self.pk:06d}" if self.recorded_at and self.pk else "（未保存）"

    @property
    def place(self) -> str:
        return f"{self.province}{self.city}" if self.city not in self.province else self.province

    def valid_on(self, day: date) -> bool:
        return (self.status == self.Status.ACTIVE and self.valid_from <= day
                and (self.valid_until is None or day <= self.valid_until))

    def state_on(self, day: date) -> str:
        """What the filing is on ``day``, in the words shown to residents and clerks."""
        if self.status == self.Status.CANCELLED:
            return "已撤销"
        if day < self.valid_from:
            return "尚未开始"
        if self.valid_until is not None and self.valid_until < day:
            return "已到期"
        return "有效"

    @property
    def recorder_name(self) -> str:
        """Who filed it, where the clerk would be named: the clerk, or the resident online."""
        return FILED_ONLINE if self.filed_online else _staff_name(self.recorded_by)

    @property
    def canceller_name(self) -> str:
        if self.cancelled_online:
            return CANCELLED_ONLINE
        return _staff_name(self.cancelled_by) if self.cancelled_by_id else ""

    @property
    def filed_how(self) -> str:
        """How it was filed, in the resident's words: by themselves online, or at which station."""
        if self.filed_online:
            return "本人网上办理"
        return f"{self.service_point.name if self.service_point_id else '医保工作站'}办理"

    @property
    def validity(self) -> str:
        start = f"{self.valid_from:%Y年%-m月%-d日}"
        if self.valid_until is None:
            return f"{start}起长期有效（撤销前）" if self.status == self.Status.ACTIVE else f"{start}起"
        return f"{start}至{self.valid_until:%Y年%-m月%-d日}"


def _staff_name(user) -> str:
    return f"{user.last_name}{user.first_name}" or user.get_username()


class FilingAttachment(ScannedDocument):
    scan_folder = "filings"

    filing = models.ForeignKey(Filing, verbose_name="备案", on_delete=models.CASCADE, related_name="attachments")

    class Meta(ScannedDocument.Meta):
        verbose_name = "备案材料"
        verbose_name_plural = "备案材料"
