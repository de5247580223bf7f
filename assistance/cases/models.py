"""Applications for assistance (依申请救助), their attachments and every step taken on them."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assistance.cases.workflow import ACTION_LABELS, STATUS_LABELS, Action, Status
from portal.network.models import ScopedQuerySet
from portal.privacy.scans import ScannedDocument
from portal.shared.vocabulary import AssistanceCategory

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.00"))]}

# The five categories of DESIGN.md section 3, and people made poor by illness, who may apply
# without being on any department's list (医保发〔2021〕42号：因病致贫重病患者).
ILLNESS_POVERTY = "illness_poverty"
CLAIMED_CATEGORIES = [*AssistanceCategory.choices(), (ILLNESS_POVERTY, "因病致贫重病患者")]
DEFAULT_PUBLICITY_DAYS = 7


class ApplicationQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"

    def awaiting(self, *statuses: Status) -> "ApplicationQuerySet":
        return self.filter(status__in=[s.value for s in statuses])


class Application(models.Model):
    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name="申请人", on_delete=models.PROTECT, related_name="assistance_applications"
    )
    category_claimed = models.CharField("申请类别", max_length=30, choices=CLAIMED_CATEGORIES)
    household_income = models.DecimalField("家庭年收入（元）", **MONEY)
    medical_costs = models.DecimalField(
        "经基本医保、大病保险报销后的医疗费用（元）", **MONEY,
        help_text="住院和门诊慢特病，经基本医保和大病保险报销后个人仍须负担的政策范围内费用。",
    )
    reason = models.TextField("申请事由", max_length=2000)
    status = models.CharField(
        "办理状态", max_length=20, choices=[(s.value, STATUS_LABELS[s]) for s in Status], default=Status.SUBMITTED.value
    )
    approved_amount = models.DecimalField("批准救助金额（元）", null=True, blank=True, **MONEY)
    publicity_days = models.PositiveSmallIntegerField("公示天数", default=DEFAULT_PUBLICITY_DAYS)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    recorded_at = models.DateTimeField("受理时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="受理人", on_delete=models.PROTECT, related_name="+"
    )
    service_point = models.ForeignKey(
        "portal.ServicePoint", verbose_name="受理网点", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "依申请救助"
        verbose_name_plural = "依申请救助"
        ordering = ["-recorded_at"]
        permissions = [
            ("review_application", "可以乡镇审核、公示依申请救助"),
            ("decide_application", "可以审批依申请救助并登记发放"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["county_approved", "publicised", "paid"]) | Q(approved_amount__gt=0),
                name="application_approved_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(publicity_end__isnull=True) | Q(publicity_start__lte=models.F("publicity_end")),
                name="application_publicity_order",
            ),
            models.CheckConstraint(condition=Q(publicity_days__gte=1), name="application_publicity_days_positive"),
        ]

    def __str__(self) -> str:
        return f"依申请救助 {self.number}"

    @property
    def number(self) -> str:
        # The year in Beijing time: an application of 1 January at 07:00 is of the new year.
        return f"{timezone.localtime(self.recorded_at):%Y}-{self.pk:06d}" if self.recorded_at and self.pk else "（未保存）"

    @property
    def state(self) -> Status:
        return Status(self.status)

    def publicity_over(self, today: date) -> bool:
        return self.publicity_end is not None and today > self.publicity_end


class ApplicationStep(models.Model):
    """One step taken on an application: who, when, what it did and what they wrote."""

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("办理事项", max_length=20, choices=[(a.value, ACTION_LABELS[a]) for a in Action])
    from_status = models.CharField("办理前状态", max_length=20, blank=True)
    to_status = models.CharField("办理后状态", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("办理时间", auto_now_add=True)
    notes = models.TextField("意见或说明", blank=True, max_length=2000)

    class Meta:
        verbose_name = "依申请救助办理记录"
        verbose_name_plural = "依申请救助办理记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}（{self.at:%Y-%m-%d %H:%M}）"

    @property
    def to_status_label(self) -> str:
        return STATUS_LABELS[Status(self.to_status)]


class ApplicationAttachment(ScannedDocument):
    """A scanned document of an application (portal/privacy/scans.py)."""

    scan_folder = "applications"

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(ScannedDocument.Meta):
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
