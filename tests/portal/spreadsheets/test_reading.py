"""Reading uploaded XLSX files (portal/spreadsheets/reading.py): a workbook whose parts unpack too
large, or whose XML declares entities, is refused at once with a Chinese message saying what to
do, and never reaches a parser that would expand it; real lists of 20,000 rows are read."""

import io
import struct
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.spreadsheets import admin_forms, reading
from portal.spreadsheets.reading import TableError, table_records, table_rows
from tests.portal.spreadsheets.workbooks import (
    ROLL_HEADER,
    as_excel_saves_it,
    billion_laughs_sheet,
    billion_laughs_strings,
    relate,
    repeated_strings,
    roll_rows,
    with_declaration,
    with_parts,
    with_shared_strings,
    xlsx_bytes,
)

SHEET = "xl/worksheets/sheet1.xml"
HAN_MEI = ["370303198505200361", "韩梅", "13905330001", "370303001002", "成年居民"]


def read(data: bytes) -> list:
    return list(table_rows(table_records(io.BytesIO(data), "名单.xlsx"), ROLL_HEADER))


def sizes(data: bytes) -> dict[str, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {member.filename: member.file_size for member in archive.infolist()}


@pytest.fixture
def unpacked(monkeypatch) -> list[int]:
    """How many bytes zipfile unpacks from now on, whoever reads (openpyxl reads through it)."""
    counts = []
    read_part = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = read_part(self, n)
        counts.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return counts


def refused_within_moments(data: bytes, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(TableError, match=message):
        read(data)
    assert time.perf_counter() - started < 2


# -- Parts that unpack too large -----------------------------------------------------------

def test_shared_strings_that_unpack_to_187_mb_are_refused_without_being_unpacked(unpacked):
    data = with_shared_strings(repeated_strings(187))
    assert len(data) < 1_000_000 and sizes(data)["xl/sharedStrings.xml"] > 187_000_000
    refused_within_moments(data, "这个 XLSX 文件中的文字（共享字符串）解压后超过 8 MB.*请只保留名单所在的工作表")
    assert sum(unpacked) < 64 * 1024  # only [Content_Types].xml and the relationships were read


def test_a_part_whose_directory_understates_its_size_is_unpacked_only_that_far(unpacked):
    data = bytearray(with_shared_strings(repeated_strings(187)))
    entry = data.rindex(b"xl/sharedStrings.xml") - 46  # its entry in the zip's central directory
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = struct.pack("<I", 1000)  # "unpacks to 1,000 bytes"
    refused_within_moments(bytes(data), "无法打开这个 XLSX 文件")
    assert sum(unpacked) < 64 * 1024


@pytest.mark.parametrize("limit, part, message", [
    ("XLSX_MAX_SHEET", SHEET, "中有一个工作表解压后超过"),
    ("XLSX_MAX_SHARED_STRINGS", "xl/sharedStrings.xml", "中的文字（共享字符串）解压后超过"),
    ("XLSX_MAX_PART", "xl/theme/theme1.xml", "中的“xl/theme/theme1.xml”解压后超过"),  # the largest other part
])
def test_each_part_is_held_to_the_limit_of_what_it_is(monkeypatch, limit, part, message):
    data = as_excel_saves_it(xlsx_bytes(ROLL_HEADER, *roll_rows(300), write_only=True))
    monkeypatch.setattr(reading, limit, sizes(data)[part])
    assert len(read(data)) == 300
    monkeypatch.setattr(reading, limit, sizes(data)[part] - 1)
    with pytest.raises(TableError, match=message):
        read(data)


def test_a_sheet_is_known_by_its_relationship_not_by_its_name(monkeypatch):
    data = xlsx_bytes(ROLL_HEADER, *roll_rows(300))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read(SHEET)
    renamed = with_parts(data, {
        SHEET: lambda content: None,
        "xl/_rels/workbook.xml.rels": lambda content: content.replace(b"worksheets/sheet1.xml", b"data.xml"),
    }, {"xl/data.xml": lambda part: part.write(sheet)})
    monkeypatch.setattr(reading, "XLSX_MAX_PART", 16 * 1024)  # more than the theme, less than the sheet
    assert len(read(renamed)) == 300
    monkeypatch.setattr(reading, "XLSX_MAX_SHEET", 16 * 1024)
    with pytest.raises(TableError, match="中有一个工作表解压后超过"):
        read(renamed)


def test_a_part_openpyxl_parses_whole_keeps_the_small_limit_whatever_a_relationship_calls_it(monkeypatch):
    data = with_parts(xlsx_bytes(ROLL_HEADER, HAN_MEI), {
        "xl/styles.xml": lambda content: content + b" " * 20_000,
        "xl/_rels/workbook.xml.rels": lambda content: relate(content, "styles.xml", "worksheet"),
    })
    monkeypatch.setattr(reading, "XLSX_MAX_PART", 16 * 1024)
    with pytest.raises(TableError, match="中的“xl/styles.xml”解压后超过"):
        read(data)


def test_the_whole_file_is_limited_too(monkeypatch):
    data = xlsx_bytes(ROLL_HEADER, HAN_MEI)
    monkeypatch.setattr(reading, "XLSX_MAX_UNPACKED", sum(sizes(data).values()) - 1)
    with pytest.raises(TableError, match="这个 XLSX 文件解压后过大"):
        read(data)


# -- Entity declarations ("billion laughs") ------------------------------------------------

@pytest.mark.parametrize("build", [
    pytest.param(lambda: with_shared_strings(billion_laughs_strings), id="shared strings"),
    pytest.param(lambda: with_parts(xlsx_bytes(ROLL_HEADER, HAN_MEI), {SHEET: billion_laughs_sheet}), id="sheet"),
])
def test_nested_entities_are_refused_not_expanded(build):
    refused_within_moments(build(), "这个 XLSX 文件里有 XML 实体声明（DTD）.*“另存为”新的 .xlsx 文件或 CSV 后再导入")


@pytest.mark.parametrize("part", [
    "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/styles.xml",
    "docProps/core.xml", SHEET,
])
def test_an_entity_declared_in_any_part_that_is_parsed_is_refused(part):
    with pytest.raises(TableError, match="XML 实体声明"):
        read(with_parts(xlsx_bytes(ROLL_HEADER, HAN_MEI), {part: with_declaration}))


def test_the_officers_import_pages_refuse_both_files_with_the_same_messages():
    for data, message in [(with_shared_strings(repeated_strings(187)), "共享字符串"),
                          (with_shared_strings(billion_laughs_strings), "XML 实体声明")]:
        with pytest.raises(ValidationError, match=message):
            admin_forms.check_import_bytes(data, format_title="xlsx")


# -- Real lists ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def roll_of_20000() -> tuple[list, bytes]:
    people = roll_rows(20_000)
    return people, xlsx_bytes(ROLL_HEADER, *people, write_only=True)


def test_a_roll_of_20000_people_as_excel_saves_it_is_read_whole(roll_of_20000):
    people, data = roll_of_20000
    saved = as_excel_saves_it(data)
    parts = sizes(saved)
    assert parts[SHEET] * 5 < reading.XLSX_MAX_SHEET
    assert parts["xl/sharedStrings.xml"] * 5 < reading.XLSX_MAX_SHARED_STRINGS
    rows = read(saved)
    assert len(rows) == 20_000 and rows[-1] == (20_001, people[-1])


def test_a_roll_of_20000_people_with_inline_strings_fits_five_times_over(roll_of_20000):
    people, data = roll_of_20000
    assert sizes(data)[SHEET] * 5 < reading.XLSX_MAX_SHEET
    records = table_records(io.BytesIO(data), "名单.xlsx")
    assert [list(next(records)) for _ in range(2)] == [ROLL_HEADER, people[0]]


# -- Sheets that claim more than they hold -------------------------------------------------

def test_rows_are_as_wide_as_the_header_whatever_width_the_sheet_claims():
    """openpyxl pads each row to the sheet's stated dimension: 16,384 columns for 20,000 empty
    rows would take seconds from a file of a few kilobytes."""
    data = with_parts(xlsx_bytes(["身份证号", "姓名"], HAN_MEI[:2]), {SHEET: lambda content: content.replace(
        b'ref="A1:B2"', b'ref="A1:XFD20002"').replace(b"</sheetData>", b"<row/>" * 20_000 + b"</sheetData>")})
    records = list(table_records(io.BytesIO(data), "名单.xlsx"))
    assert len(records) == 20_002 and {len(record) for record in records} == {2}


def test_a_sheet_claiming_rows_beyond_excels_last_is_refused():
    data = with_parts(xlsx_bytes(ROLL_HEADER, HAN_MEI), {SHEET: lambda content: content.replace(
        b'ref="A1:E2"', b'ref="A1:E99999999999"')})
    refused_within_moments(data, "无法打开这个 XLSX 文件")


def test_a_header_of_more_than_1000_columns_is_refused():
    data = xlsx_bytes([*ROLL_HEADER, *[None] * 995, "备注"])
    with pytest.raises(TableError, match="第 1 行有 1,001 列，超过 1,000 列"):
        read(data)


def test_an_empty_workbook_is_called_empty():
    with pytest.raises(TableError, match="文件是空的"):
        read(xlsx_bytes())


# -- Anything else inside the zip ----------------------------------------------------------

GOOD = xlsx_bytes(ROLL_HEADER, HAN_MEI)
with zipfile.ZipFile(io.BytesIO(GOOD)) as _archive:
    PARTS = {name: _archive.read(name) for name in _archive.namelist()}


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl's remarks on what it skips
@settings(deadline=None)
@given(part=st.sampled_from(sorted(PARTS)), at=st.integers(0, 10_000), cut=st.integers(0, 64),
       noise=st.binary(max_size=64))
def test_random_bytes_inside_a_workbook_are_read_or_refused_in_chinese(part, at, cut, noise):
    at %= len(PARTS[part]) + 1
    data = with_parts(GOOD, {part: lambda content: content[:at] + noise + content[at + cut:]})
    try:
        read(data)
    except TableError as error:
        assert not error.message.isascii()
    try:
        admin_forms.check_import_bytes(data, format_title="xlsx")
    except ValidationError as error:
        assert not error.messages[0].isascii()
