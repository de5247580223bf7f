"""Reading an enrollee roll (school class, village list) from a CSV or XLSX file into rows.

Checking and writing the rows is enrollment/imports.py; this module only turns bytes into
``RollRow``s or says, in Chinese, why the file cannot be read. The file's type is decided by its
content as well as its name, because a station clerk's "名单.xlsx" may be anything a browser
sends, and the station page also caps what a file may unpack to (``max_rows``, and the zip of an
XLSX is measured before openpyxl opens it).
"""

import csv
import io
import zipfile
from pathlib import Path
from typing import NamedTuple

# The header a roll must have (in RollRow's order; other columns are ignored).
COLUMNS = ("身份证号", "姓名", "联系电话", "村社区代码", "参保类别")
# An XLSX is a zip; 5 MB of it can unpack to gigabytes. 200 MB of XML is ~1 million cells, far
# more than any real roll, and far less than what would exhaust a station server's memory.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the container of old .xls (and .doc) files


class RollError(ValueError):
    """A file that cannot be read as a roll at all; the message says what to fix, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
    """The person rows of a CSV (UTF-8 with or without BOM, or GB18030 as Chinese Excel saves
    it) or XLSX file; ``source`` is a path or an open binary file such as an upload. With
    ``max_rows``, a roll with more person rows than that is refused. Raises ``RollError``."""
    filename = filename or getattr(source, "name", None) or str(source)
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise RollError("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再导入")
    if suffix not in (".csv", ".xlsx"):
        raise RollError(f"只能导入 CSV 或 XLSX 文件，“{Path(filename).name}”不是")
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            return _read(file, suffix, max_rows)
    return _read(source, suffix, max_rows)


def _read(file, suffix: str, max_rows: int | None) -> list[RollRow]:
    data = file.read()
    if data.startswith(OLE2_MAGIC):
        raise RollError("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再导入")
    if suffix == ".csv":
        if data.startswith(ZIP_MAGIC):
            raise RollError("文件名是 .csv，内容却是 Excel 工作簿；请把扩展名改为 .xlsx，或在 Excel 中另存为 CSV")
        return _rows(_csv_records(data), max_rows)
    return _rows(_xlsx_records(data), max_rows)


def _csv_records(data: bytes):
    if b"\x00" in data:
        # Text never holds NUL bytes; UTF-16 "Unicode text" from Excel and binary files do.
        raise RollError("这个 CSV 文件不是文本格式，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise RollError("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”格式后再导入") from None
    return _csv_reader(text)


def _csv_reader(text: str):
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise RollError(f"CSV 文件格式有误：{error}") from error


def _xlsx_records(data: bytes):
    from openpyxl import load_workbook  # only XLSX imports pay for loading openpyxl

    if not data.startswith(ZIP_MAGIC):
        raise RollError("无法打开这个 XLSX 文件，请确认它是用 Excel 保存的 .xlsx 文件")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > XLSX_MAX_UNPACKED:
            raise RollError("这个 XLSX 文件解压后过大，不像是参保名单；请只保留名单所在的工作表后再导入")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        if isinstance(error, RollError):
            raise
        raise RollError("无法打开这个 XLSX 文件，请确认它是用 Excel 保存的 .xlsx 文件") from error
    try:
        yield from workbook.active.iter_rows(values_only=True)
    finally:
        workbook.close()


def _text(value) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(records, max_rows: int | None) -> list[RollRow]:
    """Records are read lazily, so a roll over ``max_rows`` is refused without reading it all."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        raise RollError("文件是空的，第 1 行应为表头：" + "、".join(COLUMNS))
    header = [_text(cell).lstrip("\ufeff") for cell in first]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise RollError(f"第 1 行表头缺少“{'”“'.join(missing)}”列；表头应为：{'、'.join(COLUMNS)}")
    positions = [header.index(name) for name in COLUMNS]
    width = max(positions) + 1
    rows = []
    for number, record in enumerate(records, start=2):
        if len(record) < width:
            record = (*record, *[None] * (width - len(record)))
        cells = [record[position] for position in positions]
        texts = [_text(cell) for cell in cells]
        if any(texts):
            if max_rows is not None and len(rows) == max_rows:
                raise RollError(f"名单超过 {max_rows:,} 人，请分成几个文件分别导入")
            rows.append(RollRow(number, *texts, isinstance(cells[0], int | float)))
    if not rows:
        raise RollError("文件中只有表头，没有要导入的人员")
    return rows
