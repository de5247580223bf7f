"""Newborns registered before they have an ID number (出生一件事; 新生儿参保…下放至定点医疗机构,
seeds 000 and 001): the birth certificate number (出生医学证明编号) stands in for the ID number
until a clerk adds it, and the child is enrolled with the newborn rule (DESIGN.md section 5).

A certificate is kept like an ID number (DESIGN.md section 4): encrypted with the ID-number key,
found by a keyed digest, shown masked everywhere. Its digest, under a prefix of its own so that
it can never equal an ID number's, is also the resident's ``id_digest`` until the ID number is
added: the one-key-per-person constraint and every lookup by digest keep working unchanged.
"""

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enrollment import selectors
from enrollment.models import Enrollment, Resident
from enrollment.services import (
    RegisteredElsewhere,
    enrollment_register,
    household_create,
    require_in_scope,
    standard_in_force,
)
from portal.accounts.scopes import staff_scope
from portal.network.models import Region, ServicePoint
from portal.privacy.id_numbers import IdNumberError, parse_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from portal.shared.vocabulary import Category, Gender

CERTIFICATE_LENGTH = 10
# ASCII: id_digest hashes ASCII text only. The prefix keeps a certificate's digest apart from
# every ID number's, so the resident's id_digest column holds either without a clash.
CERTIFICATE_DIGEST_PREFIX = "birth-certificate:"
# How a newborn's id_masked reads until the ID number is added ("出生证P37*****45").
CERTIFICATE_MASK_LABEL = "出生证"
CERTIFICATE_EXAMPLE = "P370012345"


