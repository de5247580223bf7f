"""Reading an enrollee roll (school class, village list) from a CSV or XLSX file into rows.

Checking and writing the rows is enrollment/imports/checks.py; the file itself is read by
portal/spreadsheets/reading.py, which says in Chinese why a file cannot be read. The station page also caps
how many people a roll may hold (``max_rows``), counted while reading.
"""

from typing import NamedTuple

from portal.spreadsheets.reading import TableError, cell_text, table_records, table_rows

# The header a roll must have (in RollRow's order; other columns are ignored).
COLUMNS = ("身份证号", "姓名", "联系电话", "村社区代码", "参保类别")

RollError = TableError  # a roll that cannot be read; the message says what to fix


class RollRow(NamedTuple):
    row: int  # as a spreadsheet counts: the header is row 1, the first person row 2
    id_number: str
    name: str
    phone: str
    village_code: str
    category: str
    # An XLSX number cell: Excel kept 15 significant digits, so the number can never be trusted.
    id_number_was_numeric: bool = False


def read_roll(source, filename: str | None = None, *, max_rows: int | None = None) -> list[RollRow]:
    """The person rows of a roll; ``source`` is a path or an open binary file such as an upload.
    With ``max_rows``, a roll with more person rows than that is refused without reading it all.
    Raises ``RollError``."""
    rows = []
    for number, cells in table_rows(table_records(source, filename), COLUMNS):
        if max_rows is not None and len(rows) == max_rows:
            raise RollError(f"名单超过 {max_rows:,} 人，请分成几个文件分别导入")
        rows.append(RollRow(number, *map(cell_text, cells), isinstance(cells[0], int | float)))
    if not rows:
        raise RollError("文件中只有表头，没有要导入的人员")
    return rows
