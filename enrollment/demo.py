"""Demo data of the enrollment app: the 2021 and 2022 standards of DESIGN.md section 7 and a few
residents of 车站街道 and 公园街道, enrolled and paid or not. Idempotent."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction

from enrollment.models import (
    AssistanceSubsidy,
    ContributionFloor,
    ContributionStandard,
    Enrollment,
    Household,
    Payment,
    Resident,
)
from enrollment.rules import premium_for
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number, parse_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from portal.shared.vocabulary import AssistanceCategory, Category
from portal.standards.versioned import VersionedStandard

ZIBO = "370300000000"
SHANDONG = "370000000000"
FIXED_200 = ("minimum_living", "returned_to_poverty")
FIXED_100 = ("low_income_edge", "monitored")

# (year, adult, student_child, fiscal subsidy, window); * in DESIGN.md come from the seeds:
# 2021 370/270 (淄博 2020 notice), 2022 fiscal subsidy 610 (鲁医保发〔2022〕24号).
STANDARDS = [
    (2021, "370.00", "270.00", "580.00", date(2020, 9, 1), date(2020, 12, 31),
     "淄博市 2021 年度：成年居民 370 元、学生儿童 270 元（淄医保发〔2020〕，转发鲁医保发〔2020〕60号）。"),
    (2022, "410.00", "310.00", "610.00", date(2021, 9, 1), date(2021, 12, 31),
     "2022 年度：财政补助不低于 610 元（鲁医保发〔2022〕24号）；个人缴费为演示数值。"),
]

# 王秀兰 is the resident the public lookup uses; the others fill the station's lists.
RESIDENTS = [
    # name, id number, village code, paid 2022?, enrolled 2021?
    ("王秀兰", "370303195203151223", "370303001001", True, True),
    ("张建国", make_id_number("370303", date(1968, 4, 2), 11), "370303001001", True, True),
    ("刘桂英", make_id_number("370303", date(1975, 11, 20), 22), "370303001001", False, True),
    ("张小雨", make_id_number("370303", date(2012, 6, 1), 24), "370303001001", True, True),
    ("陈志强", make_id_number("370303", date(1980, 1, 15), 33), "370303001002", False, True),
    ("李秀梅", make_id_number("370303", date(1959, 8, 8), 44), "370303001002", True, False),
    ("赵伟", make_id_number("370303", date(1990, 3, 3), 55), "370303001003", None, True),
    ("孙丽", make_id_number("370303", date(1986, 12, 12), 66), "370303002001", True, True),
    ("周强", make_id_number("370303", date(1972, 7, 7), 77), "370303002002", False, True),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijkmnpqr")


@transaction.atomic
def load() -> dict[str, int]:
    officer = User.objects.get(username="officer")
    zibo = Region.objects.get(code=ZIBO)
    ContributionFloor.objects.get_or_create(
        year=2022, province=Region.objects.get(code=SHANDONG),
        defaults={"fiscal_subsidy": Decimal("610.00"), "personal_contribution": Decimal("350.00"),
                  "source": "鲁医保发〔2022〕24号"},
    )
    standards = {year: _standard(zibo, officer, *rest, year=year) for year, *rest in STANDARDS}
    clerks = _clerks()
    for index, (name, number, village_code, paid_2022, enrolled_2021) in enumerate(RESIDENTS):
        village = Region.objects.get(code=village_code)
        clerk = clerks[village_code[:10]]
        resident = _resident(name, number, village, clerk, household_number=f"{village_code}-{index // 4:06d}")
        if enrolled_2021:
            _enrollment(resident, standards[2021], clerk, on=date(2020, 10, 10 + index), paid=True)
        if paid_2022 is not None:
            # 王秀兰's 低保 identity runs from 2021-01-01: registered in October 2021, she has its subsidy.
            _enrollment(resident, standards[2022], clerk, on=date(2021, 10, 10 + index), paid=paid_2022,
                        assistance=DEMO_ASSISTANCE.get(name))
    return {"standards": len(standards), "residents": len(RESIDENTS), "enrollments": Enrollment.objects.count()}


def _standard(zibo, officer, adult, student, fiscal, start, end, notes, *, year) -> ContributionStandard:
    existing = ContributionStandard.objects.filter(year=year, region=zibo, revision=1).first()
    if existing:
        return existing
    standard = ContributionStandard.objects.create(
        year=year, region=zibo, contribution_adult=Decimal(adult), contribution_student_child=Decimal(student),
        fiscal_subsidy=Decimal(fiscal), window_start=start, window_end=end, notes=notes,
    )
    AssistanceSubsidy.objects.create(standard=standard, category=AssistanceCategory.EXTREME_POVERTY, full=True)
    for category in FIXED_200:
        AssistanceSubsidy.objects.create(standard=standard, category=category, amount=Decimal("200.00"))
    for category in FIXED_100:
        AssistanceSubsidy.objects.create(standard=standard, category=category, amount=Decimal("100.00"))
    standard.status = VersionedStandard.Status.PUBLISHED
    standard.published_by = officer
    standard.published_at = datetime(start.year, 8, 1, 9, 0, tzinfo=SHANGHAI)
    standard.save()
    return standard


# The years after 2022 (portal/standards/demo.py): everyone enrolls each year, 王秀兰 with the
# 低保 subsidy her identity (valid from 2021-01-01, in the assistance demo) gives, as in 2022; 周强 skips 2024,
# so that the lookup has a gap to show; in the year being collected two have not paid yet and
# 赵伟 never enrolls, so that the station's lists have people in them.
DEMO_ASSISTANCE = {"王秀兰": AssistanceCategory.MINIMUM_LIVING}
LATER_GAP = ("周强", 2024)
LATER_UNPAID = {"刘桂英", "陈志强"}
LATER_NEVER = {"赵伟"}


def load_year(*, year: int, today: date) -> None:
    """Enroll the demo people for a year made after the seeds' (``demo_year_loader``)."""
    zibo = Region.objects.get(code=ZIBO)
    standard = ContributionStandard.objects.in_force(year=year, region=zibo, on=date(year, 12, 31))
    collecting = today < date(year, 1, 1) or today <= standard.window_end
    clerks = _clerks()
    for index, (name, number, village_code, *_) in enumerate(RESIDENTS):
        if name in LATER_NEVER or (name, year) == LATER_GAP:
            continue
        resident = Resident.objects.get(id_digest=id_digest(number))
        on = max(standard.window_start, min(date(year - 1, 10, 10 + index), today))
        _enrollment(resident, standard, clerks[village_code[:10]], on=on,
                    paid=not (collecting and name in LATER_UNPAID), assistance=DEMO_ASSISTANCE.get(name))


