"""Demo data of the assistance app (DESIGN.md section 7): 王秀兰 verified as 低保对象, and a
pending import of a few identities waiting for a second officer. Idempotent.

Identities need two officers (one imports, another verifies), so this adds `officer_county`,
an officer of 张店区, with the demo password of the other accounts.
"""

from datetime import date

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from assistance import demo_cases
from assistance.identity_imports import IdentityRow, identities_import
from assistance.identity_services import categories_refresh, identity_import_verify
from assistance.models import IdentityImport
from portal.demo import DEMO_PASSWORD, demo_authenticator_give
from portal.id_numbers import make_id_number
from portal.models import Region, ServicePoint, StaffProfile
from portal.roles import OFFICER

SECOND_OFFICER = ("officer_county", "王", "科员", "370303000000")
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


@transaction.atomic
def load() -> dict[str, int]:
    officer = User.objects.get(username="officer")
    second = _second_officer()
    if not IdentityImport.objects.filter(file_name=VERIFIED_LIST).exists():
        report = identities_import(rows=_rows(VERIFIED_ROWS), file_name=VERIFIED_LIST, officer=officer, dry_run=False)
        identity_import_verify(source=report.source, officer=second, on=timezone.localdate())
    if not IdentityImport.objects.filter(file_name=PENDING_LIST).exists():
        identities_import(rows=_rows(PENDING_ROWS), file_name=PENDING_LIST, officer=officer, dry_run=False)
    categories_refresh(on=timezone.localdate())
    # The cases demo needs 王秀兰's verified category for her alert, so it runs after.
    cases = demo_cases.load()
    return {"identity_imports": IdentityImport.objects.count(), "officers": 2, **cases}


def _rows(rows) -> list[IdentityRow]:
    return [IdentityRow(row, *values) for row, values in enumerate(rows, start=2)]


def _second_officer() -> User:
    username, last_name, first_name, scope_code = SECOND_OFFICER
    user, created = User.objects.get_or_create(
        username=username, defaults={"last_name": last_name, "first_name": first_name, "is_staff": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.set([Group.objects.get(name=OFFICER)])
    demo_authenticator_give(user)
    scope = Region.objects.get(code=scope_code)
    StaffProfile.objects.update_or_create(
        user=user, defaults={"scope": scope, "home_service_point": ServicePoint.objects.filter(region=scope).first()},
    )
    return user
