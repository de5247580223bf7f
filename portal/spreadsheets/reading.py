"""Reading the lists officers and clerks upload (rolls, department lists, settlement files) from a
CSV or XLSX file into rows, with every reason a file cannot be read said in Chinese.

A file's type is decided by its content as well as its name, because "名单.xlsx" may be anything
a browser sends: old .xls, a workbook saved as .csv, UTF-16 text. CSV is read as UTF-8 (with or
without BOM) or GB18030, as Chinese Excel saves it. An XLSX is a zip that 5 MB of upload can
unpack to gigabytes, so its unpacked size is measured before openpyxl opens it
(``xlsx_archive``, which the officers' import pages use too). What the rows mean, and their
checks, belong to each import.
"""

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

# 200 MB of XML is about a million cells: more than any real list, far less than would exhaust
# a server's memory.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the container of old .xls (and .doc) files
SAVE_AS = "请在 Excel 中“另存为” .xlsx 或 CSV 后再导入"
UNREADABLE_XLSX = "无法打开这个 XLSX 文件，请确认它是用 Excel 保存的 .xlsx 文件"


class TableError(ValueError):
    """A file that cannot be read at all; the message says what to fix, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def table_records(source, filename: str | None = None) -> Iterator[Sequence]:
    """The records of a CSV or XLSX file, header first, read lazily; ``source`` is a path or an
    open binary file such as an upload."""
    filename = filename or getattr(source, "name", None) or str(source)
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise TableError("只能导入 CSV 或 XLSX 文件，不支持旧版 Excel（.xls）文件，" + SAVE_AS)
    if suffix not in (".csv", ".xlsx"):
        raise TableError(f"只能导入 CSV 或 XLSX 文件，“{Path(filename).name}”不是")
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            data = file.read()
    else:
        data = source.read()
    if data.startswith(OLE2_MAGIC):
        raise TableError("这是旧版 Excel（.xls）文件，" + SAVE_AS)
    if suffix == ".csv":
        if data.startswith(ZIP_MAGIC):
            raise TableError("文件名是 .csv，内容却是 Excel 工作簿；请把扩展名改为 .xlsx，或在 Excel 中另存为 CSV")
        return _csv_records(data)
    return _xlsx_records(data)


def table_rows(records: Iterator[Sequence], columns: Sequence[str]) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet counts it, the cells of ``columns`` in that order) for every
    row after the header that is not blank; other columns are ignored, in any order."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        raise TableError("文件是空的，第 1 行应为表头：" + "、".join(columns))
    header = [cell_text(cell).lstrip("\ufeff") for cell in first]
    missing = [name for name in columns if name not in header]
    if missing:
        raise TableError(f"第 1 行表头缺少“{'”“'.join(missing)}”列；表头应为：{'、'.join(columns)}")
    positions = [header.index(name) for name in columns]
    width = max(positions) + 1
    for number, record in enumerate(records, start=2):
        if len(record) < width:
            record = (*record, *[None] * (width - len(record)))
        cells = [record[position] for position in positions]
        if any(cell is not None and (cell.__class__ is not str or cell.strip()) for cell in cells):
            yield number, cells


def cell_text(value) -> str:
    """A cell as text: Excel's 2022.0 is "2022", None is ""."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_records(data: bytes):
    if b"\x00" in data:
        # Text never holds NUL bytes; UTF-16 "Unicode text" from Excel and binary files do.
        raise TableError("这个 CSV 文件不是文本格式，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise TableError("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”格式后再导入") from None
    return _csv_reader(text)


def _csv_reader(text: str):
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise TableError(f"CSV 文件格式有误：{error}") from error


def xlsx_archive(data: bytes) -> zipfile.ZipFile:
    """The zip archive of an XLSX file, once its unpacked size is known to be safe to read.
    Raises TableError when it is no zip or unpacks too large."""
    if not data.startswith(ZIP_MAGIC):
        raise TableError(UNREADABLE_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise TableError(UNREADABLE_XLSX) from error
    if unpacked > XLSX_MAX_UNPACKED:
        archive.close()
        raise TableError("这个 XLSX 文件解压后过大，不像是要导入的名单；请只保留名单所在的工作表后再导入")
    return archive


def _xlsx_records(data: bytes):
    from openpyxl import load_workbook  # only XLSX imports pay for loading openpyxl

    xlsx_archive(data).close()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableError(UNREADABLE_XLSX) from error
    try:
        yield from workbook.active.iter_rows(values_only=True)
    finally:
        workbook.close()
