"""Payments through the tax office (税务代收): reading the tax office's payment file and checking
each row on its own (医保发〔2022〕20号 and 淄博's notice: medical insurance and tax offices share
payment data). Matching the rows to enrollments and writing them is tax_import.py.

A malformed row refuses the whole file, naming every row and what to fix, and nothing is written
(DESIGN.md section 10). A province's file runs to a million rows, so the checks are plain Python
with the values a file repeats (years, amounts, tax offices) checked once each.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from enrollment.imports.checks import EXCEL_NUMBER, RowError, quick_parse
from enrollment.models import TaxPaymentImport, TaxVoucher
from portal.privacy.id_numbers import IdNumberError, mask_id_number, mask_id_numbers_in, parse_id_number
from portal.privacy.id_vault import id_digest
from portal.shared.money import CENT, ZERO
from portal.spreadsheets.reading import TableError, cell_text, table_records, table_rows

COLUMNS = ("缴费凭证号", "身份证号", "姓名", "缴费年度", "金额", "缴费时间", "征收机关")
Problem = TaxVoucher.Problem
# The tax office writes Beijing time whatever the server's zone; China keeps no summer time, so a
# naive time is made aware by naming the zone.
BEIJING = ZoneInfo("Asia/Shanghai")
VOUCHER_LENGTH = TaxVoucher._meta.get_field("voucher_number").max_length
NAME_LENGTH = TaxVoucher._meta.get_field("name").max_length
OFFICE_LENGTH = TaxVoucher._meta.get_field("tax_office").max_length
LARGEST = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds
TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S", "%Y%m%d", "%Y/%m/%d")


def shown(text: str) -> str:
    """A cell echoed in an error, with anything that looks like a full ID number masked: an ID
    number in the wrong column must not be printed whole on the page or in the command's output."""
    return mask_id_numbers_in(text)


def year_closed(year: int, paid_at: datetime) -> bool:
    """Whether money paid at ``paid_at`` came after the coverage year ended (31 December of
    ``year``, DESIGN.md section 5): it can no longer buy that year's coverage, only a refund. A
    payment made inside the year counts, however late the tax office's file arrives."""
    return paid_at.astimezone(BEIJING).date() > date(year, 12, 31)


@dataclass(slots=True)
class TaxRow:
    """A row whose own fields are valid."""

    row: int  # as a spreadsheet counts: the header is row 1
    voucher: str
    digest: str
    id_masked: str
    name: str
    year: int
    amount: Decimal
    paid_at: datetime
    tax_office: str


@dataclass
class TaxImportReport:
    """Counts of the rows that passed; ``committed`` says whether anything was written."""

    filename: str
    rows: int = 0
    recorded: int = 0
    already_imported: int = 0  # voucher numbers stored by an earlier import
    problems: Counter = field(default_factory=Counter)  # unmatched rows by TaxVoucher.Problem value
    amount_recorded: Decimal = ZERO
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    batch: TaxPaymentImport | None = None

    @property
    def unmatched(self) -> int:
        return sum(self.problems.values())

    def problem_counts(self) -> list[tuple[str, str, int]]:
        """(code, label, count) of each reason rows went to the reconciliation list."""
        return [(value, label, self.problems[value]) for value, label in Problem.choices if self.problems[value]]

    def as_dict(self) -> dict:
        return {
            "filename": self.filename, "rows": self.rows, "recorded": self.recorded,
            "already_imported": self.already_imported, "unmatched": self.unmatched,
            "problems": {value: count for value, _, count in self.problem_counts()},
            "amount_recorded": f"{self.amount_recorded:.2f}", "committed": self.committed,
            "errors": [{"row": error.row, "message": error.message} for error in self.errors],
        }


# -- Reading and checking --------------------------------------------------------------------

def read_tax_payments(source, filename: str | None = None) -> Iterator[tuple[int, list]]:
    """(row number, the cells of COLUMNS) of a CSV or XLSX file, read lazily; TableError (when
    the rows are taken) says what to fix about the file itself."""
    return table_rows(table_records(source, filename), COLUMNS)


