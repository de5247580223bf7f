"""门诊慢特病认定: applications for recognition of a chronic or special disease, and their documents."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.network.models import ScopedQuerySet
from portal.privacy.scans import ScannedDocument

# How long a recognition holds unless the officer sets otherwise (a plausible default; officers
# set each recognition's period).
DEFAULT_RECOGNITION_YEARS = 2


class RecognitionQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"

    def valid_on(self, day: date) -> "RecognitionQuerySet":
        return self.filter(status=ChronicRecognition.Status.RECOGNISED, valid_from__lte=day, valid_until__gte=day)


class ChronicRecognition(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "已受理，待县级认定"
        RECOGNISED = "recognised", "已认定"
        REFUSED = "refused", "不予认定"

    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name="申请人", on_delete=models.PROTECT, related_name="chronic_recognitions"
    )
    # The code of the disease on the year's list (benefits.ChronicDisease), kept with its name:
    # a recognition outlives the year's list it was made from.
    disease_code = models.CharField("病种编码", max_length=20)
    disease_name = models.CharField("病种名称", max_length=60)
    diagnosis = models.CharField("诊断医院及诊断", max_length=200)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.APPLIED)
    valid_from = models.DateField("认定起始日期", null=True, blank=True)
    valid_until = models.DateField("认定有效期至", null=True, blank=True)
    decision_notes = models.CharField("认定意见或不予认定理由", max_length=500, blank=True)
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="认定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("受理时间", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="受理人", on_delete=models.PROTECT, related_name="+"
    )
    service_point = models.ForeignKey(
        "portal.ServicePoint", verbose_name="受理网点", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        verbose_name = "门诊慢特病认定"
        verbose_name_plural = "门诊慢特病认定"
        ordering = ["-recorded_at", "-pk"]
        permissions = [("decide_recognition", "可以认定或不予认定门诊慢特病")]
        constraints = [
            # One application waiting per person and disease: a second click records nothing.
            models.UniqueConstraint(
                fields=["resident", "disease_code"], condition=Q(status="applied"), name="one_pending_recognition"
            ),
            models.CheckConstraint(
                condition=~Q(status="recognised") | Q(valid_from__isnull=False, valid_until__gte=models.F("valid_from")),
                name="recognition_has_period",
            ),
        ]

    def __str__(self) -> str:
        return f"门诊慢特病认定 {self.number}（{self.disease_name}）"

    @property
    def number(self) -> str:
        return f"{timezone.localtime(self.recorded_at):%Y}-{self.pk:06d}" if self.recorded_at and self.pk else "（未保存）"


class RecognitionAttachment(ScannedDocument):
    scan_folder = "chronic"

    recognition = models.ForeignKey(
        ChronicRecognition, verbose_name="认定申请", on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(ScannedDocument.Meta):
        verbose_name = "认定材料"
        verbose_name_plural = "认定材料"
