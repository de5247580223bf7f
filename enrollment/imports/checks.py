"""Enrollee rolls (school classes, village lists): check every row of a roll read by
enrollment/imports/rolls.py, then write all of it or nothing (DESIGN.md section 10).

The station's upload page and the officers' ``import_enrollees`` command share this module.
Rolls of a whole county run to 100,000 rows, so lookups are set-based and chunked, premiums are
memoized on their exact inputs, and on PostgreSQL the rows go in with COPY
(benchmarks/README.md has the figures).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import mul
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from enrollment.elsewhere import elsewhere_answers
from enrollment.imports.rolls import RollRow
from enrollment.models import ContributionStandard, Enrollment, Resident, RollImport
from enrollment.rules import ContributionSnapshot, Premium, PremiumRefused, premium_for
from enrollment.services import standard_in_force
from portal.accounts.scopes import staff_scope
from portal.network.codes import Level, RegionCodeError, normalize_code, pooling_region_code
from portal.network.models import Region
from portal.privacy.id_numbers import EARLIEST_BIRTH_DATE, IdNumberError, mask_id_number, mask_name, parse_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from portal.shared.bulk import copy_rows, next_ids
from portal.shared.money import ZERO
from portal.shared.vocabulary import AssistanceCategory, Category, Gender
from portal.spreadsheets.lookups import rows_matching

CATEGORIES = {text: member for member in Category for text in (member.value, member.label)}
NAME_LENGTH = Resident._meta.get_field("name").max_length
# A mobile number, or a landline with its area code (0533-3100221); hyphen optional.
PHONE = re.compile(r"1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8}")
HISTORY_REASON = "参保名单导入"
EXCEL_NUMBER = ("身份证号被 Excel 存成了数字，只保留了 15 位有效数字，后几位已丢失；"
                "请把这一列设为“文本”格式，重新填写后再导入")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None  # None: the roll as a whole
    message: str

    def __str__(self) -> str:
        return self.message if self.row is None else f"第 {self.row} 行：{self.message}"


class ImportEntry(NamedTuple):
    """An accepted row as a preview shows it (masked: previews are pages and logs)."""

    row: int
    name: str
    id_masked: str
    village: Region
    premium: Premium
    new_resident: bool


@dataclass
class ImportReport:
    """The counts describe the rows that passed; ``committed`` says whether they were written."""

    rows: int
    new_residents: int = 0
    existing_residents: int = 0
    enrollments: int = 0
    payable_total: Decimal = ZERO
    errors: list[RowError] = field(default_factory=list)
    entries: list[ImportEntry] = field(default_factory=list)
    committed: bool = False


# -- Checking --------------------------------------------------------------------------------

class _Known(NamedTuple):
    """A resident already registered with a number of the roll."""

    pk: int
    name: str
    region_id: int
    date_of_death: date | None
    assistance_category: str
    moved_out_on: date | None


@dataclass(slots=True)
class _Person:
    """A row whose own fields are valid, on its way to being written."""

    row: int
    name: str
    phone: str
    number: str
    id_masked: str
    digest: str
    gender: str
    birth_date: date
    village_code: str
    category: Category
    village: Region | None = None
    resident_id: int | None = None  # a resident already registered, or the id reserved for a new one
    new_resident: bool = True
    standard_id: int | None = None
    premium: Premium | None = None


class _Checker:
    """Every check of one roll, with the lookups cached for the roll."""

    def __init__(self, *, year: int, scope: Region, on: date, user, address: str | None):
        self.year, self.scope, self.scope_prefix, self.on = year, scope, scope.prefix, on
        self.user, self.address = user, address
        self.standards: dict[str, tuple[ContributionStandard, ContributionSnapshot] | str] = {}
        self.premiums: dict[tuple, Premium | str] = {}
        self.village_codes: dict[str, tuple[str | None, str | None]] = {}

    def check(self, rows: Sequence[RollRow]) -> tuple[list[_Person], list[RowError]]:
        errors: list[RowError] = []
        people = self._own_fields(rows, errors)
        codes = {person.village_code for person in people}
        villages = {region.code: region for region in rows_matching(Region.objects.all(), "code", codes)}
        village_problems = {code: self._village_problem(villages.get(code), code) for code in codes}
        standards = {
            code: self._standard(villages[code]) for code, problem in village_problems.items() if problem is None
        }
        known = {digest: _Known(*values) for digest, *values in rows_matching(
            Resident.objects.values_list("id_digest", "pk", "name", "region_id", "date_of_death",
                                         "assistance_category", "moved_out_on"),
            "id_digest", [person.digest for person in people],
        )}
        enrolled = {resident_id: rest for resident_id, *rest in rows_matching(
            Enrollment.objects.active().for_year(self.year)
            .values_list("resident_id", "registered_at", "region__name"),
            "resident", [resident.pk for resident in known.values()],
        )}
        homes = Region.objects.in_bulk({resident.region_id for resident in known.values()})
        # Newborns registered with their birth certificate have no ID number yet (enrollment/
        # life_events/newborns.py): a new row of the same name and birth date in the same village
        # is that child, who would otherwise be registered twice. Few rows: the partial index of
        # birth certificates serves the query.
        unnumbered = set(
            Resident.objects.exclude(birth_certificate_digest="")
            .filter(id_number_encrypted="", region__in=list(villages.values()))
            .values_list("region__code", "name", "birth_date")
        )
        elsewhere = elsewhere_answers(clerk=self.user, address=self.address, where="参保名单预检", found=[
            (digest, homes[resident.region_id]) for digest, resident in known.items()
            if not homes[resident.region_id].code.startswith(self.scope_prefix)
        ])
        accepted = []
        for person in people:
            person.village = villages.get(person.village_code)
            resident = known.get(person.digest)
            problem = elsewhere.get(person.digest) or village_problems[person.village_code]
            if problem is None and resident is not None:
                problem = self._resident_problem(
                    person, resident, enrolled.get(resident.pk), homes[resident.region_id]
                )
                person.resident_id, person.new_resident = resident.pk, False
            if problem is None and resident is None and (person.village_code, person.name, person.birth_date) in unnumbered:
                problem = (f"{person.name}（{person.birth_date.isoformat()} 出生）已凭出生医学证明登记、尚未添加身份证号，"
                           "请先在其居民信息页添加身份证号，再导入")
            if problem is None:
                problem = self._premium(person, resident, standards[person.village_code])
            if problem is None:
                accepted.append(person)
            else:
                errors.append(RowError(person.row, problem))
        errors.sort(key=lambda error: error.row)
        return accepted, errors

    def _own_fields(self, rows: Sequence[RollRow], errors: list[RowError]) -> list[_Person]:
        """The checks of each row on its own, and of duplicates inside the roll."""
        people, first_row = [], {}
        for row in rows:
            problems = []
            number = birth_date = gender = None
            if row.id_number_was_numeric or "E+" in row.id_number.upper():
                problems.append(EXCEL_NUMBER)
            elif (quick := quick_parse(row.id_number, self.on)) is not None:
                number, (birth_date, gender) = row.id_number, quick
            else:
                try:
                    parsed = parse_id_number(row.id_number, today=self.on)
                    number, birth_date, gender = parsed.number, parsed.birth_date, parsed.gender.value
                except IdNumberError as error:
                    problems.append(error.message)
            if number is not None:
                if number in first_row:
                    problems.append(f"身份证号与第 {first_row[number]} 行重复，同一人只能出现一次")
                else:
                    first_row[number] = row.row
            if not row.name:
                problems.append("请填写姓名")
            elif len(row.name) > NAME_LENGTH:
                problems.append(f"姓名“{row.name}”过长，最多 {NAME_LENGTH} 个字")
            if row.phone and not PHONE.fullmatch(row.phone):
                problems.append(f"联系电话“{row.phone}”有误：手机号为 1 开头的 11 位数字，固定电话带区号（如 0533-3100221）")
            code, code_problem = self._village_code(row.village_code)
            if code_problem:
                problems.append(code_problem)
            category = CATEGORIES.get(row.category)
            if category is None:
                problems.append(
                    f"参保类别“{row.category}”无法识别，应填 成年居民 或 学生儿童" if row.category
                    else "请填写参保类别（成年居民 或 学生儿童）"
                )
            elif birth_date is not None and category is Category.ADULT and _age(birth_date, self.on) < 18:
                # DESIGN.md section 3: adult is 18 and over; a child on the adult rate pays 100 yuan too much.
                problems.append(f"{birth_date.isoformat()} 出生，登记时未满 18 周岁，参保类别应为学生儿童")
            if problems:
                errors.extend(RowError(row.row, problem) for problem in problems)
                continue
            people.append(_Person(
                row=row.row, name=row.name, phone=row.phone, number=number, id_masked=mask_id_number(number),
                digest=id_digest(number), gender=gender, birth_date=birth_date, village_code=code, category=category,
            ))
        return people

    def _village_code(self, text: str) -> tuple[str | None, str | None]:
        """The normalised code or the problem with it; memoized, as a roll names few villages.
        A village may be given by its name where no other village of the clerk's scope has it."""
        if text not in self.village_codes:
            if text and not text.isascii():
                self.village_codes[text] = self._village_by_name(text)
            else:
                try:
                    self.village_codes[text] = (normalize_code(text), None)
                except RegionCodeError as error:
                    self.village_codes[text] = (None, f"村社区代码有误：{error}")
        return self.village_codes[text]

    def _village_by_name(self, name: str) -> tuple[str | None, str | None]:
        codes = list(Region.objects.within(self.scope).filter(level=Level.VILLAGE, name=name)
                     .order_by("code").values_list("code", flat=True))
        if len(codes) == 1:
            return codes[0], None
        if codes:
            return None, (f"您的管辖范围内有 {len(codes)} 个“{name}”（{'、'.join(codes)}），"
                          "请改填 12 位村社区代码")
        return None, f"您的管辖范围（{self.scope.name}）内没有名为“{name}”的村(社区)；请核对名称，或填写 12 位村社区代码（见名单模板的第二页）"

    def _village_problem(self, village: Region | None, code: str) -> str | None:
        if village is None:
            return f"村社区代码 {code} 不存在，请核对"
        if village.level != Level.VILLAGE:
            return f"{village.name}（{code}）不是村(社区)，村社区代码须到村(社区)一级"
        if not code.startswith(self.scope_prefix):
            return f"{village.name}（{code}）不在您的管辖范围（{self.scope.name}）内"
        return None

    def _resident_problem(self, person: _Person, resident: _Known, enrollment, home: Region) -> str | None:
        if resident.name != person.name:
            # Masked all the same: the clerk may read the report on a screen others see.
            return f"此身份证号已登记，姓名为“{mask_name(resident.name)}”，与名单中的“{person.name}”不一致，请核对"
        if resident.date_of_death:
            return f"{person.name} 已于 {resident.date_of_death.isoformat()} 死亡，不能参保"
        if resident.moved_out_on and self.year > resident.moved_out_on.year:
            # The wording of enrollment.services.premium_quote, for the same refusal at the counter.
            return (f"{person.name} 已于 {resident.moved_out_on.isoformat()} 迁出本统筹区，不能在这里登记 {self.year} "
                    "年度参保；如已迁回，请先在“迁移（转移接续）”中办理迁入。")
        if enrollment is not None:
            registered_at, region_name = enrollment
            # The wording of enrollment.services, for the same refusal at the counter.
            return (f"{person.name} 已于 {timezone.localtime(registered_at):%Y-%m-%d %H:%M} 在{region_name}登记 "
                    f"{self.year} 年度参保，同一人同一年度只能参保一次。")
        if home != person.village:
            return (f"{person.name} 登记的居住地是{home.name}（{home.code}），与名单中的村社区代码不一致；"
                    "如已搬迁，请先在工作站修改居住地")
        return None

    def _standard(self, village: Region) -> tuple[ContributionStandard, ContributionSnapshot] | str:
        """The standard in force in the village's pooling region and its snapshot, or why there is none."""
        pooling = pooling_region_code(village.code)
        if pooling not in self.standards:
            try:
                standard = standard_in_force(year=self.year, region=village, on=self.on)
                self.standards[pooling] = (standard, standard.snapshot())
            except ValidationError as error:
                self.standards[pooling] = error.messages[0]
        return self.standards[pooling]

    def _premium(self, person: _Person, resident: _Known | None, standard) -> str | None:
        """Set the person's standard and premium, or say why there is none."""
        if isinstance(standard, str):
            return standard
        standard, snapshot = standard
        assistance = (
            AssistanceCategory(resident.assistance_category) if resident and resident.assistance_category else None
        )
        # The exact inputs of premium_for (``on`` is the same for the whole roll), so this is
        # right for newborns and late registrations too.
        key = (standard.pk, person.category, assistance, person.birth_date)
        premium = self.premiums.get(key)
        if premium is None:
            try:
                premium = premium_for(snapshot, category=person.category, assistance=assistance,
                                      birth_date=person.birth_date, on=self.on)
            except PremiumRefused as refused:
                premium = refused.message
            self.premiums[key] = premium
        if isinstance(premium, str):
            return premium
        person.standard_id, person.premium = standard.pk, premium
        return None


