"""Demo recognitions of 车站街道, recorded by `clerk_chezhan` and decided by the city's `officer`:
王秀兰's 高血压（高危）, recognised from 1 January 2022 (or later, loaded long after), and 李秀梅's 糖尿病, waiting for the
county's decision. The diseases are those of the demonstration list (benefits/demo.py).
Idempotent: a resident who already has a recognition of the disease gets no other."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from enrollment.models import Resident
from portal.standards.demo import demo_target_year
from treatment.chronic.models import ChronicRecognition
from treatment.chronic.services import MAX_RECOGNITION_YEARS, recognition_apply, recognition_decide

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECOGNISED = ("王秀兰", "M00101", "淄博市中心医院 原发性高血压3级（高危），伴左心室肥厚")
PENDING = ("李秀梅", "M00201", "张店区人民医院 2型糖尿病，口服药物控制不佳")


@transaction.atomic
def load() -> dict[str, int]:
    clerk = User.objects.get(username="clerk_chezhan")
    officer = User.objects.get(username="officer")
    residents = {r.name: r for r in Resident.objects.filter(region__code__startswith="370303001")}
    today = timezone.localdate()

    name, code, diagnosis = RECOGNISED
    if not ChronicRecognition.objects.filter(resident=residents[name], disease_code=code).exists():
        # Applied in the 2022 collection window, so the 2022 list applies.
        recognition = recognition_apply(resident=residents[name], clerk=clerk, disease_code=code,
                                        diagnosis=diagnosis, today=date(2021, 12, 10))
        # Through the year after the one that matters on the day the demo is loaded, so that it
        # holds today; from 2022 (the demo's claims) while that stays within the longest period
        # a recognition may have.
        last_year = demo_target_year(today) + 1
        first_year = max(2022, last_year - MAX_RECOGNITION_YEARS + 1)
        recognition_decide(recognition_id=recognition.pk, officer=officer, recognise=True,
                           valid_from=date(first_year, 1, 1), valid_until=date(last_year, 12, 31),
                           notes="二级及以上医院诊断证明和血压记录齐全，符合认定标准。")
        ChronicRecognition.objects.filter(pk=recognition.pk).update(
            recorded_at=datetime(2021, 12, 10, 9, 30, tzinfo=SHANGHAI),
            decided_at=datetime(2021, 12, 20, 15, 0, tzinfo=SHANGHAI),
        )

    name, code, diagnosis = PENDING
    if not ChronicRecognition.objects.filter(resident=residents[name], disease_code=code).exists():
        recognition_apply(resident=residents[name], clerk=clerk, disease_code=code, diagnosis=diagnosis, today=today)
    return {"recognitions": ChronicRecognition.objects.count()}
