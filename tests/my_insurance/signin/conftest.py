"""Fixtures of the sign-in tests: the demo's 王秀兰, a client with its own address, and a clock."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from enrollment.models import Resident
from my_insurance.signin import views
from portal.web import ratelimit


@pytest.fixture
def wang(demo) -> Resident:
    """王秀兰 of 华光路社区, 车站街道, with a demo phone ending in 5122."""
    return Resident.objects.get(name="王秀兰")


@pytest.fixture
def visitor(demo) -> Client:
    return Client(REMOTE_ADDR="10.1.0.1")


class Clock:
    """The time sign-in codes and their limits read, standing still unless stepped."""

    def __init__(self):
        # Half past the hour: the limits' hour and day windows cannot end in the middle of a test.
        self.moment = timezone.now().replace(minute=30, second=0, microsecond=0)

    def step(self, **span) -> None:
        self.moment += timedelta(**span)


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(views, "now", lambda: clock.moment)
    monkeypatch.setattr(ratelimit, "now", lambda: clock.moment.timestamp())
    return clock