# GB 11643-1999 (ISO 7064 MOD 11-2): the weight of each of the first 17 digits, and the check
# character for each remainder of the weighted sum by 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# The weighted sum is taken over the ASCII bytes (3x faster than int() per digit); every digit
# then carries an extra 48 ("0") times its weight, taken off in one go.
_ASCII_ZERO_SUM = ord("0") * sum(_WEIGHTS)
_WELL_FORMED = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only, unlike \d


def quick_parse(number: str, on: date) -> tuple[date, str] | None:
    """Birth date and gender of a number that is already in its normal form and valid, else None,
    and then ``parse_id_number`` decides and says what is wrong. Most rows of a roll take this
    path, at a quarter of the full parse's cost (benchmarks/README.md); a property test holds the
    two to the same answers."""
    if len(number) != 18 or _WELL_FORMED.fullmatch(number) is None:
        return None
    if _CHECK_CHARACTERS[(sum(map(mul, number.encode(), _WEIGHTS)) - _ASCII_ZERO_SUM) % 11] != number[17]:
        return None
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if not EARLIEST_BIRTH_DATE <= birth_date <= on:
        return None
    return birth_date, (Gender.MALE.value if int(number[16]) % 2 else Gender.FEMALE.value)


def _age(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# -- Writing ---------------------------------------------------------------------------------

# A write refused by the constraints although every row passed its check a moment before.
CHANGED_MEANWHILE = "写入时发现名单中有人刚被其他经办人登记或参保，全部未导入；请重新预检后再导入。"

RESIDENT_COLUMNS = (
    "id", "id_digest", "id_masked", "name", "gender", "birth_date", "phone", "household_id", "region_id",
    "residence_permit", "date_of_death", "assistance_category", "created_at", "created_by_id",
    "payout_account_masked", "birth_certificate_digest", "birth_certificate_masked", "born_at_id", "moved_out_on",
    # Last: the history table has every column but the encrypted ones.
    "id_number_encrypted", "payout_account_encrypted", "birth_certificate_encrypted",
)
HISTORY_COLUMNS = (*RESIDENT_COLUMNS[:-3], "history_date", "history_change_reason", "history_type", "history_user_id")
ENROLLMENT_COLUMNS = (
    "resident_id", "year", "region_id", "standard_id", "category", "assistance_category", "standard_amount",
    "subsidy", "payable", "late", "newborn", "transfer", "coverage_start", "coverage_end", "registered_on",
    "registered_at", "registered_by_id", "paid_at", "status", "roll_import_id", "previous_insurer",
)


def enrollees_import(
    *, rows: Sequence[RollRow], year: int, user, on: date, dry_run: bool, address: str | None = None,
    roll_import: RollImport | None = None,
) -> ImportReport:
    """Check every row of a roll and, unless ``dry_run`` or any row is refused, register the new
    residents and enroll everyone for ``year`` in one transaction. Raises ``ValidationError`` for
    a user without a scope; everything about the rows is in the report. Rows of people registered
    outside the user's scope are answered and logged by ``enrollment.elsewhere``, from ``address``."""
    scope = staff_scope(user)
    if scope is None:
        raise ValidationError("您没有管辖区域，不能导入参保名单。", code="no_scope")
    checker = _Checker(year=year, scope=scope, on=on, user=user, address=address)
    people, errors = checker.check(rows)
    if errors or dry_run or not people:
        return _report(rows, people, errors, committed=False)
    try:
        with transaction.atomic():
            _write(people, year=year, user=user, on=on, roll_import=roll_import)
    except IntegrityError:
        # Someone registered or enrolled one of these people after the check; the constraints
        # refused the whole roll. Checking again names the rows for the clerk.
        _, errors = checker.check(rows)
        return _report(rows, [], errors or [RowError(None, CHANGED_MEANWHILE)], committed=False)
    return _report(rows, people, [], committed=True)


def _report(rows, people: list[_Person], errors: list[RowError], *, committed: bool) -> ImportReport:
    new = sum(person.new_resident for person in people)
    return ImportReport(
        rows=len(rows), new_residents=new, existing_residents=len(people) - new, enrollments=len(people),
        payable_total=sum((person.premium.payable for person in people), ZERO), errors=errors,
        entries=[
            ImportEntry(person.row, person.name, person.id_masked, person.village, person.premium,
                        person.new_resident)
            for person in people
        ],
        committed=committed,
    )


def _write(people: list[_Person], *, year: int, user, on: date, roll_import: RollImport | None) -> None:
    values = _Rows(year=year, user=user, on=on, now=timezone.now(), roll_import=roll_import)
    new = [person for person in people if person.new_resident]
    history = Resident.history.model
    if connection.vendor == "postgresql":
        for person, pk in zip(new, next_ids(Resident, len(new)), strict=True):
            person.resident_id = pk
        # Generators: rows are made (and numbers encrypted) while the server takes the previous ones.
        copy_rows(Resident, RESIDENT_COLUMNS, map(values.resident, new))
        copy_rows(history, HISTORY_COLUMNS, map(values.history, new))
        copy_rows(Enrollment, ENROLLMENT_COLUMNS, map(values.enrollment, people))
        return
    created = Resident.objects.bulk_create(
        [Resident(**dict(zip(RESIDENT_COLUMNS[1:], values.resident(person)[1:]))) for person in new], batch_size=500
    )
    for person, resident in zip(new, created, strict=True):
        person.resident_id = resident.pk
    history.objects.bulk_create([history(**dict(zip(HISTORY_COLUMNS, values.history(person)))) for person in new],
                                batch_size=500)
    Enrollment.objects.bulk_create(
        [Enrollment(**dict(zip(ENROLLMENT_COLUMNS, values.enrollment(person)))) for person in people], batch_size=500
    )


class _Rows:
    """The values written for a person, in the order of the *_COLUMNS above."""

    def __init__(self, *, year: int, user, on: date, now, roll_import: RollImport | None):
        self.year, self.user_id, self.on, self.now = year, user.pk, on, now
        self.roll_import_id = roll_import.pk if roll_import else None

    def _resident_fields(self, person: _Person) -> tuple:
        return (
            person.resident_id, person.digest, person.id_masked, person.name, person.gender, person.birth_date,
            person.phone, None, person.village.id, False, None, "", self.now, self.user_id, "", "", "", None, None,
        )

    def resident(self, person: _Person) -> tuple:
        return (*self._resident_fields(person), id_encrypt(person.number), "", "")

    def history(self, person: _Person) -> tuple:
        # What django-simple-history writes on create (the number is never in the history table),
        # so that the first later correction can be compared with it.
        return (*self._resident_fields(person), self.now, HISTORY_REASON, "+", self.user_id)

    def enrollment(self, person: _Person) -> tuple:
        premium = person.premium
        return (
            person.resident_id, self.year, person.village.id, person.standard_id, premium.category.value,
            premium.assistance.value if premium.assistance else "", premium.standard, premium.subsidy,
            premium.payable, premium.late, premium.newborn, premium.transfer, premium.coverage_start,
            premium.coverage_end, self.on, self.now, self.user_id,
            # Nothing to collect from the person (full subsidy): their part is settled now.
            self.now if premium.payable == 0 else None, Enrollment.Status.ACTIVE.value, self.roll_import_id, "",
        )
