"""Reading the lists officers and clerks upload (rolls, department lists, settlement files) from a
CSV or XLSX file into rows, with every reason a file cannot be read said in Chinese.

A file's type is decided by its content as well as its name, because "名单.xlsx" may be anything
a browser sends: old .xls, a workbook saved as .csv, UTF-16 text. CSV is read as UTF-8 (with or
without BOM) or GB18030, as Chinese Excel saves it. An XLSX is a zip that 5 MB of upload can
unpack to gigabytes, so the unpacked size of each of its parts is measured before openpyxl opens
it (``xlsx_archive``, which the officers' import pages use too), and its XML is parsed with
entity declarations refused (defusedxml, which openpyxl uses once installed). What the rows
mean, and their checks, belong to each import.
"""

import csv
import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MB = 1024 * 1024
# What one part of an XLSX may unpack to, checked before openpyxl reads any of it. Files of
# 20,000 rows measured: a roll (18-digit ID numbers as text, Chinese names, phones, village
# codes) has a 6.3 MB sheet with inline strings, as openpyxl writes it, or a 3.9 MB sheet and
# 1.6 MB of shared strings, as Excel saves it; a settlement file (dates, hospitals, six amounts)
# a 9.8 MB sheet, or 7.9 MB and 0.7 MB. The limits are six to ten times those, and hold the
# 100,000 rows the officers' settlement page takes (a 49 MB sheet, or 40 MB and 3.4 MB).
XLSX_MAX_SHEET = 64 * MB
# openpyxl reads all shared strings, and keeps them, as it opens the workbook: about 0.5 s a
# megabyte of short strings (a 187 MB table held a worker past its 30 s timeout), so this limit
# is kept nearer the real sizes than the sheet's: at most about 4 s of a worker.
XLSX_MAX_SHARED_STRINGS = 8 * MB
# Every other part openpyxl reads (the workbook, relationships, styles, properties) is parsed
# whole, into up to 20 bytes of memory for each byte of XML; real ones are a few kilobytes.
XLSX_MAX_PART = 4 * MB
# openpyxl reads through every sheet without a dimension as the workbook opens, whichever one
# holds the list.
XLSX_MAX_UNPACKED = 96 * MB
EXCEL_MAX_ROWS = 1_048_576  # Excel's last row
XLSX_MAX_COLUMNS = 1000  # a list's header has a few dozen
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the container of old .xls (and .doc) files
SAVE_AS = "请在 Excel 中“另存为” .xlsx 或 CSV 后再导入"
UNREADABLE_XLSX = "无法打开这个 XLSX 文件，请确认它是用 Excel 保存的 .xlsx 文件"
XLSX_DECLARATIONS = ("这个 XLSX 文件里有 XML 实体声明（DTD），Excel 保存的文件不会有，为安全起见不予读取；"
                     "请在 Excel 中打开它，“另存为”新的 .xlsx 文件或 CSV 后再导入")
TOO_LARGE = "，远大于一份名单；请只保留名单所在的工作表，或分成几个文件后再导入"


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


