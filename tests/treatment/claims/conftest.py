"""Fixtures of the manual claim tests: the demo's residents of 车站街道, the staff who record,
pre-review, review and pay, and ways to record claims and take their steps."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from enrollment.models import Resident
from portal.network.models import Region
from tests.factories import staff_user
from treatment.claims.models import ClaimStep
from treatment.claims.services import VisitInput, claim_step, claim_submit

TODAY = date(2022, 12, 31)
WANG = "370303195203151223"  # 王秀兰, 华光路社区, 车站街道
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def zhang(demo, demo_policies) -> Resident:
    """张建国, born 1968, 华光路社区: an adult, enrolled and paid for 2022, no assistance identity."""
    return Resident.objects.get(name="张建国")


@pytest.fixture
def wang(demo, demo_policies) -> Resident:
    return Resident.objects.get(name="王秀兰")


@pytest.fixture
def village_clerk(demo) -> User:
    """A clerk of 华光路社区: records claims, cannot pre-review them (a village scope)."""
    return staff_user(role="clerk", scope=Region.objects.get(code="370303001001"), username="clerk_village_claims")


@pytest.fixture
def county_officer(demo) -> User:
    return staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="officer_zhangdian_claims")


@pytest.fixture
def second_county_officer(demo) -> User:
    return staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="officer_zhangdian_pay")


def visit(**overrides) -> VisitInput:
    """A third-level hospital stay in 2022 (policy range 20,000 of 22,000), local unless told."""
    fields = {"kind": "inpatient", "visited_on": date(2022, 7, 5), "left_on": date(2022, 7, 15),
              "hospital": "淄博市中心医院", "level": 3, "child_order": None, "outside": False, "treatment_city": "",
              "total": Decimal("22000.00"), "policy_range": Decimal("20000.00"), "invoice_number": "37002200000001",
              **overrides}
    for name in ("total", "policy_range"):
        fields[name] = Decimal(fields[name])
    return VisitInput(**fields)


def submit(resident: Resident, clerk: User, *visits: VisitInput, year: int = 2022, today: date = TODAY):
    return claim_submit(resident=resident, clerk=clerk, year=year, reason="emergency_away",
                        visits=list(visits) or [visit()], today=today)


def step(claim, action: str, actor: User, *, today: date = TODAY, **kwargs):
    if action in ("prereview", "return", "reject", "resubmit"):
        kwargs.setdefault("notes", "材料齐全，费用属实。")
    return claim_step(claim_id=claim.pk, action=action, actor=actor, today=today, **kwargs)


def steps_dated(claim, day: date) -> None:
    """Date the claim's steps on ``day``, a minute apart in their order: the tests' 2022 payments
    come after an approval, which the clock dates today."""
    start = timezone.make_aware(datetime.combine(day, time(9)))
    for minute, pk in enumerate(claim.steps.order_by("at", "pk").values_list("pk", flat=True)):
        ClaimStep.objects.filter(pk=pk).update(at=start + timedelta(minutes=minute))
