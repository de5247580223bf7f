"""The demo's crowd: three thousand made-up residents of 车站街道's villages, so that the
collection pages have something to show. Last year about 95% of them enrolled and nearly all
paid; this year's collection is as far along as the window is (slow at first, fastest at the
end, as collections run). Deterministic: the same day gives the same people and figures.
Idempotent: run again, it adds only the years it has not filled."""

import io
import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from enrollment.demo import DIGITS_AS_LETTERS
from enrollment.life_events import newborn_demo
from enrollment.models import (
    CollectivePayment,
    ContributionStandard,
    Enrollment,
    Household,
    InsuredElsewhere,
    Payment,
    Resident,
    TaxVoucher,
)
from enrollment.rules import premium_for
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number, mask_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from portal.shared.vocabulary import Category, Gender
from portal.standards.demo import demo_target_year

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZIBO = "370300000000"
CROWD_SIZE = 3000
# 车站街道's villages; the third is the one that falls short of the target.
VILLAGES = {"370303001001": 0.965, "370303001002": 0.958, "370303001003": 0.915}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇欣然子涵梓萱一诺雨泽"
METHODS = [Payment.Method.CASH, Payment.Method.BANK_CARD, Payment.Method.ONLINE, Payment.Method.ONLINE]
# The demo's own residents: no one in the crowd shares a name with them (pages and tests find them by name).
RESERVED_NAMES = {"王秀兰", "张建国", "刘桂英", "张小雨", "陈志强", "李秀梅", "赵伟", "孙丽", "周强"}


def load(*, today: date) -> dict[str, int]:
    """The crowd and its enrollments of the three years up to the one that matters today; while
    that year is collected, a village committee's collective payment and a tax office's file."""
    year = demo_target_year(today)
    with transaction.atomic():
        residents = _residents()
        for each in (year - 2, year - 1, year):
            _enroll(residents, year=each, today=today)
        collective = _collective_payment(year=year, today=today)
        vouchers = _tax_file(year=year, today=today)
        # The newborn desk's child follows the date too (enrollment/life_events/newborn_demo.py).
        newborns = newborn_demo.load(today=today)
    return {"crowd": len(residents), "collective_payment_people": collective, "tax_vouchers": vouchers, **newborns}


def _people():
    """(name, id number, village code, phone) of each member of the crowd, always the same."""
    rng = random.Random("demo-crowd")
    villages = list(VILLAGES)
    for index in range(CROWD_SIZE):
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if name not in RESERVED_NAMES:
                break
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        # Sequence numbers 100-999 keep clear of the demo's own people's (11-77).
        number = make_id_number("370303", born, 100 + index % 900)
        yield name, number, villages[index % len(villages)], f"139{53300000 + index:08d}"


def _residents() -> list[Resident]:
    clerk = User.objects.get(username="clerk_chezhan")
    villages = {region.code: region for region in Region.objects.filter(code__in=VILLAGES)}
    people = list(_people())
    digests = {id_digest(number): (name, number, code, phone) for name, number, code, phone in people}
    have = set(Resident.objects.filter(id_digest__in=digests).values_list("id_digest", flat=True))
    new = []
    for digest, (name, number, code, phone) in digests.items():
        if digest in have:
            continue
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        new.append(Resident(
            id_number_encrypted=id_encrypt(number), id_digest=digest, id_masked=mask_id_number(number), name=name,
            gender=(Gender.MALE if int(number[16]) % 2 else Gender.FEMALE).value, birth_date=birth, phone=phone,
            region=villages[code], created_by=clerk,
        ))
    if new:
        households = Household.objects.bulk_create([
            Household(number=f"{resident.region.code}-C{index:05d}", region=resident.region,
                      address=f"{resident.region.name}{index // 40 + 1}号楼{index % 40 + 1}室")
            for index, resident in enumerate(new)
        ])
        for resident, household in zip(new, households, strict=True):
            resident.household_id = household.pk
        bulk_create_with_history(new, Resident, batch_size=500, default_user=clerk,
                                 default_change_reason="演示数据")
    return list(Resident.objects.filter(id_digest__in=digests).select_related("region").order_by("pk"))


