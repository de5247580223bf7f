"""This service's section of the public lookup (portal/shared/extensions.py, LookupSection)."""

from datetime import date

from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.shared.extensions import LookupSection
from treatment.chronic.models import ChronicRecognition

LOOKUP_RECOGNITIONS_SHOWN = 5


def _line(recognition: ChronicRecognition, today: date) -> str:
    """State and dates by the application's number; no names, and no disease: anyone with a
    person's name and ID number may look, and a diagnosis is not theirs to learn."""
    head = f"认定申请 {recognition.number}："
    if recognition.status == ChronicRecognition.Status.RECOGNISED:
        period = f"{recognition.valid_from:%Y年%-m月%-d日} 至 {recognition.valid_until:%Y年%-m月%-d日}"
        if recognition.valid_until < today:
            return f"{head}认定已到期（有效期 {period}），仍需治疗的请到医保工作站重新申请"
        if recognition.valid_from > today:
            return f"{head}已认定，有效期 {period}（尚未开始）"
        return f"{head}已认定，有效期 {period}"
    recorded = f"{timezone.localtime(recognition.recorded_at):%Y年%-m月%-d日}受理"
    if recognition.status == ChronicRecognition.Status.REFUSED:
        return f"{head}不予认定（{recorded}），理由请咨询受理的医保工作站"
    return f"{head}{recorded}，等待县级医保部门认定"


def _recognitions_of(resident_id: int, *, today: date) -> dict | None:
    recognitions = ChronicRecognition.objects.filter(resident_id=resident_id).order_by(
        "-recorded_at", "-pk").only("status", "valid_from", "valid_until", "recorded_at")
    lines = [_line(recognition, today) for recognition in recognitions[:LOOKUP_RECOGNITIONS_SHOWN]]
    return {"title": "门诊慢特病认定", "lines": lines} if lines else None


def _has_applied(resident: OuterRef) -> Exists:
    return Exists(ChronicRecognition.objects.filter(resident=resident))


LOOKUP_RECOGNITIONS = LookupSection(applies=_has_applied, build=_recognitions_of)
