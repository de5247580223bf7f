"""XLSX files for the upload tests, good and hostile, built part by part with zipfile (plain
functions, shared by the reading tests and the upload pages' tests)."""

import io
import random
import re
import zipfile
from datetime import date, timedelta

import openpyxl

from portal.privacy.id_numbers import make_id_number

ROLL_HEADER = ["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"]
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
# Nine levels of ten: a few hundred bytes that expand to a billion "a"s ("billion laughs").
LAUGHS = b'<?xml version="1.0"?><!DOCTYPE root [<!ENTITY a0 "aaaaaaaaaa">' + b"".join(
    b'<!ENTITY a%d "%s">' % (level, b"&a%d;" % (level - 1) * 10) for level in range(1, 9)) + b"]>"


def xlsx_bytes(*rows, write_only: bool = False) -> bytes:
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_parts(data: bytes, change: dict | None = None, add: dict | None = None) -> bytes:
    """``data`` with some parts changed (name: function of the old content, None to leave the
    part out) and some added (name: function that writes the part to an open file, a piece at a
    time)."""
    change = change or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename in change:
                content = change[member.filename](content)
            if content is not None:
                target.writestr(member.filename, content)
        for name, write in (add or {}).items():
            with target.open(name, "w", force_zip64=True) as part:
                write(part)
    return out.getvalue()


def declare_shared_strings(content_types: bytes) -> bytes:
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
    return content_types.replace(b"</Types>", override.encode() + b"</Types>")


def relate(relationships: bytes, target: str, kind: str) -> bytes:
    """A workbook's relationships with one more, of ``kind`` (worksheet, sharedStrings)."""
    relationship = (f'<Relationship Id="rIdTest{kind}" Target="{target}" '
                    f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"/>')
    return relationships.replace(b"</Relationships>", relationship.encode() + b"</Relationships>")


def relate_shared_strings(relationships: bytes) -> bytes:
    return relate(relationships, "sharedStrings.xml", "sharedStrings")


SHARED_STRINGS_DECLARED = {"[Content_Types].xml": declare_shared_strings,
                           "xl/_rels/workbook.xml.rels": relate_shared_strings}


def with_shared_strings(write) -> bytes:
    """A small roll whose workbook has xl/sharedStrings.xml, written by ``write``."""
    return with_parts(xlsx_bytes(ROLL_HEADER), SHARED_STRINGS_DECLARED, {"xl/sharedStrings.xml": write})


def repeated_strings(megabytes: float):
    """A shared strings table of one ID number over and over, ``megabytes`` long."""
    def write(part):
        piece = b"<si><t>370303195203151223</t></si>" * 30_000
        part.write(SST)
        for _ in range(int(megabytes * 1024 * 1024) // len(piece)):
            part.write(piece)
        part.write(b"</sst>")
    return write


def billion_laughs_strings(part) -> None:
    part.write(LAUGHS + SST + b"<si><t>&a8;</t></si></sst>")


def billion_laughs_sheet(sheet: bytes) -> bytes:
    return LAUGHS + sheet.replace("韩梅".encode(), b"&a8;")


def with_declaration(content: bytes) -> bytes:
    """A part with a small, harmless entity declared ahead of its root element."""
    if content.startswith(b"<?xml"):
        content = content[content.index(b"?>") + 2:]
    return b'<?xml version="1.0"?><!DOCTYPE root [<!ENTITY name "value">]>' + content


def roll_rows(count: int, *, seed: int = 7) -> list[list[str]]:
    """``count`` people as a township's roll lists them: distinct ID numbers, two- and
    three-character names, mobile numbers, the villages of one street."""
    chance = random.Random(seed)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯", "秀兰伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞桂英华玉梅建国志红文斌海燕"
    rows = []
    for number in range(count):
        born = date(1930, 1, 1) + timedelta(days=chance.randrange(33_000))
        rows.append([
            make_id_number(chance.choice(["370302", "370303", "370304", "370305"]), born, number % 1000),
            chance.choice(surnames) + "".join(chance.choice(given) for _ in range(chance.choice((1, 2)))),
            f"139{chance.randrange(10**8):08d}",
            f"370303{chance.randrange(1, 12):03d}{chance.randrange(1, 40):03d}",
            chance.choice(["成年居民", "学生儿童"]),
        ])
    return rows


def as_excel_saves_it(data: bytes) -> bytes:
    """A workbook openpyxl wrote (every text cell inline) with its text moved to a shared
    strings table, as Excel saves it."""
    strings: dict[bytes, int] = {}

    def shared(match) -> bytes:
        index = strings.setdefault(match[2], len(strings))
        return b"<c%s t=\"s\"><v>%d</v></c>" % (match[1], index)

    def sheet(content: bytes) -> bytes:
        return re.sub(rb'<c([^>]*?) t="inlineStr"><is>(.*?)</is></c>', shared, content)

    def write(part) -> None:
        part.write(SST + b"".join(b"<si>" + text + b"</si>" for text in strings) + b"</sst>")

    moved = with_parts(data, {"xl/worksheets/sheet1.xml": sheet, **SHARED_STRINGS_DECLARED})
    return with_parts(moved, add={"xl/sharedStrings.xml": write})
