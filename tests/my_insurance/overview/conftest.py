"""Fixtures of the 我的医保 overview tests: 王秀兰 signed in, and the demo of every app (her
低保 identity, settlements, applications, recognition, filing), loaded inside the test."""

import pytest

from enrollment.models import Resident
from tests.my_insurance.signing_in import resident_client


@pytest.fixture
def full_demo(demo, demo_policies, django_capture_on_commit_callbacks):
    """The assistance and treatment demos on top of the session's: rolled back with the test."""
    from assistance.demo import load as assistance_load
    from treatment.demo import load as treatment_load

    with django_capture_on_commit_callbacks(execute=True):
        assistance_load()
        treatment_load()


@pytest.fixture
def wang(demo) -> Resident:
    return Resident.objects.get(name="王秀兰")


@pytest.fixture
def wang_client(wang):
    return resident_client(wang)


@pytest.fixture
def in_2022(monkeypatch):
    """Pretend today is 2022-06-15: the demo's 2022 coverage year in force, its settlements done."""
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2022, 6, 15))
    return date(2022, 6, 15)
