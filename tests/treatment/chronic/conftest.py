"""Fixtures of the recognition tests: the demo's residents of 车站街道, the staff who record and
decide, and a way to record an application for them."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from enrollment.models import Resident
from portal.network.models import Region
from tests.factories import staff_user
from treatment.chronic.models import ChronicRecognition
from treatment.chronic.services import recognition_apply

TODAY = date(2022, 3, 1)  # the 2022 list applies (the coverage year in force)
WANG = "370303195203151223"  # 王秀兰, 华光路社区, 车站街道
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DIAGNOSIS = "淄博市中心医院 原发性高血压3级（高危）"


@pytest.fixture
def wang(demo, demo_policies) -> Resident:
    return Resident.objects.get(name="王秀兰")


@pytest.fixture
def li(demo, demo_policies) -> Resident:
    """李秀梅, 共青团路社区, 车站街道."""
    return Resident.objects.get(name="李秀梅")


@pytest.fixture
def village_clerk(demo) -> User:
    """A clerk of 华光路社区, 王秀兰's village."""
    return staff_user(role="clerk", scope=Region.objects.get(code="370303001001"), username="clerk_village_chronic")


@pytest.fixture
def county_officer(demo) -> User:
    """An officer of 张店区, the county of 车站街道."""
    return staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="officer_zhangdian_chronic")


@pytest.fixture
def zichuan_officer(demo) -> User:
    return staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="officer_zichuan_chronic")


@pytest.fixture
def township_officer(demo) -> User:
    """An officer whose scope is a township: holds the permission, but deciding is the county's."""
    return staff_user(role="officer", scope=Region.objects.get(code="370303001000"), username="officer_chezhan_chronic")


@pytest.fixture
def clerk_and_officer(demo) -> User:
    """A county hall worker who records at the counter and holds the officers' permissions too."""
    user = staff_user(role="clerk", scope=Region.objects.get(code="370303000000"), username="counter_zhangdian")
    user.groups.add(Group.objects.get(name="officer"))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


def apply(resident, clerk, code="M00101", *, today=TODAY, diagnosis=DIAGNOSIS) -> ChronicRecognition:
    return recognition_apply(resident=resident, clerk=clerk, disease_code=code, diagnosis=diagnosis, today=today)
