"""Fixtures of the filing tests: the demo's residents of 车站街道 and a way to file for them."""

from datetime import date

import pytest

from enrollment.models import Resident
from treatment.filings.models import FilingKind
from treatment.filings.services import filing_create

TODAY = date(2022, 3, 1)
WANG = "370303195203151223"  # 王秀兰, 华光路社区, 车站街道
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def wang(demo) -> Resident:
    return Resident.objects.get(name="王秀兰")


@pytest.fixture
def li(demo) -> Resident:
    """李秀梅, 共青团路社区, 车站街道."""
    return Resident.objects.get(name="李秀梅")


def referral(resident, clerk, **overrides):
    fields = {"kind": FilingKind.REFERRAL, "province": "北京市", "city": "北京市", "valid_from": TODAY,
              "hospital": "北京大学人民医院", "referring_hospital": "淄博市中心医院", "referral_number": "ZB-0301",
              "today": TODAY, **overrides}
    return filing_create(resident=resident, clerk=clerk, **fields)


def long_term(resident, clerk, **overrides):
    fields = {"kind": FilingKind.LONG_TERM_RESIDENCE, "province": "江苏省", "city": "苏州市", "valid_from": TODAY,
              "today": TODAY, **overrides}
    return filing_create(resident=resident, clerk=clerk, **fields)
