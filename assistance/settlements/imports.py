"""Settlement records (就医结算) from the settlement system, monthly: read a CSV or XLSX file,
check every row, then write all of it or nothing (DESIGN.md sections 8 and 10).

The officers' admin page and ``import_settlements`` share this module. A province's month runs
to a million rows, so rows are checked in plain Python, people are found set-based, and rows go
in with one multi-row INSERT per batch that skips settlements already imported (the
fingerprint's unique constraint): a re-imported file adds nothing and says so.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assistance.models import Settlement
from benefits.models import BenefitPolicy
from enrollment.imports.checks import RowError
from enrollment.models import Resident
from portal.accounts.scopes import staff_scope
from portal.network.codes import Level, pooling_region_code
from portal.privacy.id_numbers import IdNumberError, parse_id_number
from portal.privacy.id_vault import id_digest
from portal.spreadsheets.lookups import rows_matching
from portal.spreadsheets.reading import TableError, cell_text, table_records, table_rows

COLUMNS = ("身份证号", "结算日期", "医疗机构", "就诊类别", "医疗总费用", "政策范围内费用",
           "基本医保支付", "大病保险支付", "医疗救助支付", "个人负担")
# Read when the file has it: a manual claim (零星报销) of an invoice settled here is refused.
INVOICE_COLUMN = "发票号码"
KINDS = {
    "住院": "inpatient", "inpatient": "inpatient",
    "门诊慢特病": "chronic", "门诊慢特病种": "chronic", "慢特病": "chronic", "chronic": "chronic",
    "普通门诊": "outpatient", "门诊": "outpatient", "outpatient": "outpatient",
    "两病门诊用药": "two_diseases", "两病": "two_diseases", "two_diseases": "two_diseases",
    "生育": "maternity", "maternity": "maternity",
}
INSTITUTION_LENGTH = Settlement._meta.get_field("institution").max_length
INVOICE_LENGTH = Settlement._meta.get_field("invoice_number").max_length
LARGEST = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds
BATCH = 5000
CENT = Decimal("0.01")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d")


class SettlementRow(NamedTuple):
    row: int  # as a spreadsheet counts: the header is row 1
    cells: tuple  # the ten columns, in COLUMNS order, as read; then 发票号码 when the file has it


@dataclass(slots=True)
class _Checked:
    row: int
    digest: str
    id_masked: str
    settled_on: date
    institution: str
    kind: str
    amounts: tuple[Decimal, ...]  # total, policy range, basic, catastrophic, assistance, personal
    fingerprint: str
    invoice_number: str = ""


@dataclass
class SettlementReport:
    """Counts of the rows that passed; ``committed`` says whether anything was written."""

    rows: int
    created: int = 0
    already_imported: int = 0  # in the database before, or twice in this file
    invoices_added: int = 0  # settlements imported before without their invoice number, given it now
    matched_residents: int = 0  # settlements of people registered here
    unregistered: int = 0  # settlements of people not registered here (kept, by digest)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    years: set[int] = field(default_factory=set)
    resident_ids: set[int] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows, "created": self.created, "already_imported": self.already_imported,
            "invoices_added": self.invoices_added,
            "matched_residents": self.matched_residents, "unregistered": self.unregistered,
            "committed": self.committed,
            "errors": [{"row": error.row, "message": error.message} for error in self.errors],
        }


# -- Reading ---------------------------------------------------------------------------------

def read_settlements(source, filename: str | None = None) -> list[SettlementRow]:
    """The rows of a CSV or XLSX settlement file; raises TableError saying what to fix."""
    rows = [SettlementRow(number, tuple(cells))
            for number, cells in table_rows(table_records(source, filename), COLUMNS, optional=(INVOICE_COLUMN,))]
    if not rows:
        raise TableError("文件中只有表头，没有结算记录")
    return rows


# -- Checking --------------------------------------------------------------------------------

def _date(cell, today: date) -> date:
    if isinstance(cell, datetime):
        value = cell.date()
    elif isinstance(cell, date):
        value = cell
    else:
        value = _date_from_text(cell_text(cell))
    if value > today:
        raise ValueError(f"结算日期 {value.isoformat()} 晚于今天，请核对")
    return value


def _date_from_text(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"结算日期“{text}”无法识别，请写成 2022-03-05 这样的格式")


def _money(name: str, cell) -> Decimal:
    text = cell_text(cell).replace(",", "")
    if not text:
        raise ValueError(f"请填写{name}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name}“{text}”不是金额") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name}“{text}”应为不小于 0 的金额")
    if amount > LARGEST:  # checked first: quantize refuses numbers this large
        raise ValueError(f"{name}“{text}”过大，请核对")
    cents = amount.quantize(CENT)
    if amount != cents:
        raise ValueError(f"{name}“{text}”应为元，最多两位小数")
    return cents


class _Seen:
    """What a file repeats, checked once: a person has several visits a month, and a month
    has thirty-one dates. Values are the result, or the problem as a string."""

    def __init__(self, today: date):
        self.today = today
        self.people: dict[str, tuple[str, str] | str] = {}
        self.dates: dict[object, date | str] = {}

    def person(self, cell) -> tuple[str, str] | str:
        if isinstance(cell, int | float):
            return "身份证号被 Excel 存成了数字，后几位已丢失；请把这一列设为“文本”格式后重新导出"
        text = cell_text(cell)
        found = self.people.get(text)
        if found is None:
            try:
                parsed = parse_id_number(text, today=self.today)
                found = (id_digest(parsed.number), parsed.masked)
            except IdNumberError as error:
                found = error.message
            self.people[text] = found
        return found

    def date(self, cell) -> date | str:
        found = self.dates.get(cell)
        if found is None:
            try:
                found = _date(cell, self.today)
            except ValueError as error:
                found = str(error)
            self.dates[cell] = found
        return found


def check_row(row: SettlementRow, *, today: date, seen: _Seen | None = None) -> _Checked | list[str]:
    """A row's own checks: the checked row, or every problem with it."""
    seen = seen or _Seen(today)
    number_cell, date_cell, institution_cell, kind_cell, *money_cells = row.cells[:len(COLUMNS)]
    problems = []
    person, settled_on = seen.person(number_cell), seen.date(date_cell)
    for result in (person, settled_on):
        if isinstance(result, str):
            problems.append(result)
    institution = cell_text(institution_cell)
    if not institution:
        problems.append("请填写医疗机构")
    elif len(institution) > INSTITUTION_LENGTH:
        problems.append(f"医疗机构名称过长，最多 {INSTITUTION_LENGTH} 个字")
    kind_text = cell_text(kind_cell)
    kind = KINDS.get(kind_text)
    if kind is None:
        problems.append(f"就诊类别“{kind_text}”无法识别，应填 住院、门诊慢特病、普通门诊、两病门诊用药 或 生育")
    amounts = []
    for name, cell in zip(COLUMNS[4:], money_cells, strict=True):
        try:
            amounts.append(_money(name, cell))
        except ValueError as error:
            problems.append(str(error))
    if len(amounts) == 6:
        total, policy_range, basic, catastrophic, assistance, personal = amounts
        paid = basic + catastrophic + assistance
        if policy_range > total:
            problems.append(f"政策范围内费用 {policy_range} 元超过医疗总费用 {total} 元")
        elif paid > policy_range:
            problems.append(f"三项支付合计 {paid} 元超过政策范围内费用 {policy_range} 元")
        elif personal != total - paid:
            problems.append(f"个人负担应为 医疗总费用 − 三项支付 = {total - paid} 元，文件中为 {personal} 元")
    invoice_number = _invoice(row.cells[len(COLUMNS)] if len(row.cells) > len(COLUMNS) else None, problems)
    if problems:
        return problems
    digest, masked = person
    fingerprint = hashlib.sha256(
        "|".join([digest, settled_on.isoformat(), institution, kind, *map(str, amounts)]).encode()
    ).hexdigest()
    return _Checked(row.row, digest, masked, settled_on, institution, kind, tuple(amounts), fingerprint,
                    invoice_number)


