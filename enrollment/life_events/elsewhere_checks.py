"""Lists of people insured elsewhere (清理重复参保): the city's employee insurance (职工医保) or
another province's resident insurance, with the columns 身份证号、姓名、参保年度、单位. Reading a
file and checking each row on its own; matching the rows and writing them is duplicates.py.

A malformed row refuses the whole file, naming every row and what to fix (DESIGN.md section 10).
A list is of one year (ElsewhereImport.year): a row of another year is refused too, since the
list it came from cannot be told apart. A city's employee list runs to a million rows, so the
usual row takes one quick pass and only a bad row is checked again to say what is wrong.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from enrollment.imports.checks import EXCEL_NUMBER, RowError, quick_parse
from enrollment.life_events.models import DuplicateEnrollment, ElsewhereImport
from enrollment.models import InsuredElsewhere
from portal.privacy.id_numbers import IdNumberError, mask_id_numbers_in, parse_id_number
from portal.privacy.id_vault import id_digest
from portal.spreadsheets.reading import TableError, cell_text, table_records, table_rows

COLUMNS = ("身份证号", "姓名", "参保年度", "单位")
NAME_LENGTH = 50
# What the other list says goes to DuplicateEnrollment.elsewhere, the shorter of the two fields.
UNIT_LENGTH = min(DuplicateEnrollment._meta.get_field("elsewhere").max_length,
                  InsuredElsewhere._meta.get_field("note").max_length)
SCHEMES = dict(ElsewhereImport._meta.get_field("scheme").choices)


@dataclass(slots=True)
class ElsewhereRow:
    """A row whose own fields are valid."""

    row: int  # as a spreadsheet counts: the header is row 1
    digest: str
    name: str
    year: int
    unit: str


@dataclass
class ElsewhereReport:
    """Counts of the rows that passed; ``committed`` says whether anything was written."""

    filename: str
    scheme: str
    source: str
    year: int | None = None
    rows: int = 0
    repeated: int = 0  # a person listed again in the same file: the first row counts
    matched: int = 0  # registered here and in the importer's scope
    unknown: int = 0  # not registered in the importer's scope: nothing to do here
    name_differs: int = 0  # the number is registered here under another name: nothing recorded
    recorded: int = 0  # new records of insured elsewhere
    already_recorded: int = 0  # the person was already recorded as insured elsewhere that year
    duplicates: int = 0  # new duplicate enrollments for the clerks
    duplicates_known: int = 0  # enrollments already on the duplicates list (an earlier import)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    batch: ElsewhereImport | None = None

    @property
    def scheme_label(self) -> str:
        return SCHEMES.get(self.scheme, self.scheme)

    def as_dict(self) -> dict:
        return {
            "filename": self.filename, "scheme": self.scheme, "source": self.source, "year": self.year,
            "rows": self.rows, "repeated": self.repeated, "matched": self.matched, "unknown": self.unknown,
            "name_differs": self.name_differs, "recorded": self.recorded, "already_recorded": self.already_recorded,
            "duplicates": self.duplicates, "duplicates_known": self.duplicates_known, "committed": self.committed,
            "errors": [{"row": error.row, "message": error.message} for error in self.errors],
        }


def read_insured_elsewhere(source, filename: str | None = None) -> Iterator[tuple[int, list]]:
    """(row number, the cells of COLUMNS) of a CSV or XLSX file, read lazily; TableError (when
    the rows are taken) says what to fix about the file itself."""
    return table_rows(table_records(source, filename), COLUMNS)


def shown(text: str) -> str:
    """A cell echoed in an error, with anything that looks like a full ID number masked."""
    return mask_id_numbers_in(text)


class _Checker:
    def __init__(self, *, today: date):
        self.today = today
        self.year: int | None = None  # the file's: the first well-formed year
        self.year_row: int | None = None
        self.years: dict[str, tuple] = {}  # a file repeats one year: each text checked once

    def check(self, number: int, cells: list) -> ElsewhereRow | list[str]:
        """The checked row, or every problem with it."""
        return self._well_formed(number, cells) or self._problems(number, cells)

    def _well_formed(self, number: int, cells: list) -> ElsewhereRow | None:
        id_cell, name_cell, year_cell, unit_cell = cells
        name, unit = cell_text(name_cell), cell_text(unit_cell)
        if id_cell.__class__ is not str or not name or len(name) > NAME_LENGTH or len(unit) > UNIT_LENGTH:
            return None
        year = self._year(year_cell)[0]
        id_text = id_cell.strip()
        if year is None or (self.year is not None and year != self.year) or quick_parse(id_text, self.today) is None:
            return None
        self._first_year(year, number)
        return ElsewhereRow(number, id_digest(id_text), name, year, unit)

    def _problems(self, number: int, cells: list) -> ElsewhereRow | list[str]:
        id_cell, name_cell, year_cell, unit_cell = cells
        (person, person_problem), name = self._person(id_cell), cell_text(name_cell)
        year, year_problem = self._year(year_cell)
        unit = cell_text(unit_cell)
        problems = [problem for problem in (person_problem, year_problem) if problem]
        if not name:
            problems.append("请填写姓名")
        elif len(name) > NAME_LENGTH:
            problems.append(f"姓名过长，最多 {NAME_LENGTH} 个字")
        if len(unit) > UNIT_LENGTH:
            problems.append(f"单位“{shown(unit[:20])}…”过长，最多 {UNIT_LENGTH} 个字")
        if year is not None and self.year is not None and year != self.year:
            problems.append(f"参保年度 {year} 与第 {self.year_row} 行的 {self.year} 不同；一个文件只能是一个年度的名单，"
                            "请把不同年度分成几个文件导入")
        if problems:
            return problems
        self._first_year(year, number)
        return ElsewhereRow(number, person, name, year, unit)

    def _first_year(self, year: int, number: int) -> None:
        if self.year is None:
            self.year, self.year_row = year, number

    def _year(self, cell) -> tuple:
        text = cell_text(cell)
        found = self.years.get(text)
        if found is None:
            if len(text) == 4 and text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100:
                found = (int(text), None)
            else:
                found = (None, f"参保年度“{shown(text)}”应为四位年份，如 2022" if text else "请填写参保年度，如 2022")
            self.years[text] = found
        return found

    def _person(self, cell) -> tuple:
        text = cell_text(cell)
        # A number Excel stored as a number, or showed in scientific notation and saved as CSV.
        if isinstance(cell, int | float) or "E+" in text.upper():
            return None, EXCEL_NUMBER
        try:
            parsed = parse_id_number(text, today=self.today)
        except IdNumberError as error:
            return None, error.message
        return id_digest(parsed.number), None


def elsewhere_rows_check(rows: Iterable[tuple[int, list]], *, today: date, limit: int | None = None
                         ) -> tuple[list[ElsewhereRow], list[RowError], int]:
    """(the well-formed rows, the problems of the others, how many rows there were); raises
    TableError for a file without rows, or with more than ``limit``."""
    checker, entries, errors, count = _Checker(today=today), [], [], 0
    for number, cells in rows:
        count += 1
        if limit is not None and count > limit:
            raise TableError(f"文件超过 {limit:,} 行，网页导入最多 {limit:,} 行；请分成几个文件，"
                             "或请管理员用 manage.py import_insured_elsewhere 导入。")
        result = checker.check(number, cells)
        if result.__class__ is ElsewhereRow:
            entries.append(result)
        else:
            errors.extend(RowError(number, problem) for problem in result)
    if not count:
        raise TableError("文件中只有表头，没有参保人员")
    return entries, errors, count