def _enroll(residents: list[Resident], *, year: int, today: date) -> None:
    zibo = Region.objects.get(code=ZIBO)
    standard = ContributionStandard.objects.in_force(year=year, region=zibo, on=date(year, 12, 31))
    if standard is None:
        return
    snapshot = standard.snapshot()
    start, end = standard.window_start, standard.window_end
    # How far the window has come: 1 once it is over, so a past year is complete.
    elapsed = min(1.0, max(0.0, ((today - start).days) / ((end - start).days + 1)))
    rng = random.Random(f"demo-crowd-{year}")
    clerk = User.objects.get(username="clerk_chezhan")
    point = clerk.staff_profile.home_service_point
    enrolled = set(Enrollment.objects.filter(year=year, resident__in=residents).values_list("resident_id", flat=True))
    elsewhere = []
    plans = []
    for resident in residents:
        draw, moment, pays = rng.random(), rng.random(), rng.random()
        if resident.pk in enrolled:
            continue
        if draw > 0.97:
            # About 3% are insured elsewhere (employee insurance) and not expected here.
            elsewhere.append(InsuredElsewhere(resident=resident, year=year, scheme=InsuredElsewhere.Scheme.EMPLOYEE,
                                              note="演示数据：职工医保", recorded_by=clerk))
            continue
        if draw / 0.97 > VILLAGES[resident.region.code]:
            continue  # does not enrol this year: the 未参保名单
        # When in the window this person comes: most at the end (cumulative share ~ t^1.6).
        at = moment ** (1 / 1.6)
        if at > elapsed:
            continue  # not yet, this year
        on = start + timedelta(days=int(at * (end - start).days))
        if on >= today or resident.birth_date >= on:
            continue  # not yet; or not born yet on that day (the demo loaded on an early date)
        # Nearly everyone of a finished year paid; this year about one in eight has not yet.
        plans.append((resident, on, pays < (0.985 if elapsed >= 1.0 else 0.88)))
    InsuredElsewhere.objects.bulk_create(elsewhere, ignore_conflicts=True)
    enrollments, paid = [], []
    for resident, on, pays in plans:
        category = Category.STUDENT_CHILD if resident.age_on(on) < 18 else Category.ADULT
        premium = premium_for(snapshot, category=category, assistance=None, birth_date=resident.birth_date, on=on)
        at = datetime.combine(on, time(8, 30), tzinfo=SHANGHAI) + timedelta(minutes=resident.pk % 480)
        enrollments.append(Enrollment(
            resident=resident, year=year, region=resident.region, standard=standard, category=category.value,
            standard_amount=premium.standard, subsidy=premium.subsidy, payable=premium.payable, late=premium.late,
            newborn=premium.newborn, coverage_start=premium.coverage_start, coverage_end=premium.coverage_end,
            registered_on=on, registered_by=clerk, paid_at=at if pays else None,
        ))
        paid.append(pays)
    created = Enrollment.objects.bulk_create(enrollments, batch_size=500)
    Payment.objects.bulk_create([
        Payment(
            enrollment=enrollment, amount=enrollment.payable, method=METHODS[enrollment.resident_id % len(METHODS)],
            receipt_number=f"{year}{enrollment.region.code[:9]}C{enrollment.pk:07d}",
            # Letters only, as the demo's other receipts: a run of digits could look like an ID number.
            verification_code=id_digest(f"demo-crowd-receipt-{enrollment.pk}")[:22].translate(DIGITS_AS_LETTERS),
            idempotency_token=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-crowd-payment-{enrollment.pk}"),
            recorded_by=clerk, recorded_at=enrollment.paid_at, taken_at=point,
        )
        for enrollment, pays in zip(created, paid, strict=True) if pays
    ], batch_size=500)


def _collecting(year: int, today: date) -> ContributionStandard | None:
    """The year's standard while its collection window is open today and has run a week."""
    standard = ContributionStandard.objects.in_force(year=year, region=Region.objects.get(code=ZIBO),
                                                     on=date(year, 12, 31))
    if standard is None or not standard.window_start + timedelta(days=7) <= today <= standard.window_end:
        return None
    return standard


def _collective_payment(*, year: int, today: date) -> int:
    """共青团路社区's committee pays for twenty of its unpaid residents at once (集体代缴)."""
    from enrollment.collection.collective import collective_payment_record

    token = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-crowd-collective-{year}")
    if not _collecting(year, today) or CollectivePayment.objects.filter(token=token).exists():
        return 0
    unpaid = list(
        Enrollment.objects.unpaid().filter(year=year, region__code="370303001002", resident__household__number__contains="-C")
        .order_by("pk")[:20]
    )
    if not unpaid:
        return 0
    collective_payment_record(
        enrollment_ids=[e.pk for e in unpaid], payer_name="共青团路社区居民委员会（演示数据）", method=Payment.Method.BANK_CARD,
        confirmed_total=sum(e.payable for e in unpaid), token=token, clerk=User.objects.get(username="clerk_chezhan"),
    )
    return len(unpaid)


def _tax_file(*, year: int, today: date) -> int:
    """The tax office's file of a week: forty of 西二路社区's unpaid residents paid through it, and
    three rows that match nothing as they are (a wrong amount, someone not enrolled, someone
    registered nowhere), which wait on the reconciliation list (税务对账)."""
    from enrollment.collection.tax import read_tax_payments
    from enrollment.collection.tax_import import tax_payments_import

    standard = _collecting(year, today)
    prefix = f"DEMO{year}"
    if standard is None or TaxVoucher.objects.filter(voucher_number__startswith=prefix).exists():
        return 0
    paid_on = today - timedelta(days=2)
    unpaid = list(
        Enrollment.objects.unpaid().filter(year=year, region__code="370303001003", resident__household__number__contains="-C")
        .select_related("resident").order_by("pk")[:41]
    )
    not_enrolled = (
        Resident.objects.filter(region__code="370303001003", household__number__contains="-C")
        .exclude(enrollments__year=year).order_by("pk").first()
    )
    if len(unpaid) < 41 or not_enrolled is None:
        return 0
    rows = [(e.resident.id_number, e.resident.name, e.payable) for e in unpaid[:40]]
    rows.append((unpaid[40].resident.id_number, unpaid[40].resident.name, unpaid[40].payable - 100))
    rows.append((not_enrolled.id_number, not_enrolled.name, standard.contribution_adult))
    rows.append((make_id_number("370305", date(1980, 2, 2), 555), "邢建华", standard.contribution_adult))
    lines = ["缴费凭证号,身份证号,姓名,缴费年度,金额,缴费时间,征收机关"] + [
        f"{prefix}{index:06d},{number},{name},{year},{amount},{paid_on.isoformat()} {9 + index % 8:02d}:{index % 60:02d}:00,"
        "国家税务总局淄博市张店区税务局"
        for index, (number, name, amount) in enumerate(rows, start=1)
    ]
    report = tax_payments_import(
        rows=read_tax_payments(io.BytesIO("\n".join(lines).encode()), "演示税务缴费.csv"), filename="演示税务缴费.csv",
        user=User.objects.get(username="officer"), now=datetime.combine(today, time(8, 0), tzinfo=SHANGHAI),
        dry_run=False,
    )
    return report.rows