def _invoice(cell, problems: list[str]) -> str:
    """The invoice number without spaces, in capitals (as manual claims compare them); "" when
    the file has no such column or the cell is empty. Not part of the fingerprint: a file that
    gained the column still matches the settlements imported from it before."""
    if isinstance(cell, float) and abs(cell) >= 1e15:
        problems.append("发票号码被 Excel 存成了数字，后几位已丢失；请把这一列设为“文本”格式后重新导出")
        return ""
    number = "".join(cell_text(cell).split()).upper()
    if len(number) > INVOICE_LENGTH:
        problems.append(f"发票号码“{number}”过长，最多 {INVOICE_LENGTH} 位")
    return number


def _years_without_a_policy(entries, *, user) -> list[RowError]:
    """A row for each settlement of a year with no published benefit policy of the importer's
    pooling region (of any, for an account without a scope): its re-assistance and alert follow
    the rules of the settlement's year, never today's, and that year has none."""
    years = {entry.settled_on.year for entry in entries}
    policies = BenefitPolicy.objects.published().filter(year__in=years)
    scope = staff_scope(user) if user is not None else None
    if scope is not None and scope.level >= Level.CITY:
        policies = policies.filter(region__code=pooling_region_code(scope.code))
    with_policy = set(policies.values_list("year", flat=True))
    return [
        RowError(entry.row, (
            f"结算日期在 {entry.settled_on.year} 年度，该年度还没有发布待遇政策，这一年度的预警和再救助无规则可依；"
            f"请先发布 {entry.settled_on.year} 年度的待遇政策再导入。"
        ))
        for entry in entries if entry.settled_on.year not in with_policy
    ]


