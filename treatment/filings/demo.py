"""Demo filings of 车站街道, recorded by `clerk_chezhan`: 王秀兰 referred to a hospital in 北京市
(temporary, holding today) and 李秀梅 living with her daughter in 苏州市 (long-term). Idempotent:
a resident who already has a filing gets no other."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from enrollment.models import Resident
from treatment.filings.models import Filing, FilingKind
from treatment.filings.services import filing_create

FILINGS = [
    # name, kind, province, city, days before today it starts, hospital, referring hospital, referral number
    ("王秀兰", FilingKind.REFERRAL, "北京市", "北京市", 20, "北京大学人民医院", "淄博市中心医院", "ZB-ZZ-0315"),
    ("李秀梅", FilingKind.LONG_TERM_RESIDENCE, "江苏省", "苏州市", 400, "", "", ""),
]


@transaction.atomic
def load() -> dict[str, int]:
    clerk = User.objects.get(username="clerk_chezhan")
    today = timezone.localdate()
    residents = {r.name: r for r in Resident.objects.filter(region__code__startswith="370303001")}
    for name, kind, province, city, days_before, hospital, referring, number in FILINGS:
        resident = residents[name]
        if Filing.objects.filter(resident=resident).exists():
            continue
        # Filed on the day it starts: a filing is backdated (补办) by a month at most.
        start = today - timedelta(days=days_before)
        filing_create(resident=resident, clerk=clerk, kind=kind, province=province, city=city,
                      valid_from=start, hospital=hospital, referring_hospital=referring, referral_number=number,
                      today=start)
    return {"filings": Filing.objects.count()}
