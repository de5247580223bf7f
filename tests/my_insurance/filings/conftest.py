"""Fixtures of the online filing tests: the demo's residents of 车站街道 and 公园街道, a fixed
today, and filings made online or at the station."""

from datetime import date

import pytest
from django.utils import timezone

from enrollment.models import Resident
from tests.my_insurance.signing_in import resident_client
from treatment.filings.models import FilingKind
from treatment.filings.services import filing_create, filing_create_online

TODAY = date(2022, 4, 1)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def wang(demo) -> Resident:
    """王秀兰, 华光路社区, 车站街道."""
    return Resident.objects.get(name="王秀兰")


@pytest.fixture
def li(demo) -> Resident:
    """李秀梅, 共青团路社区, 车站街道."""
    return Resident.objects.get(name="李秀梅")


@pytest.fixture
def wang_client(wang):
    return resident_client(wang)


def online(resident, **overrides):
    fields = {"kind": FilingKind.EMERGENCY, "province": "北京市", "city": "北京市", "valid_from": TODAY,
              "today": TODAY, **overrides}
    return filing_create_online(resident=resident, **fields)


def at_station(resident, clerk, **overrides):
    fields = {"kind": FilingKind.REFERRAL, "province": "上海市", "city": "上海市", "valid_from": TODAY,
              "hospital": "复旦大学附属中山医院", "referring_hospital": "淄博市中心医院", "referral_number": "ZB-0401",
              "today": TODAY, **overrides}
    return filing_create(resident=resident, clerk=clerk, **fields)


# The browser test of this folder uses the browser tests' Chromium and pages.
from tests.browser.conftest import browser, page_at, server  # noqa: E402, F401
