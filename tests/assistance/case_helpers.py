"""Shared set-up of the cases tests (applications, settlements, alerts, re-assistance)."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from assistance.cases.services import application_step, application_submit
from assistance.cases.workflow import Action
from assistance.models import AlertThreshold, Application
from enrollment.models import Resident
from portal.network.models import Region

WANG = "370303195203151223"  # 王秀兰, 华光路社区, 车站街道
SETTLEMENT_HEADER = "身份证号,结算日期,医疗机构,就诊类别,医疗总费用,政策范围内费用,基本医保支付,大病保险支付,医疗救助支付,个人负担"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def submit(resident: Resident, clerk: User, **overrides) -> Application:
    fields = {"category_claimed": "minimum_living", "household_income": Decimal("9600.00"),
              "medical_costs": Decimal("12800.00"), "reason": "住院花费大，申请救助。", **overrides}
    return application_submit(resident=resident, clerk=clerk, **fields)


def step(application: Application, action: str, actor: User, today, **kwargs) -> Application:
    kwargs.setdefault("notes", "入户调查属实。" if action in ("review", "return", "reject", "resubmit") else "")
    return application_step(application_id=application.pk, action=Action(action), actor=actor, today=today, **kwargs)


def threshold(year: int = 2022, *, for_assistance: str = "5000.00", for_others: str = "20000.00") -> AlertThreshold:
    return AlertThreshold.objects.create(
        year=year, region=region("370300000000"), for_assistance=Decimal(for_assistance),
        for_others=Decimal(for_others),
    )


def set_category(resident: Resident, category: str, valid_from: date = date(2021, 1, 1), valid_to: date | None = None,
                 ) -> None:
    """Give the resident a verified identity of ``category`` (settlements read the category held
    on their dates from it), and the category itself as the identities part would set it."""
    from tests.assistance.identity_helpers import identity, second_officer

    officer = User.objects.get(username="officer")
    identity(resident.id_number, name=resident.name, category=category, document=f"测试〔{valid_from}〕{category}",
             valid_from=valid_from, valid_to=valid_to, imported_by=officer, verified_by=second_officer())
    Resident.objects.filter(pk=resident.pk).update(assistance_category=category)
    resident.refresh_from_db()


def settlement_line(number: str, day: str, institution: str, kind: str, *amounts: str) -> str:
    return ",".join([number, day, institution, kind, *amounts])