class _Checker:
    """The checks of each row on its own, and of voucher numbers repeated in the file. Years,
    amounts and tax offices repeat through a file and are checked once each. Each check gives
    (value, None) or (None, what to fix)."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.today = now.astimezone(BEIJING).date()
        self.first_row: dict[str, int] = {}
        self.seen: dict[object, dict[str, tuple]] = {_year: {}, _amount: {}, _office: {}}

    def check(self, number: int, cells: list) -> TaxRow | list[str]:
        """The checked row, or every problem with it. Nearly every row of a real file is
        well-formed and takes one straight pass; a row that does not is checked again, check by
        check, to say everything that is wrong with it."""
        return self._well_formed(number, cells) or self._problems(number, cells)

    def _well_formed(self, number: int, cells: list) -> TaxRow | None:
        voucher_cell, id_cell, name_cell, year_cell, amount_cell, time_cell, office_cell = cells
        voucher, id_text, name = cell_text(voucher_cell), cell_text(id_cell), cell_text(name_cell)
        if not voucher or len(voucher) > VOUCHER_LENGTH or voucher in self.first_row or not name or \
                len(name) > NAME_LENGTH or id_cell.__class__ is not str:
            return None
        year, amount, office = (self._memo(_year, year_cell)[0], self._memo(_amount, amount_cell)[0],
                                self._memo(_office, office_cell)[0])
        # The roll import's fast path for a number already in its normal form; any other goes the
        # slow way, where parse_id_number says what is wrong (a property test holds the two to the
        # same answers: tests/enrollment/imports).
        if year is None or amount is None or office is None or quick_parse(id_text, self.today) is None:
            return None
        if time_cell.__class__ is str:
            try:
                paid_at = datetime.fromisoformat(time_cell.strip())
            except ValueError:
                return None
        elif isinstance(time_cell, datetime):
            paid_at = time_cell
        else:
            return None
        paid_at = paid_at.replace(tzinfo=BEIJING) if paid_at.tzinfo is None else paid_at.astimezone(BEIJING)
        if paid_at > self.now:
            return None
        self.first_row[voucher] = number
        return TaxRow(number, voucher, id_digest(id_text), mask_id_number(id_text), name, year, amount, paid_at,
                      office)

    def _problems(self, number: int, cells: list) -> TaxRow | list[str]:
        voucher_cell, id_cell, name_cell, year_cell, amount_cell, time_cell, office_cell = cells
        results = (
            self._voucher(number, cell_text(voucher_cell)), self._person(id_cell), _name(cell_text(name_cell)),
            self._memo(_year, year_cell), self._memo(_amount, amount_cell), self._paid_at(time_cell),
            self._memo(_office, office_cell),
        )
        problems = [problem for _, problem in results if problem is not None]
        if problems:
            return problems
        voucher, (digest, masked), name, year, amount, paid_at, office = (value for value, _ in results)
        return TaxRow(number, voucher, digest, masked, name, year, amount, paid_at, office)

    def _memo(self, check, cell) -> tuple:
        text = cell_text(cell)
        seen = self.seen[check]
        found = seen.get(text)
        if found is None:
            found = seen[text] = _outcome(check, text)
        return found

    def _voucher(self, number: int, voucher: str) -> tuple:
        if not voucher:
            return None, "请填写缴费凭证号"
        if len(voucher) > VOUCHER_LENGTH:
            return None, f"缴费凭证号“{shown(voucher[:VOUCHER_LENGTH])}…”过长，最多 {VOUCHER_LENGTH} 个字符"
        first = self.first_row.setdefault(voucher, number)
        if first != number:
            return None, f"缴费凭证号 {shown(voucher)} 与第 {first} 行重复，同一张凭证只能出现一次；请删去重复的行"
        return voucher, None

    def _person(self, cell) -> tuple:
        text = cell_text(cell)
        # A number Excel stored as a number, or showed in scientific notation and saved as CSV.
        if isinstance(cell, int | float) or "E+" in text.upper():
            return None, EXCEL_NUMBER
        try:
            parsed = parse_id_number(text, today=self.today)
        except IdNumberError as error:
            return None, error.message
        return (id_digest(parsed.number), parsed.masked), None

    def _paid_at(self, cell) -> tuple:
        if isinstance(cell, datetime):
            value = cell
        elif isinstance(cell, date):  # an XLSX date without a time: the start of that day
            value = datetime(cell.year, cell.month, cell.day)
        else:
            value, problem = _outcome(_time, cell_text(cell))
            if problem is not None:
                return None, problem
        value = value.replace(tzinfo=BEIJING) if value.tzinfo is None else value.astimezone(BEIJING)
        if value > self.now:
            return None, f"缴费时间 {value:%Y-%m-%d %H:%M:%S} 晚于现在，请核对"
        return value, None


def _outcome(check, text: str) -> tuple:
    try:
        return check(text), None
    except ValueError as error:
        return None, str(error)


def _name(text: str) -> tuple:
    if not text:
        return None, "请填写姓名"
    if len(text) > NAME_LENGTH:
        return None, f"姓名过长，最多 {NAME_LENGTH} 个字"
    return text, None


def _year(text: str) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100):
        raise ValueError(f"缴费年度“{shown(text)}”应为四位年份，如 2022" if text else "请填写缴费年度，如 2022")
    return int(text)


def _amount(text: str) -> Decimal:
    text = text.replace(",", "")
    if not text:
        raise ValueError("请填写金额")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"金额“{shown(text)}”不是数字，请填写元，如 410.00") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"金额“{shown(text)}”应大于 0")
    if amount > LARGEST:  # checked first: quantize refuses numbers this large
        raise ValueError(f"金额“{shown(text)}”过大，请核对")
    cents = amount.quantize(CENT)
    if amount != cents:
        raise ValueError(f"金额“{shown(text)}”应为元，最多两位小数")
    return cents


def _office(text: str) -> str:
    if not text:
        raise ValueError("请填写征收机关")
    if len(text) > OFFICE_LENGTH:
        raise ValueError(f"征收机关名称过长，最多 {OFFICE_LENGTH} 个字")
    return text


def _time(text: str) -> datetime:
    if not text:
        raise ValueError("请填写缴费时间")
    try:
        return datetime.fromisoformat(text)  # 2021-10-15 09:30:00 and ISO 8601: the usual case, and fast
    except ValueError:
        pass
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"缴费时间“{shown(text)}”无法识别，请写成 2021-10-15 09:30:00 这样的格式")


def tax_rows_check(rows: Iterable[tuple[int, list]], *, now: datetime, limit: int | None = None
                   ) -> tuple[list[TaxRow], list[RowError], int]:
    """(the well-formed rows, the problems of the others, how many rows there were); raises
    TableError for a file without rows, or with more than ``limit``."""
    checker, entries, errors, count = _Checker(now=now), [], [], 0
    for number, cells in rows:
        count += 1
        if limit is not None and count > limit:
            raise TableError(f"文件超过 {limit:,} 行，网页导入最多 {limit:,} 行；请分成几个文件，"
                             "或请管理员用 manage.py import_tax_payments 导入。")
        result = checker.check(number, cells)
        if result.__class__ is TaxRow:
            entries.append(result)
        else:
            errors.extend(RowError(number, problem) for problem in result)
    if not count:
        raise TableError("文件中只有表头，没有缴费记录")
    return entries, errors, count
