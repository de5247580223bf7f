"""Demo service network of 淄博市 (DESIGN.md section 7): regions, service points and staff accounts.

Codes of the city and its districts are the official ones; townships and villages are a
plausible sample. Loading is idempotent: a second run changes nothing.
"""

from django.contrib.auth.models import Group, User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import StaffProfile
from portal.accounts.roles import CLERK, HOSPITAL_CLERK, OFFICER, groups_sync
from portal.network.codes import SIGNIFICANT_DIGITS, Level
from portal.network.models import Region, ServiceItem, ServicePoint
from portal.public import demo as demo_content

DEMO_PASSWORD = "portal-demo-2022"
# The demo officers' authenticator key (TOTP, hex as django-otp stores it). It is public, in the
# README, so that a reviewer can sign in to /admin/: base32 JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP.
DEMO_TOTP_KEY = "48656c6c6f21deadbeef48656c6c6f21deadbeef"

REGIONS = [
    ("370000000000", "山东省"),
    ("370300000000", "淄博市"),
    ("370302000000", "淄川区"),
    ("370303000000", "张店区"),
    ("370304000000", "博山区"),
    ("370305000000", "临淄区"),
    ("370306000000", "周村区"),
    ("370321000000", "桓台县"),
    ("370322000000", "高青县"),
    ("370323000000", "沂源县"),
    ("370303001000", "车站街道"),
    ("370303001001", "华光路社区"),
    ("370303001002", "共青团路社区"),
    ("370303001003", "西二路社区"),
    ("370303002000", "公园街道"),
    ("370303002001", "金晶社区"),
    ("370303002002", "人民公园社区"),
    ("370303003000", "杏园街道"),
    ("370303003001", "杏园东社区"),
    ("370303003002", "北京路社区"),
    ("370302001000", "般阳路街道"),
    ("370302001001", "般阳社区"),
    ("370302001002", "东关村"),
    ("370302002000", "松龄路街道"),
    ("370302002001", "松龄社区"),
    ("370302002002", "北关村"),
]

ALL_SERVICES = [
    "参保登记", "缴费", "信息查询及变更", "异地就医备案", "零星报销初审", "新生儿参保",
    "困难群众资助参保", "依申请救助", "门诊慢特病认定", "参保关系转移接续",
]
# Seeds 001 and 003: registration, payment, queries and changes, cross-region filing moved down
# to the village; manual reimbursement pre-review and chronic-disease recognition stay at the
# township, and so do moves (the township station takes a person in or records the move out).
VILLAGE_SERVICES = [
    "参保登记", "缴费", "信息查询及变更", "异地就医备案", "新生儿参保", "困难群众资助参保", "依申请救助",
]
OFFICE_HOURS = "周一至周五 8:30–12:00，13:30–17:30（法定节假日除外）"
VILLAGE_HOURS = "周一至周五 8:30–11:30，14:00–17:00"

# 新生儿参保…下放至定点医疗机构 (seed 001): a maternity hospital's newborn desk in 张店区, whose
# staff (the demo account "hospital") register the newborns born there. Made up, and named so.
NEWBORN_DESK = ("370303000000", "演示妇幼保健院新生儿参保服务点（演示数据）", "淄博市张店区演示路 1 号（演示数据）")

ACCOUNTS = [
    # username, last name, first name, role, scope code, home point name
    ("officer", "张", "科长", OFFICER, "370300000000", "淄博市医疗保障服务大厅"),
    ("clerk_chezhan", "李", "经办", CLERK, "370303001000", "车站街道医保工作站"),
    ("clerk_other", "赵", "经办", CLERK, "370303002000", "公园街道医保工作站"),
    ("hospital", "孙", "护士", HOSPITAL_CLERK, "370300000000", NEWBORN_DESK[1]),
]


