"""Demo data of the cases part of assistance: one application for assistance at each step, the
2022 alert thresholds of 淄博市, and 2022 settlements that raise exactly one alert (王秀兰's
hospital stay). Idempotent. Runs after the identities demo (assistance/demo.py), which makes
王秀兰 a 低保对象.

Applications are recorded at a village point and reviewed by the township, so this adds
`clerk_huaguang`, a clerk of 华光路社区, with the demo password of the other accounts.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.case_services import application_step, application_submit
from assistance.models import AlertThreshold, Application
from assistance.settlement_imports import SettlementRow, settlements_import
from assistance.settlement_services import alerts_refresh, reassistance_compute
from assistance.workflow import Action
from enrollment.models import Resident
from portal.demo import DEMO_PASSWORD
from portal.models import Region, ServicePoint, StaffProfile
from portal.money import to_cents
from portal.roles import CLERK

VILLAGE_CLERK = ("clerk_huaguang", "陈", "协理员", "370303001001")
YEAR = 2022
# Plausible demo thresholds: 5,000 yuan a year for assistance groups, 20,000 for everyone else.
THRESHOLDS = (Decimal("5000.00"), Decimal("20000.00"))
HALF = Decimal("0.5")  # the demo approves half of the costs claimed

# name, category claimed, income, costs, steps after recording: (action, actor, notes), last day
APPLICATIONS = [
    ("王秀兰", "minimum_living", "9600.00", "12800.00", []),
    ("张建国", "illness_poverty", "18000.00", "36500.00", [("review", "clerk_chezhan", "入户调查：妻子长期卧床，家中无固定收入。")]),
    ("刘桂英", "low_income_edge", "12000.00", "8200.00", [
        ("review", "clerk_chezhan", "入户调查属实。"), ("approve", "officer", "")]),
    ("张小雨", "illness_poverty", "52000.00", "4100.00", [
        ("review", "clerk_chezhan", "入户调查：家庭收入高于当地标准。"),
        ("reject", "officer", "家庭人均收入高于因病致贫认定标准，且自付费用未达救助起付标准。")]),
    ("王秀兰", "minimum_living", "9600.00", "6400.00", [
        ("review", "clerk_chezhan", "入户调查属实。"), ("approve", "officer", ""), ("publicise", "clerk_chezhan", "")]),
    ("张建国", "illness_poverty", "18000.00", "21000.00", [
        ("review", "clerk_chezhan", "入户调查属实。"), ("approve", "officer", ""),
        ("publicise", "clerk_chezhan", ""), ("pay", "officer", "已通过社保卡发放。")]),
    ("刘桂英", "low_income_edge", "12000.00", "5300.00", [
        ("return", "clerk_chezhan", "请补充住院结算单原件和近三个月的收入证明。")]),
]

SETTLEMENTS = [
    # 身份证号 is filled in from the resident; the rest as the settlement system exports it.
    # 王秀兰 (低保, deductible-exempt): a third-level stay leaves 150000 − 90000 − 34125 − 18112.50
    # = 7762.50 after the three layers, an outpatient visit 100.00 more; 7862.50 passes the 5,000
    # threshold: the one alert (and re-assistance (7862.50 − 5000) × 70% = 2003.75).
    ("王秀兰", "2022-03-18", "淄博市中心医院", "住院", "160000.00", "150000.00", "90000.00", "34125.00", "18112.50", "17762.50"),
    ("王秀兰", "2022-06-02", "华光路社区卫生服务站", "普通门诊", "180.00", "150.00", "50.00", "0.00", "0.00", "130.00"),
    # 张建国: outpatient visits far below the 20,000 threshold of everyone else.
    ("张建国", "2022-04-11", "华光路社区卫生服务站", "普通门诊", "320.00", "300.00", "125.00", "0.00", "0.00", "195.00"),
]


@transaction.atomic
def load() -> dict[str, int]:
    officer = User.objects.get(username="officer")
    zibo = Region.objects.get(code="370300000000")
    AlertThreshold.objects.get_or_create(
        year=YEAR, region=zibo, defaults={"for_assistance": THRESHOLDS[0], "for_others": THRESHOLDS[1]}
    )
    village_clerk = _village_clerk()
    residents = {r.name: r for r in Resident.objects.filter(region__code__startswith="370303001")}
    today = timezone.localdate()
    if not Application.objects.filter(recorded_by=village_clerk).exists():
        for name, category, income, costs, steps in APPLICATIONS:
            _application(residents[name], village_clerk, category, income, costs, steps, today)
    # The demo's settlements are of 2022; a clock set earlier (the tests' collection window)
    # must not make them "later than today".
    report = settlements_import(rows=_settlement_rows(residents), user=officer,
                                today=max(today, date(YEAR, 12, 31)), dry_run=False)
    alerts_refresh(year=YEAR)
    try:
        reassistance = reassistance_compute(year=YEAR, city=zibo).computed
    except ValidationError:  # no published 2022 benefit policy (the benefits demo not loaded)
        reassistance = 0
    return {"applications": Application.objects.count(), "settlements_added": report.created,
            "reassistance": reassistance}


def _application(resident, clerk, category, income, costs, steps, today) -> None:
    application = application_submit(
        resident=resident, clerk=clerk, category_claimed=category, household_income=Decimal(income),
        medical_costs=Decimal(costs), reason="住院花费大，家庭难以负担，申请医疗救助。",
    )
    # Paid applications were publicised long enough ago for the publicity to be over.
    day = today - timedelta(days=30) if any(action == "pay" for action, *_ in steps) else today
    for action, username, notes in steps:
        application_step(
            application_id=application.pk, action=Action(action), actor=User.objects.get(username=username),
            today=day, notes=notes,
            approved_amount=to_cents(Decimal(costs) * HALF) if action == "approve" else None,
        )
        if action == "publicise":
            day = today


def _settlement_rows(residents) -> list[SettlementRow]:
    return [
        SettlementRow(number, (residents[name].id_number, *cells))
        for number, (name, *cells) in enumerate(SETTLEMENTS, start=2)
    ]


def _village_clerk() -> User:
    username, last_name, first_name, scope_code = VILLAGE_CLERK
    user, created = User.objects.get_or_create(
        username=username, defaults={"last_name": last_name, "first_name": first_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.set([Group.objects.get(name=CLERK)])
    scope = Region.objects.get(code=scope_code)
    StaffProfile.objects.update_or_create(
        user=user, defaults={"scope": scope, "home_service_point": ServicePoint.objects.filter(region=scope).first()},
    )
    return user