def _clerks() -> dict[str, User]:
    """The demo clerk of each township, by the first ten digits of its villages' codes."""
    return {"3703030010": User.objects.get(username="clerk_chezhan"),
            "3703030020": User.objects.get(username="clerk_other")}


def _resident(name, number, village, clerk, *, household_number) -> Resident:
    digest = id_digest(number)
    resident = Resident.objects.filter(id_digest=digest).first()
    if resident:
        return resident
    parsed = parse_id_number(number, today=date(2021, 9, 1))
    household, _ = Household.objects.get_or_create(
        number=household_number, defaults={"region": village, "address": f"{village.name}{len(name)}号楼"}
    )
    resident = Resident.objects.create(
        id_number_encrypted=id_encrypt(number), id_digest=digest, id_masked=parsed.masked, name=name,
        gender=parsed.gender.value, birth_date=parsed.birth_date, phone=f"1390533{int(number[-5:-1]):04d}",
        household=household, region=village, created_by=clerk,
    )
    if household.head_id is None:
        household.head = resident
        household.save(update_fields=["head"])
    return resident


def _enrollment(resident, standard, clerk, *, on: date, paid: bool, assistance: AssistanceCategory | None = None) -> None:
    if Enrollment.objects.filter(resident=resident, year=standard.year).exists():
        return
    category = Category.STUDENT_CHILD if resident.age_on(on) < 18 else Category.ADULT
    premium = premium_for(standard.snapshot(), category=category, assistance=assistance, birth_date=resident.birth_date,
                          on=on)
    registered = datetime.combine(on, time(9, 30), tzinfo=SHANGHAI)
    enrollment = Enrollment.objects.create(
        resident=resident, year=standard.year, region=resident.region, standard=standard,
        category=category.value, assistance_category=assistance.value if assistance else "",
        standard_amount=premium.standard, subsidy=premium.subsidy,
        payable=premium.payable, late=premium.late, newborn=premium.newborn,
        coverage_start=premium.coverage_start, coverage_end=premium.coverage_end,
        registered_on=on, registered_by=clerk, paid_at=registered if paid else None,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(registered_at=registered)
    if paid:
        payment = Payment.objects.create(
            enrollment=enrollment, amount=premium.payable, method=Payment.Method.CASH,
            receipt_number=f"{standard.year}{resident.region.code[:9]}D{enrollment.pk:07d}",
            # Letters only: a run of hex digits could look like an ID number on the receipt.
            verification_code=id_digest(f"demo-receipt-{enrollment.pk}")[:22].translate(DIGITS_AS_LETTERS),
            idempotency_token=_demo_token(enrollment.pk), recorded_by=clerk,
            taken_at=clerk.staff_profile.home_service_point,
        )
        Payment.objects.filter(pk=payment.pk).update(recorded_at=registered)


def _demo_token(pk: int):
    import uuid

    return uuid.uuid5(uuid.NAMESPACE_URL, f"portal-demo-payment-{pk}")