def settlements_import(*, rows: Sequence[SettlementRow], user, today: date, dry_run: bool) -> SettlementReport:
    """Check every row; unless ``dry_run`` or a row is refused, write the new settlements in one
    transaction. Settlements already imported (same person, date, institution, kind and
    amounts) are counted, not written again."""
    report = SettlementReport(rows=len(rows))
    checked: dict[str, _Checked] = {}
    seen = _Seen(today)
    for row in rows:
        result = check_row(row, today=today, seen=seen)
        if isinstance(result, list):
            report.errors.extend(RowError(row.row, problem) for problem in result)
        elif result.fingerprint in checked:
            report.already_imported += 1
        else:
            checked[result.fingerprint] = result
    report.errors.extend(_years_without_a_policy(checked.values(), user=user))
    if report.errors:
        return report
    existing = set(rows_matching(Settlement.objects.values_list("fingerprint", flat=True), "fingerprint", checked))
    report.already_imported += len(existing)
    new = [entry for fingerprint, entry in checked.items() if fingerprint not in existing]
    residents = dict(rows_matching(
        Resident.objects.values_list("id_digest", "pk"), "id_digest", {entry.digest for entry in new}
    ))
    report.created = len(new)
    report.matched_residents = sum(entry.digest in residents for entry in new)
    report.unregistered = report.created - report.matched_residents
    report.years = {entry.settled_on.year for entry in new}
    report.resident_ids = {residents[entry.digest] for entry in new if entry.digest in residents}
    invoices = _invoices_missing({fingerprint: checked[fingerprint].invoice_number for fingerprint in existing})
    report.invoices_added = len(invoices)
    if dry_run or not (new or invoices):
        return report
    values = _values(new, residents, user_id=user.pk if user else None, now=timezone.now())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_skipping_known(values)
        else:
            for start in range(0, len(values), BATCH):
                Settlement.objects.bulk_create(
                    [Settlement(**dict(zip(WRITTEN, row))) for row in values[start:start + BATCH]],
                    ignore_conflicts=True,  # a concurrent import of the same file: the first one wins
                )
        for fingerprint, invoice_number in invoices.items():
            # Blank still: a concurrent import that filled it first keeps its own.
            Settlement.objects.filter(fingerprint=fingerprint, invoice_number="").update(invoice_number=invoice_number)
    report.committed = True
    return report


def _invoices_missing(numbers: dict[str, str]) -> dict[str, str]:
    """Of settlements already imported (by fingerprint, with the file's invoice number), those
    stored without an invoice number that the file has: imported before the file had the column,
    they are given it, so that a manual claim of the invoice is refused."""
    numbers = {fingerprint: number for fingerprint, number in numbers.items() if number}
    blank = Settlement.objects.filter(invoice_number="").values_list("fingerprint", flat=True)
    return {fingerprint: numbers[fingerprint] for fingerprint in rows_matching(blank, "fingerprint", numbers)}


WRITTEN = ("person_digest", "id_masked", "resident_id", "year", "settled_on", "institution", "kind", "total",
           "policy_range", "basic", "catastrophic", "assistance", "personal", "fingerprint", "imported_at",
           "imported_by_id", "invoice_number")


def _values(entries: list[_Checked], residents: dict[str, int], *, user_id: int | None, now) -> list[tuple]:
    return [
        (entry.digest, entry.id_masked, residents.get(entry.digest), entry.settled_on.year, entry.settled_on,
         entry.institution, entry.kind, *entry.amounts, entry.fingerprint, now, user_id, entry.invoice_number)
        for entry in entries
    ]


def _copy_skipping_known(values: list[tuple]) -> None:
    """COPY the rows in: they were checked against the stored fingerprints a moment ago. Should
    another import of the same file have committed since (the unique fingerprint refuses the
    COPY), copy into a scratch table instead and insert only what is still new: the first one
    wins, and nothing is counted twice."""
    quote = connection.ops.quote_name
    table = quote(Settlement._meta.db_table)
    columns = ", ".join(quote(Settlement._meta.get_field(name).column) for name in WRITTEN)
    try:
        with transaction.atomic():
            _copy(table, columns, values)
    except IntegrityError:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE settlement_incoming ON COMMIT DROP AS "
                           f"SELECT {columns} FROM {table} WITH NO DATA")
        _copy("settlement_incoming", columns, values)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM settlement_incoming "
                           f"ON CONFLICT (fingerprint) DO NOTHING")


def _copy(table: str, columns: str, values: list[tuple]) -> None:
    # wrap_database_errors: a unique violation surfaces as Django's IntegrityError.
    with connection.wrap_database_errors, connection.cursor() as cursor, \
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
