"""The demo's recognitions: one recognised, one waiting, made through the services, loaded once."""

from datetime import date

import pytest
from django.utils import timezone

from treatment.chronic import demo as chronic_demo
from treatment.chronic.models import ChronicRecognition
from treatment.chronic.services import recognised_disease_on

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [date(2022, 3, 1), date(2026, 12, 7)])
def test_the_demo_holds_a_recognition_valid_in_2022_and_today_and_one_waiting(demo_policies, demo, monkeypatch, today):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    assert chronic_demo.load() == {"recognitions": 2}
    recognised = ChronicRecognition.objects.get(status="recognised")
    assert (recognised.resident.name, recognised.disease_name, recognised.valid_from) == ("王秀兰", "高血压（高危）",
                                                                                        date(2022, 1, 1))
    assert recognised.decided_by.username == "officer" and recognised.recorded_by.username == "clerk_chezhan"
    assert recognised_disease_on(recognised.resident, date(2022, 7, 1)) == "M00101"
    assert recognised_disease_on(recognised.resident, today) == "M00101"
    waiting = ChronicRecognition.objects.get(status="applied")
    assert (waiting.resident.name, waiting.disease_code) == ("李秀梅", "M00201")
    assert chronic_demo.load() == {"recognitions": 2}  # idempotent
