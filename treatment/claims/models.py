"""Manual reimbursement claims (零星（手工）报销), their visits, steps and scanned documents."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from benefits.rules import VisitKind
from portal.network.models import ScopedQuerySet
from portal.privacy.scans import ScannedDocument
from portal.shared.vocabulary import AssistanceCategory, Category, Place
from treatment.claims.workflow import ACTION_LABELS, STATUS_LABELS, Action, Status

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.00"))]}
COMPUTED = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


class ClaimReason(models.TextChoices):
    EMERGENCY_AWAY = "emergency_away", "异地急诊抢救，未能直接结算"
    NOT_CONNECTED = "not_connected", "医院未开通直接结算"
    SYSTEM_FAILURE = "system_failure", "结算系统故障等原因未能直接结算"
    OTHER = "other", "其他原因全额垫付"


class ClaimQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"

    def awaiting(self, *statuses: Status) -> "ClaimQuerySet":
        return self.filter(status__in=[s.value for s in statuses])


class Claim(models.Model):
    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name="申请人", on_delete=models.PROTECT, related_name="manual_claims"
    )
    year = models.PositiveSmallIntegerField("待遇年度")
    reason = models.CharField("未能直接结算的原因", max_length=30, choices=ClaimReason.choices)
    status = models.CharField(
        "办理状态", max_length=20, choices=[(s.value, STATUS_LABELS[s]) for s in Status], default=Status.SUBMITTED.value
    )
    # Who the claim was priced as: the year's enrollment category and the strongest assistance
    # category held on the visits' dates.
    category = models.CharField("参保类别", max_length=20, choices=Category.choices())
    assistance_category = models.CharField("困难类别", max_length=30, choices=AssistanceCategory.choices(), blank=True)
    # The expected reimbursement by the benefit engine, after what the year had used when it
    # was last computed (on recording, and again on each review).
    total = models.DecimalField("医疗总费用", **COMPUTED)
    policy_range = models.DecimalField("政策范围内费用", **COMPUTED)
    basic = models.DecimalField("基本医保", **COMPUTED)
    catastrophic = models.DecimalField("大病保险", **COMPUTED)
    assistance = models.DecimalField("医疗救助", **COMPUTED)
    reassistance = models.DecimalField("再救助", **COMPUTED)
    reimbursed = models.DecimalField("应报销金额", **COMPUTED)
    computed_at = models.DateTimeField("核算时间", null=True, blank=True)
    # What the year had used that the pricing continued from, as told on the claim's page: the
    # page shows what the amounts were computed from, not what the year holds by now.
    year_used = models.TextField("核算时本年度已使用", blank=True)
    # What the fund paid, when the county records the payment.
    paid_amount = models.DecimalField("已支付金额", null=True, blank=True, **MONEY)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    payment_voucher = models.CharField("支付凭证号", max_length=50, blank=True)
    recorded_at = models.DateTimeField("受理时间", default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="受理人", on_delete=models.PROTECT, related_name="+")
    service_point = models.ForeignKey(
        "portal.ServicePoint", verbose_name="受理网点", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "零星报销"
        verbose_name_plural = "零星报销"
        ordering = ["-recorded_at", "-pk"]
        permissions = [
            ("prereview_claim", "可以初审零星报销"),
            ("decide_claim", "可以复审零星报销并登记支付"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(policy_range__lte=F("total")), name="claim_policy_range_le_total"),
            models.CheckConstraint(
                condition=Q(reimbursed=F("basic") + F("catastrophic") + F("assistance") + F("reassistance")),
                name="claim_reimbursed_is_the_layers",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_amount__isnull=False, paid_on__isnull=False),
                name="claim_paid_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"零星报销 {self.number}"

    @property
    def number(self) -> str:
        return f"{timezone.localtime(self.recorded_at):%Y}-{self.pk:06d}" if self.recorded_at and self.pk else "（未保存）"

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def out_of_pocket(self) -> Decimal:
        return self.total - self.reimbursed


class ClaimVisit(models.Model):
    """One visit or stay of a claim, with its invoice and what the engine paid for it."""

    claim = models.ForeignKey(Claim, verbose_name="报销申请", on_delete=models.CASCADE, related_name="visits")
    line = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("就诊类别", max_length=20, choices=VisitKind.choices())
    visited_on = models.DateField("就诊（入院）日期")
    left_on = models.DateField("出院日期", null=True, blank=True)
    hospital = models.CharField("医疗机构", max_length=100)
    level = models.PositiveSmallIntegerField("医院等级", null=True, blank=True, choices=[(1, "一级"), (2, "二级"), (3, "三级")])
    child_order = models.PositiveSmallIntegerField("孩次", null=True, blank=True)
    # Where the care happened: local, or outside with or without a filing valid on the day.
    place = models.CharField("就医地", max_length=20, choices=Place.choices(), default=Place.LOCAL.value)
    treatment_city = models.CharField("就医城市（异地）", max_length=60, blank=True)
    disease_code = models.CharField("认定病种编码", max_length=20, blank=True)
    total = models.DecimalField("医疗总费用", **MONEY)
    policy_range = models.DecimalField("政策范围内费用", **MONEY)
    # Unique across the claims not withdrawn: the same invoice is never paid twice, and a
    # withdrawn claim's invoice may be claimed again (settlements are checked by the service,
    # since they are another system's records).
    invoice_number = models.CharField("发票号码", max_length=40)
    withdrawn = models.BooleanField("申请已撤回", default=False)
    basic = models.DecimalField("基本医保", **COMPUTED)
    catastrophic = models.DecimalField("大病保险", **COMPUTED)
    assistance = models.DecimalField("医疗救助", **COMPUTED)
    reassistance = models.DecimalField("再救助", **COMPUTED)
    out_of_pocket = models.DecimalField("个人负担", **COMPUTED)
    explanation = models.TextField("计算说明", blank=True)

    class Meta:
        verbose_name = "零星报销就诊记录"
        verbose_name_plural = "零星报销就诊记录"
        ordering = ["claim", "line"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "line"], name="claim_visit_line_once"),
            models.UniqueConstraint(fields=["invoice_number"], condition=Q(withdrawn=False),
                                    name="claim_visit_invoice_once"),
            models.CheckConstraint(condition=Q(policy_range__lte=F("total")), name="claim_visit_policy_range_le_total"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=F("visited_on")),
                                   name="claim_visit_left_after_admission"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.hospital} 发票 {self.invoice_number}"

    @property
    def explanation_lines(self) -> list[str]:
        return self.explanation.splitlines()


class ClaimStep(models.Model):
    claim = models.ForeignKey(Claim, verbose_name="报销申请", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("办理事项", max_length=20, choices=[(a.value, ACTION_LABELS[a]) for a in Action])
    from_status = models.CharField("办理前状态", max_length=20, blank=True)
    to_status = models.CharField("办理后状态", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("办理时间", default=timezone.now)
    notes = models.TextField("意见或说明", blank=True, max_length=2000)

    class Meta:
        verbose_name = "零星报销办理记录"
        verbose_name_plural = "零星报销办理记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}（{self.at:%Y-%m-%d %H:%M}）"

    @property
    def to_status_label(self) -> str:
        return STATUS_LABELS[Status(self.to_status)]


class ClaimAttachment(ScannedDocument):
    """Scanned invoices, cost lists (费用清单), discharge summaries."""

    scan_folder = "claims"

    claim = models.ForeignKey(Claim, verbose_name="报销申请", on_delete=models.CASCADE, related_name="attachments")

    class Meta(ScannedDocument.Meta):
        verbose_name = "报销材料"
        verbose_name_plural = "报销材料"
