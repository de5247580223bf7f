"""The civil-affairs or public-security death list (民政、公安部门死亡人员名单): reading the file and
checking each row on its own. Matching the rows to residents and recording the deaths is
death_import.py.

A malformed row (an ID number that is not one, a date that is not one or is in the future, a
source nobody can tell) refuses the whole file, naming every row and what to fix, and nothing is
written (DESIGN.md section 10). A death before the person's birth is not malformed: it is the
registry's business, a problem row of the import. A province's list can run to a million rows,
so the checks are plain Python, with the dates and sources a file repeats checked once each.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from enrollment.imports.checks import EXCEL_NUMBER, RowError, quick_parse
from enrollment.life_events.deaths import SOURCE_NAMES
from enrollment.life_events.models import DeathImport, DeathImportProblem
from portal.privacy.id_numbers import IdNumberError, mask_id_number, mask_id_numbers_in, parse_id_number
from portal.privacy.id_vault import id_digest
from portal.spreadsheets.reading import TableError, cell_text, table_records, table_rows

COLUMNS = ("身份证号", "姓名", "死亡日期", "来源")
Problem = DeathImportProblem.Problem
NAME_LENGTH = DeathImportProblem._meta.get_field("name").max_length
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
SOURCES_ACCEPTED = "民政（民政部门）、公安（公安部门）、卫健（卫生健康部门）"


@dataclass(slots=True)
class DeathRow:
    """A row whose own fields are valid."""

    row: int  # as a spreadsheet counts: the header is row 1
    digest: str
    id_masked: str
    name: str
    day: date
    source: str  # a Death.Source value
    birth_date: date  # from the ID number


@dataclass
class DeathImportReport:
    """Counts of the rows that passed; ``committed`` says whether anything was written."""

    filename: str
    rows: int = 0
    recorded: int = 0
    already_recorded: int = 0
    problems: Counter = field(default_factory=Counter)  # by DeathImportProblem.Problem value
    refunds: int = 0
    cancelled: int = 0
    # (row, id_masked, name, date, source, problem, detail) of each problem row, for the page.
    problem_rows: list[tuple] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    batch: DeathImport | None = None

    @property
    def problem_count(self) -> int:
        return sum(self.problems.values())

    def problem_counts(self) -> list[tuple[str, str, int]]:
        """(code, label, count) of each reason rows recorded nothing."""
        return [(value, label, self.problems[value]) for value, label in Problem.choices if self.problems[value]]

    def as_dict(self) -> dict:
        return {
            "filename": self.filename, "rows": self.rows, "recorded": self.recorded,
            "already_recorded": self.already_recorded, "problems": self.problem_count,
            "problems_by_reason": {value: count for value, _, count in self.problem_counts()},
            "refunds": self.refunds, "cancelled": self.cancelled, "committed": self.committed,
            "errors": [{"row": error.row, "message": error.message} for error in self.errors],
        }


def read_death_list(source, filename: str | None = None) -> Iterator[tuple[int, list]]:
    """(row number, the cells of COLUMNS) of a CSV or XLSX file, read lazily; TableError (when
    the rows are taken) says what to fix about the file itself."""
    return table_rows(table_records(source, filename), COLUMNS)


def source_of(text: str) -> str | None:
    """The Death.Source value a list's 来源 cell names, or None."""
    return SOURCE_NAMES.get("".join(text.split()))


class _Checker:
    def __init__(self, *, today: date):
        self.today = today
        self.days: dict[str, tuple] = {}
        self.sources: dict[str, tuple] = {}

    def check(self, number: int, cells: list) -> DeathRow | list[str]:
        id_cell, name_cell, day_cell, source_cell = cells
        problems = []
        person = self._person(id_cell)
        name = cell_text(name_cell)
        if not name:
            problems.append("请填写姓名")
        elif len(name) > NAME_LENGTH:
            problems.append(f"姓名过长，最多 {NAME_LENGTH} 个字")
        day, day_problem = self._day(day_cell)
        source, source_problem = self._source(source_cell)
        problems += [problem for problem in (person if isinstance(person, str) else None, day_problem, source_problem)
                     if problem]
        if problems:
            return problems
        digest, masked, birth_date = person
        return DeathRow(number, digest, masked, name, day, source, birth_date)

    def _person(self, cell) -> tuple | str:
        if cell.__class__ is str:
            text = cell.strip()
            # The roll import's fast path for a number already in its normal form.
            quick = quick_parse(text, self.today)
            if quick is not None:
                return id_digest(text), mask_id_number(text), quick[0]
        else:
            text = cell_text(cell)
        if isinstance(cell, int | float) or "E+" in text.upper():
            return EXCEL_NUMBER
        try:
            parsed = parse_id_number(text, today=self.today)
        except IdNumberError as error:
            return error.message
        return id_digest(parsed.number), parsed.masked, parsed.birth_date

    def _day(self, cell) -> tuple:
        if isinstance(cell, datetime):
            cell = cell.date()
        if isinstance(cell, date):
            return self._not_future(cell)
        text = cell_text(cell)
        found = self.days.get(text)
        if found is None:
            found = self.days[text] = self._parse_day(text)
        return found

    def _parse_day(self, text: str) -> tuple:
        if not text:
            return None, "请填写死亡日期"
        for pattern in DATE_FORMATS:
            try:
                return self._not_future(datetime.strptime(text, pattern).date())
            except ValueError:
                continue
        return None, f"死亡日期“{mask_id_numbers_in(text)}”无法识别，请写成 2021-11-30 这样的格式"

    def _not_future(self, day: date) -> tuple:
        if day > self.today:
            return None, f"死亡日期 {day} 晚于今天（{self.today}），请核对"
        return day, None

    def _source(self, cell) -> tuple:
        text = cell_text(cell)
        found = self.sources.get(text)
        if found is None:
            value = source_of(text)
            found = self.sources[text] = (value, None) if value else (None, (
                f"来源“{mask_id_numbers_in(text)}”无法识别，应填 {SOURCES_ACCEPTED}" if text
                else f"请填写来源：{SOURCES_ACCEPTED}"))
        return found


def death_rows_check(rows: Iterable[tuple[int, list]], *, today: date, limit: int | None = None
                     ) -> tuple[list[DeathRow], list[RowError], int]:
    """(the well-formed rows, the problems of the others, how many rows there were); raises
    TableError for a file without rows, or with more than ``limit``."""
    checker, entries, errors, count = _Checker(today=today), [], [], 0
    for number, cells in rows:
        count += 1
        if limit is not None and count > limit:
            raise TableError(f"文件超过 {limit:,} 行，网页导入最多 {limit:,} 行；请分成几个文件，"
                             "或请管理员用 manage.py import_deaths 导入。")
        result = checker.check(number, cells)
        if result.__class__ is DeathRow:
            entries.append(result)
        else:
            errors.extend(RowError(number, problem) for problem in result)
    if not count:
        raise TableError("文件中只有表头，没有死亡人员记录")
    return entries, errors, count