def table_rows(records: Iterator[Sequence], columns: Sequence[str],
               optional: Sequence[str] = ()) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet counts it, the cells of ``columns`` in that order, then those
    of ``optional``, None for an optional column the file does not have) for every row after the
    header that is not blank; other columns are ignored, in any order."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        raise TableError("文件是空的，第 1 行应为表头：" + "、".join(columns))
    header = [cell_text(cell).lstrip("\ufeff") for cell in first]
    missing = [name for name in columns if name not in header]
    if missing:
        raise TableError(f"第 1 行表头缺少“{'”“'.join(missing)}”列；表头应为：{'、'.join(columns)}")
    positions = [header.index(name) for name in columns]
    optional_positions = [header.index(name) if name in header else None for name in optional]
    width = max(positions + [position for position in optional_positions if position is not None]) + 1
    for number, record in enumerate(records, start=2):
        if len(record) < width:
            record = (*record, *[None] * (width - len(record)))
        cells = [record[position] for position in positions]
        if optional_positions:
            cells += [None if position is None else record[position] for position in optional_positions]
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
    """The zip archive of an XLSX file, once each part's unpacked size is known to be safe to
    read. Raises TableError when it is no zip, unpacks too large, or declares XML entities.

    The sizes are those of the zip's directory. The directory cannot understate what a parser
    gets: zipfile stops unpacking a part at the size its entry gives, then checks the part's
    CRC, and openpyxl reads every part through zipfile."""
    if not data.startswith(ZIP_MAGIC):
        raise TableError(UNREADABLE_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise TableError(UNREADABLE_XLSX) from error
    try:
        limits = _part_limits(archive)
        for member in members:
            limit, what = limits.get(member.filename, (XLSX_MAX_PART, ""))
            if member.file_size > limit:
                raise TableError(_too_large(what or f"的“{member.filename}”", limit))
        if sum(member.file_size for member in members) > XLSX_MAX_UNPACKED:
            raise TableError("这个 XLSX 文件解压后过大" + TOO_LARGE)
    except Exception:
        archive.close()
        raise
    return archive


def _part_limits(archive: zipfile.ZipFile) -> dict[str, tuple[int, str]]:
    """The size each part may unpack to, and what to call it, by what openpyxl reads it as: a
    part is found by the name a relationship or [Content_Types].xml gives it, so a sheet or the
    shared strings may be stored under any name. Only those two are read a piece at a time and
    may be large; a part with two roles gets the smaller limit, one with none XLSX_MAX_PART."""
    from openpyxl.xml import constants as names

    described = [member for member in archive.infolist()
                 if member.filename == names.ARC_CONTENT_TYPES or member.filename.endswith(".rels")]
    if sum(member.file_size for member in described) > XLSX_MAX_PART:
        raise TableError(_too_large("说明各部分位置的 .rels 文件", XLSX_MAX_PART))
    sheet = XLSX_MAX_SHEET, "有一个工作表"
    strings = XLSX_MAX_SHARED_STRINGS, "的文字（共享字符串）"
    whole = XLSX_MAX_PART, ""
    limits = {}

    def allow(name: str, limit: tuple[int, str]) -> None:
        limits[name] = min(limit, limits.get(name, limit))

    for name in (names.ARC_CONTENT_TYPES, names.ARC_WORKBOOK, names.ARC_STYLE, names.ARC_THEME, names.ARC_CORE,
                 names.ARC_CUSTOM):
        allow(name, whole)  # read whole, by these names
    for override in _small_xml(archive, names.ARC_CONTENT_TYPES):
        name, content_type = override.get("PartName", "")[1:], override.get("ContentType")
        if content_type == names.SHARED_STRINGS:
            allow(name, strings)
        elif content_type in (names.XLSX, names.XLSM, names.XLTX, names.XLTM):
            allow(name, whole)  # the workbook part
    for rels in {member.filename for member in described} - {names.ARC_CONTENT_TYPES}:
        allow(rels, whole)
        parent = posixpath.dirname(posixpath.dirname(rels))  # targets are relative to the _rels folder's parent
        for relationship in _small_xml(archive, rels):
            target = relationship.get("Target", "")
            if relationship.get("TargetMode") == "External" or not target:
                continue
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
            kind = relationship.get("Type", "")
            if kind.endswith("/worksheet") and "chartsheet" not in kind:  # openpyxl reads a chartsheet whole
                allow(target, sheet)
            elif kind.endswith("/sharedStrings"):
                allow(target, strings)
            else:
                allow(target, whole)
    return limits


def _small_xml(archive: zipfile.ZipFile, name: str):
    """The child elements of one of the small parts that say where the others are."""
    try:
        return list(fromstring(archive.read(name)))
    except KeyError:
        return []
    except DefusedXmlException as error:
        raise TableError(XLSX_DECLARATIONS) from error
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
            ValueError) as error:
        raise TableError(UNREADABLE_XLSX) from error


def _too_large(what: str, limit: int) -> str:
    return f"这个 XLSX 文件中{what}解压后超过 {limit / MB:g} MB" + TOO_LARGE


# What openpyxl raises for a workbook it cannot read: damaged zip data, parts missing or out of
# place, XML that is not well-formed, values its descriptors refuse.
_OPENPYXL_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, IndexError, ValueError, TypeError,
                    ParseError)


def _xlsx_records(data: bytes):
    from openpyxl import load_workbook  # only XLSX imports pay for loading openpyxl

    xlsx_archive(data).close()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except _OPENPYXL_ERRORS as error:
        raise _unreadable(error) from error
    try:
        yield from _sheet_records(workbook.active)
    except TableError:
        raise
    except _OPENPYXL_ERRORS as error:
        raise _unreadable(error) from error
    finally:
        workbook.close()


def _sheet_records(sheet):
    """The rows of the sheet, as wide as its header. openpyxl pads every row to the width the
    sheet's dimension claims and fills in every row number a sheet skips, so a few kilobytes
    can claim 16,384 columns or rows beyond Excel's last."""
    if sheet is None or not hasattr(sheet, "iter_rows"):
        raise TableError("这个 XLSX 文件打开时显示的不是表格；请在 Excel 中切换到名单所在的工作表，保存后再导入")
    if (sheet.max_row or 0) > EXCEL_MAX_ROWS:
        raise TableError(UNREADABLE_XLSX)
    first = sheet.iter_rows(max_row=1, values_only=True)
    header = next(first, None)
    first.close()
    if header is None:
        return  # an empty sheet
    width = max((index + 1 for index, cell in enumerate(header) if cell is not None), default=1)
    if width > XLSX_MAX_COLUMNS:
        raise TableError(f"第 1 行有 {width:,} 列，超过 {XLSX_MAX_COLUMNS:,} 列；请只保留名单的各列后再导入")
    yield header[:width]
    yield from sheet.iter_rows(min_row=2, max_row=sheet.max_row or EXCEL_MAX_ROWS, max_col=width, values_only=True)


def _unreadable(error: Exception) -> TableError:
    if isinstance(error, DefusedXmlException) or isinstance(error.__cause__, DefusedXmlException):
        return TableError(XLSX_DECLARATIONS)  # openpyxl wraps what it raises while opening
    return TableError(UNREADABLE_XLSX)