class CertificateError(ValueError):
    """A text that is not a birth certificate number; the message says what to fix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def certificate_parse(text: str) -> str:
    """The normalised number (1 capital letter + 9 digits) or CertificateError. Spaces are
    dropped, full-width characters (Ｐ３７…) read as ASCII, and a lowercase letter is accepted."""
    number = "".join(unicodedata.normalize("NFKC", text or "").split()).upper()
    if not number:
        raise CertificateError(f"请输入出生医学证明编号：1 位字母加 9 位数字，如 {CERTIFICATE_EXAMPLE}")
    if len(number) != CERTIFICATE_LENGTH:
        raise CertificateError(
            f"出生医学证明编号应为 10 位（1 位字母加 9 位数字），您输入了 {len(number)} 位，请核对是否多输或漏输"
        )
    if not ("A" <= number[0] <= "Z"):
        raise CertificateError(f"出生医学证明编号第 1 位应为英文字母（如 {CERTIFICATE_EXAMPLE} 的 P），您输入的是“{number[0]}”")
    for position, character in enumerate(number[1:], start=2):
        if not ("0" <= character <= "9"):
            raise CertificateError(f"出生医学证明编号第 2–10 位只能是数字；第 {position} 位“{character}”不符合")
    return number


def certificate_mask(number: str) -> str:
    """``P37*****45``: the letter and two digits, then the last two."""
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def certificate_key(number: str) -> str:
    """The lookup digest of a normalised certificate number."""
    return id_digest(CERTIFICATE_DIGEST_PREFIX + number)


def is_newborn_desk(point: ServicePoint | None) -> bool:
    return point is not None and point.kind == ServicePoint.Kind.NEWBORN_DESK


def newborn_year(*, region: Region, birth_date: date, today: date) -> int | None:
    """The year a newborn is enrolled for: the year of birth while it runs and the child is
    within its grace period, so that cover starts at birth (DESIGN.md section 5, step 6: a
    December baby would otherwise wait for 1 January while next year is being collected); else
    the year that matters today (portal/standards/years.py)."""
    if birth_date.year == today.year and birth_date.year in selectors.collection_years(region):
        standard = standard_in_force(year=birth_date.year, region=region, on=today)
        if (today - birth_date).days <= standard.newborn_grace_days:
            return birth_date.year
    return selectors.year_that_matters(region, today)


def parent_find(*, id_number: str, name: str, clerk, today: date) -> Resident | None:
    """The registered resident with this ID number and this name within the clerk's scope, or
    None: a wrong name answers as an unknown number does, so the form tells nobody who is
    registered. Raises RegisteredElsewhere for the right person registered outside the scope
    (the view answers with enrollment/elsewhere.py), IdNumberError for a malformed number."""
    number = parse_id_number(id_number, today=today).number
    found = Resident.objects.filter(id_digest=id_digest(number)).select_related("region", "household").first()
    if found is None or found.name != name.strip():
        return None
    scope = staff_scope(clerk)
    if scope is None or not found.region.code.startswith(scope.prefix):
        raise RegisteredElsewhere(digest=found.id_digest, region=found.region)
    return found


def _check_parent(parent: Resident, birth_date: date) -> None:
    if parent.date_of_death:
        raise ValidationError({"parent": f"{parent.name} 已登记死亡，请以另一位父母的信息登记。"})
    if not parent.has_id_number:
        raise ValidationError({"parent": f"{parent.name} 尚未登记身份证号，请以已登记身份证号的父亲或母亲登记。"})
    if parent.moved_out_on:
        raise ValidationError({"parent": f"{parent.name} 已迁出本统筹区，新生儿应在其现居住地参保。"})
    if parent.birth_date >= birth_date:
        raise ValidationError({"parent": f"{parent.name} 的出生日期不早于新生儿的出生日期，请核对父母信息。"})


def _check_birth_date(birth_date: date, today: date) -> None:
    if birth_date > today:
        raise ValidationError({"birth_date": f"出生日期 {birth_date.isoformat()} 晚于今天（{today.isoformat()}），请核对。"})
    try:
        a_year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        a_year_ago = today.replace(year=today.year - 1, day=28)
    if birth_date < a_year_ago:
        raise ValidationError({"birth_date": (
            f"出生日期 {birth_date.isoformat()} 距今已超过一年，不按新生儿登记：请办理身份证号后按一般居民登记参保。"
        )})


@transaction.atomic
def newborn_register(
    *, certificate: str, name: str, gender: str, birth_date: date, parent: Resident, clerk, today: date,
    born_at: ServicePoint | None = None,
) -> Enrollment:
    """Register a newborn in the parent's household and village with its birth certificate, and
    enrol it with the newborn rule. All or nothing: a refused enrollment registers nobody."""
    try:
        number = certificate_parse(certificate)
    except CertificateError as error:
        raise ValidationError({"certificate": error.message}) from error
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写新生儿姓名（与出生医学证明一致）。"})
    if gender not in {member.value for member in Gender}:
        raise ValidationError({"gender": "请选择新生儿性别。"})
    _check_birth_date(birth_date, today)
    if born_at is not None and not is_newborn_desk(born_at):
        raise ValidationError(f"{born_at.name} 不是定点医疗机构新生儿参保服务点。")
    parent = Resident.objects.select_related("region", "household").get(pk=parent.pk)
    require_in_scope(clerk, parent.region)
    _check_parent(parent, birth_date)
    key = certificate_key(number)
    if Resident.objects.filter(birth_certificate_digest=key).exists():
        raise ValidationError({"certificate": "此出生医学证明编号已登记过新生儿参保，不能重复登记；请核对编号。"})

    household = parent.household
    if household is None:  # the child joins the parent's household; a parent without one gets one
        household = household_create(region=parent.region, address="", clerk=clerk)
        household.head = parent
        household.save(update_fields=["head"])
        parent.household = household
        parent.save(update_fields=["household"])
    masked = certificate_mask(number)
    child = Resident(
        id_number_encrypted="", id_digest=key, id_masked=CERTIFICATE_MASK_LABEL + masked,
        birth_certificate_encrypted=id_encrypt(number), birth_certificate_digest=key, birth_certificate_masked=masked,
        name=name, gender=gender, birth_date=birth_date, phone=parent.phone, household=household,
        region=parent.region, born_at=born_at, created_by=clerk,
    )
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError as error:  # resident_birth_certificate_unique: another desk a moment ago
        raise ValidationError({"certificate": "此出生医学证明编号刚刚已被登记，不能重复登记。"}) from error
    year = newborn_year(region=parent.region, birth_date=birth_date, today=today)
    if year is None:
        raise ValidationError("本统筹区还没有发布个人缴费标准，暂不能参保。", code="no_standard")
    return enrollment_register(resident=child, year=year, category=Category.STUDENT_CHILD, clerk=clerk, on=today)


@transaction.atomic
def id_number_add(*, resident: Resident, id_number: str, clerk, today: date) -> Resident:
    """Give a newborn registered with its birth certificate the ID number issued later; from
    then on it is an ordinary resident (the certificate is kept). The number must carry the
    registered birth date and sex, and belong to nobody else."""
    try:
        parsed = parse_id_number(id_number, today=today)
    except IdNumberError as error:
        raise ValidationError({"id_number": error.message}) from error
    resident = Resident.objects.select_for_update().select_related("region").get(pk=resident.pk)
    require_in_scope(clerk, resident.region)
    if resident.has_id_number:
        raise ValidationError(f"{resident.name} 已有身份证号 {resident.id_masked}，无需添加。", code="has_id_number")
    if parsed.birth_date != resident.birth_date:
        raise ValidationError({"id_number": (
            f"身份证号中的出生日期 {parsed.birth_date.isoformat()} 与登记的出生日期 "
            f"{resident.birth_date.isoformat()} 不符，请核对号码或出生医学证明。"
        )})
    if parsed.gender.value != resident.gender:
        raise ValidationError({"id_number": (
            f"身份证号第 17 位表示性别为{parsed.gender.label}，登记的性别为{resident.get_gender_display()}，请核对。"
        )})
    digest = id_digest(parsed.number)
    holder = Resident.objects.filter(id_digest=digest).exclude(pk=resident.pk).select_related("region").first()
    if holder is not None:
        scope = staff_scope(clerk)
        if not holder.region.code.startswith(scope.prefix):
            raise RegisteredElsewhere(digest=digest, region=holder.region)
        raise ValidationError({"id_number": "此身份证号已登记给另一位居民，不能添加；请核对号码。"})
    resident.id_number_encrypted = id_encrypt(parsed.number)
    resident.id_digest = digest
    resident.id_masked = parsed.masked
    try:
        with transaction.atomic():
            resident.save(update_fields=["id_number_encrypted", "id_digest", "id_masked"])
    except IntegrityError as error:  # resident_id_digest_unique: registered to someone a moment ago
        raise ValidationError({"id_number": "此身份证号刚刚已登记给另一位居民，不能添加；请核对号码。"}) from error
    return resident
