"""Demo data of the assistance app (DESIGN.md section 7), idempotent:

- identities: 王秀兰 verified as 低保对象 (by `officer_county`, an officer of 张店区, since no one
  verifies their own import), and a pending import of a few identities waiting for a second officer;
- cases: one application for assistance at each step, recorded by `clerk_huaguang` (a clerk of
  华光路社区) and reviewed by the township; the 2022 alert thresholds of 淄博市; and 2022
  settlements that raise exactly one alert (王秀兰's hospital stay).

The two accounts have the demo password of the others.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.cases.services import application_step, application_submit
from assistance.cases.workflow import Action
from assistance.identities.imports import IdentityRow, identities_import
from assistance.identities.services import categories_refresh, identity_import_verify
from assistance.models import AlertThreshold, Application, IdentityImport
from assistance.settlements.imports import SettlementRow, settlements_import
from assistance.settlements.services import alerts_refresh, reassistance_compute
from enrollment.models import Resident
from portal.accounts.roles import CLERK, OFFICER
from portal.network.demo import demo_staff_give
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number
from portal.shared.money import to_cents

# Identities need two officers (one imports, another verifies); applications are recorded at a
# village point and reviewed by the township.
SECOND_OFFICER = ("officer_county", "王", "科员", OFFICER, "370303000000")
VILLAGE_CLERK = ("clerk_huaguang", "陈", "协理员", CLERK, "370303001001")
VERIFIED_LIST = "演示-民政低保名单-2021.csv"
PENDING_LIST = "演示-监测帮扶与低保边缘名单-2022.csv"

VERIFIED_ROWS = [
    # id number, name, category, department, document number, valid from, valid to
    ("370303195203151223", "王秀兰", "低保对象", "民政", "张民低〔2021〕15号", "2021-01-01", ""),
]
PENDING_ROWS = [
    (make_id_number("370303", date(1975, 11, 20), 22), "刘桂英", "低保边缘家庭成员", "民政", "张民边〔2022〕3号", "2022-01-01", "2022-12-31"),
    (make_id_number("370303", date(1980, 1, 15), 33), "陈志强", "防止返贫监测帮扶对象", "乡村振兴", "张振监〔2022〕7号", "2022-01-01", ""),
    (make_id_number("370303", date(1948, 2, 9), 84), "马春兰", "特困人员", "民政", "张民特〔2022〕2号", "2022-01-01", ""),
    (make_id_number("370303", date(1966, 9, 30), 91), "高长福", "返贫致贫人口", "乡村振兴", "张振返〔2022〕1号", "2022-01-01", ""),
]


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
    second = demo_staff_give(*SECOND_OFFICER)
    if not IdentityImport.objects.filter(file_name=VERIFIED_LIST).exists():
        report = identities_import(rows=_rows(VERIFIED_ROWS), file_name=VERIFIED_LIST, officer=officer, dry_run=False)
        identity_import_verify(source=report.source, officer=second, on=timezone.localdate())
    if not IdentityImport.objects.filter(file_name=PENDING_LIST).exists():
        identities_import(rows=_rows(PENDING_ROWS), file_name=PENDING_LIST, officer=officer, dry_run=False)
    categories_refresh(on=timezone.localdate())
    # The cases need 王秀兰's verified category for her alert, so they come after.
    return {"identity_imports": IdentityImport.objects.count(), "officers": 2, **_cases_load(officer)}


def _rows(rows) -> list[IdentityRow]:
    return [IdentityRow(row, *values) for row, values in enumerate(rows, start=2)]


def _cases_load(officer: User) -> dict[str, int]:
    zibo = Region.objects.get(code="370300000000")
    AlertThreshold.objects.get_or_create(
        year=YEAR, region=zibo, defaults={"for_assistance": THRESHOLDS[0], "for_others": THRESHOLDS[1]}
    )
    village_clerk = demo_staff_give(*VILLAGE_CLERK)
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
