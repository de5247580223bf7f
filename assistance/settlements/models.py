"""Settlement records (就医结算), the alert thresholds and alerts they raise, and re-assistance."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from assistance.settlements.rules import SettlementAmounts
from benefits.rules import VisitKind
from portal.network.codes import Level
from portal.network.models import ScopedQuerySet
from portal.shared.vocabulary import AssistanceCategory

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.00"))]}


class SettlementQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"

    def for_year(self, year: int) -> "SettlementQuerySet":
        return self.filter(year=year)


class Settlement(models.Model):
    """One settled visit or stay as the settlement system exported it. The person is kept by the
    keyed digest of the ID number (they need not be registered here), and linked to the
    Resident when they are."""

    # Indexed with the year (settlement_year_person): every read is of one year.
    person_digest = models.CharField("身份证号摘要", max_length=64)
    id_masked = models.CharField("身份证号", max_length=18)
    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name="参保居民", null=True, blank=True, on_delete=models.PROTECT,
        related_name="settlements",
    )
    year = models.PositiveSmallIntegerField("年度")
    settled_on = models.DateField("结算日期")
    institution = models.CharField("医疗机构", max_length=100)
    # When the file has it: a manual claim (treatment.claims) with the same invoice is refused.
    invoice_number = models.CharField("发票号码", max_length=40, blank=True)
    kind = models.CharField("就诊类别", max_length=20, choices=VisitKind.choices())
    total = models.DecimalField("医疗总费用", **MONEY)
    policy_range = models.DecimalField("政策范围内费用", **MONEY)
    basic = models.DecimalField("基本医保支付", **MONEY)
    catastrophic = models.DecimalField("大病保险支付", **MONEY)
    assistance = models.DecimalField("医疗救助支付", **MONEY)
    personal = models.DecimalField("个人负担", **MONEY)
    # sha256 of digest, date, institution, kind and every amount: the same settlement imported
    # twice has the same fingerprint, and the unique constraint keeps one.
    fingerprint = models.CharField("结算指纹", max_length=64, unique=True, editable=False)
    imported_at = models.DateTimeField("导入时间")
    # No index: nobody looks settlements up by importer, and a million-row import pays for each.
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )

    objects = SettlementQuerySet.as_manager()

    class Meta:
        verbose_name = "就医结算记录"
        verbose_name_plural = "就医结算记录"
        ordering = ["-settled_on", "pk"]
        permissions = [("import_settlements", "可以导入就医结算记录")]
        indexes = [
            models.Index(fields=["year", "person_digest"], name="settlement_year_person"),
            models.Index(fields=["invoice_number"], condition=~Q(invoice_number=""), name="settlement_invoice"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(policy_range__lte=F("total")), name="settlement_policy_range_le_total"),
            models.CheckConstraint(
                condition=Q(policy_range__gte=F("basic") + F("catastrophic") + F("assistance")),
                name="settlement_payments_le_policy_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id_masked} {self.settled_on} {self.institution}"

    def amounts(self) -> SettlementAmounts:
        return SettlementAmounts(self.kind, self.policy_range, self.basic, self.catastrophic, self.assistance)


class AlertThreshold(models.Model):
    """高额费用负担预警线 of one year and pooling region, set by officers."""

    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(
        "portal.Region", verbose_name="统筹区", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level": Level.CITY},
    )
    for_assistance = models.DecimalField("困难群众预警线（元）", **MONEY)
    for_others = models.DecimalField("其他参保人预警线（元）", **MONEY)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "高额费用预警线"
        verbose_name_plural = "高额费用预警线"
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="alert_threshold_per_year_region"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year} 年度预警线"

    def clean(self) -> None:
        if self.region_id and self.region.level != Level.CITY:
            raise ValidationError({"region": "预警线按统筹区（地级市）设置，请选择市一级区划"})


class AlertQuerySet(ScopedQuerySet):
    region_lookup = "township"

    def open(self) -> "AlertQuerySet":
        return self.exclude(status=HighCostAlert.Status.RESOLVED)


class HighCostAlert(models.Model):
    """高额费用负担患者预警: one per person, year and township, kept when recomputed."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        ACKNOWLEDGED = "acknowledged", "已知悉，核查中"
        RESOLVED = "resolved", "已处理"

    class Outcome(models.TextChoices):
        ASSISTANCE_GRANTED = "assistance_granted", "纳入救助"
        ALREADY_ASSISTED = "already_assisted", "已有救助"
        NO_ACTION = "no_action", "无需处理"

    year = models.PositiveSmallIntegerField("年度")
    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name="参保居民", on_delete=models.PROTECT, related_name="high_cost_alerts"
    )
    township = models.ForeignKey("portal.Region", verbose_name="所在乡镇(街道)", on_delete=models.PROTECT, related_name="+")
    assistance_category = models.CharField(
        "困难类别", max_length=30, choices=AssistanceCategory.choices(), blank=True
    )
    burden = models.DecimalField("年度政策范围内个人负担（元）", **MONEY)
    threshold = models.DecimalField("适用预警线（元）", **MONEY)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("处理结果", max_length=30, choices=Outcome.choices, blank=True)
    notes = models.TextField("处理说明", blank=True, max_length=2000)
    opened_at = models.DateTimeField("预警时间", auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="知悉人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField("知悉时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = "高额费用负担预警"
        verbose_name_plural = "高额费用负担预警"
        ordering = ["status", "-burden"]
        constraints = [
            models.UniqueConstraint(fields=["year", "resident", "township"], name="one_alert_per_person_year_township"),
            models.CheckConstraint(
                condition=Q(status="resolved", outcome__gt="") | (~Q(status="resolved") & Q(outcome="")),
                name="alert_outcome_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name} {self.year} 年度高额费用预警"


class ReassistanceQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"


class ReassistanceGrant(models.Model):
    """再救助 of one resident for one year, computed from the settlements, approved by an officer.
    An approved grant is never recomputed."""

    class Status(models.TextChoices):
        COMPUTED = "computed", "待审批"
        APPROVED = "approved", "已审批"
        PAID = "paid", "已发放"

    year = models.PositiveSmallIntegerField("年度")
    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name="参保居民", on_delete=models.PROTECT, related_name="reassistance_grants"
    )
    assistance_category = models.CharField("困难类别", max_length=30, choices=AssistanceCategory.choices())
    base = models.DecimalField("年度医疗救助后政策范围内个人负担（元）", **MONEY)
    amount = models.DecimalField("再救助金额（元）", **MONEY)
    policy = models.ForeignKey(
        "benefits.BenefitPolicy", verbose_name="依据的待遇政策", on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField("计算时间")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.COMPUTED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    # Set from finance's confirmation file, or by an officer who saw the payment made.
    paid_on = models.DateField("发放日期", null=True, blank=True)
    paid_voucher = models.CharField("财务凭证号", max_length=50, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记发放人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = ReassistanceQuerySet.as_manager()

    class Meta:
        verbose_name = "再救助"
        verbose_name_plural = "再救助"
        ordering = ["-year", "-amount"]
        permissions = [("approve_reassistance", "可以审批再救助")]
        constraints = [
            models.UniqueConstraint(fields=["year", "resident"], name="one_reassistance_per_person_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="reassistance_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="computed") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="reassistance_approved_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False, paid_recorded_by__isnull=False),
                name="reassistance_paid_on_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name} {self.year} 年度再救助 {self.amount} 元"

    @property
    def reference(self) -> str:
        """The number finance pays it under and confirms it by (业务编号)."""
        return f"ZJ{self.year}-{self.pk:07d}"
