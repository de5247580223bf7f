"""Fixtures of the cases tests (applications, settlements, alerts, re-assistance)."""

import pytest
from django.contrib.auth.models import User

from enrollment.models import Resident
from tests.assistance.case_helpers import region
from tests.factories import staff_user


@pytest.fixture
def village_clerk(demo) -> User:
    """A clerk of 华光路社区: records applications, cannot review them (a village scope)."""
    return staff_user(role="clerk", scope=region("370303001001"), username="clerk_village")


@pytest.fixture
def county_officer(demo) -> User:
    return staff_user(role="officer", scope=region("370303000000"), username="officer_zhangdian")


@pytest.fixture
def wang(demo) -> Resident:
    return Resident.objects.get(name="王秀兰")