def _point_for(region: Region) -> tuple[str, str, list[str], str]:
    if region.code == "370300000000":
        return f"{region.name}医疗保障服务大厅", ServicePoint.Kind.CITY_HALL, ALL_SERVICES, OFFICE_HOURS
    if region.level == Level.COUNTY:
        return f"{region.name}医疗保障服务大厅", ServicePoint.Kind.COUNTY_HALL, ALL_SERVICES, OFFICE_HOURS
    if region.level == Level.TOWNSHIP:
        return f"{region.name}医保工作站", ServicePoint.Kind.TOWNSHIP_STATION, ALL_SERVICES, OFFICE_HOURS
    return f"{region.name}医保服务点", ServicePoint.Kind.VILLAGE_POINT, VILLAGE_SERVICES, VILLAGE_HOURS


@transaction.atomic
def load() -> dict[str, int]:
    groups_sync()
    regions = {}
    for code, name in REGIONS:  # parents come before their children in the list
        parent = regions.get(_parent_code(code, regions))
        region, _ = Region.objects.update_or_create(code=code, defaults={"name": name, "parent": parent})
        regions[code] = region

    items = {item.name: item for item in ServiceItem.objects.all()}
    for index, region in enumerate(r for r in regions.values() if r.level >= Level.CITY):
        name, kind, services, hours = _point_for(region)
        point, _ = ServicePoint.objects.update_or_create(
            region=region, name=name,
            defaults={
                "kind": kind,
                "address": f"淄博市{_address_of(region)}",
                "phone": f"0533-{3100000 + index * 17:07d}",
                "opening_hours": hours,
                "active": True,
            },
        )
        point.services.set([items[service] for service in services])
    code, name, address = NEWBORN_DESK
    desk, _ = ServicePoint.objects.update_or_create(
        region=regions[code], name=name,
        defaults={"kind": ServicePoint.Kind.NEWBORN_DESK, "address": address, "phone": "0533-3199999",
                  "opening_hours": OFFICE_HOURS, "active": True},
    )
    desk.services.set([items["新生儿参保"]])

    for account in ACCOUNTS:
        demo_staff_give(*account)
    return {
        "regions": len(regions),
        "service_points": ServicePoint.objects.count(),
        "accounts": len(ACCOUNTS),
        **demo_content.load(),
    }


def demo_staff_give(username: str, last_name: str, first_name: str, role: str, scope_code: str,
                    point_name: str | None = None) -> User:
    """A demo staff account with the demo password, its role, its scope and its service point
    (the named one, else the first of its region); officers get the demo authenticator. Idempotent."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"last_name": last_name, "first_name": first_name, "is_staff": role == OFFICER},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.set([Group.objects.get(name=role)])
    if role == OFFICER:
        demo_authenticator_give(user)
    scope = Region.objects.get(code=scope_code)
    points = ServicePoint.objects.filter(name=point_name) if point_name else ServicePoint.objects.filter(region=scope)
    StaffProfile.objects.update_or_create(user=user, defaults={"scope": scope, "home_service_point": points.first()})
    return user


def demo_authenticator_give(user: User) -> None:
    """A confirmed authenticator with the public demo key, so the demo officer can pass the
    second factor (README: 演示账号); idempotent."""
    TOTPDevice.objects.get_or_create(
        user=user, name="演示身份验证器", defaults={"key": DEMO_TOTP_KEY, "confirmed": True},
    )


def _parent_code(code: str, known: dict[str, Region]) -> str | None:
    """The nearest listed ancestor of a code (the list has no gaps between levels)."""
    for digits in sorted(SIGNIFICANT_DIGITS.values(), reverse=True):
        candidate = code[:digits].ljust(len(code), "0")
        if candidate != code and candidate in known:
            return candidate
    return None


def _address_of(region: Region) -> str:
    if region.level < Level.COUNTY:
        return "张店区人民西路 56 号"
    return "".join([a.name for a in region.ancestors() if a.level >= Level.COUNTY] + [region.name])
