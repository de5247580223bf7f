"""The forms of the officers' django-import-export pages (regions, service points, standards).

Uploads are limited: the import-export pages would otherwise take a file of any size, in a
format its name merely claims, and hand a zipped spreadsheet to openpyxl unmeasured. The station
and assistance imports read their files with ``portal.spreadsheets.reading``, whose XLSX guard
(``xlsx_archive``) these pages share. Exports get a "Select all" box that works under the
Content Security Policy.
"""

import io
import zipfile
import zlib
from xml.parsers import expat

import openpyxl
import tablib
from django import forms
from import_export.formats.base_formats import DEFAULT_FORMATS, XLSX
from import_export.forms import ImportForm, SelectableFieldsExportForm

from portal.spreadsheets.reading import UNREADABLE_XLSX, XLSX_DECLARATIONS, ZIP_MAGIC, TableError, xlsx_archive
from portal.spreadsheets.responses import xlsx_bytes

MAX_IMPORT_BYTES = 20 * 1024 * 1024
# Shandong has about 90,000 villages and communities: a province's region list must fit.
MAX_IMPORT_ROWS = 200_000
# The rows openpyxl will read are the <row> elements of the spreadsheet namespace in the
# worksheet parts, counted here while the XML is unpacked a piece at a time: 200 MB of XML may
# hold millions of rows, which import-export would load at once. A part's name and its prefix
# for the namespace are the writer's choice, so every XML part is read and names are compared
# with their namespace. openpyxl numbers a row by its r attribute and yields empty rows for the
# numbers a sheet skips, so the count is the highest row number, not the number of elements.
_SPREADSHEET_NAMESPACES = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
}
_PIECE_BYTES = 1024 * 1024


def _row_number(text: str) -> int:
    """A row's r attribute read as openpyxl's WorkSheetParser.parse_row reads it ("+20000",
    "2e4" and "20000.0" are row 20,000); ValueError where openpyxl raises one too."""
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


def check_import_bytes(data: bytes, *, format_title: str) -> None:
    """Raise ValidationError (in Chinese) unless ``data`` is a plausible file of that format."""
    title = format_title.lower()
    if title == "xlsx":
        if not data.startswith(ZIP_MAGIC):
            raise forms.ValidationError("文件内容不是 XLSX 工作簿；请在 Excel 中另存为 .xlsx，或选择与文件相符的格式。")
        try:
            with xlsx_archive(data) as archive:
                longest = max((_sheet_rows(archive, member.filename) for member in archive.infolist()
                               if not member.is_dir() and _is_xml(archive, member.filename)), default=0)
        except TableError as error:
            raise forms.ValidationError(error.message) from error
        # Encrypted members (RuntimeError), unknown compression (NotImplementedError), row
        # numbers openpyxl refuses (ValueError): a file import-export could not read either.
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, expat.ExpatError, RuntimeError,
                NotImplementedError, ValueError) as error:
            raise forms.ValidationError(UNREADABLE_XLSX) from error
        if longest > MAX_IMPORT_ROWS + 1:
            raise forms.ValidationError(f"工作表超过 {MAX_IMPORT_ROWS:,} 行，请分成几个文件导入。")
        return
    # Text formats (CSV, TSV, JSON): text never holds NUL bytes; spreadsheets and binaries do.
    if b"\x00" in data or data.startswith(ZIP_MAGIC):
        raise forms.ValidationError(f"文件内容不是 {format_title} 文本；请另存为 UTF-8 编码的 {format_title} 后再导入。")
    if data.count(b"\n") > MAX_IMPORT_ROWS + 1:
        raise forms.ValidationError(f"文件超过 {MAX_IMPORT_ROWS:,} 行，请分成几个文件导入。")


def _is_xml(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether a member is XML by its first bytes: a sheet may be stored under any name the
    workbook's relationships give it, while images and printer settings are binary."""
    with archive.open(name) as member:
        head = member.read(64)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _sheet_rows(archive: zipfile.ZipFile, name: str) -> int:
    """How many rows openpyxl would read from one part of the workbook (0 if it is no sheet)."""
    last = 0
    highest = 0

    def start(tag: str, attributes: dict) -> None:
        nonlocal last, highest
        namespace, _, local = tag.rpartition(" ")
        if local == "row" and namespace in _SPREADSHEET_NAMESPACES:
            last = _row_number(attributes["r"]) if "r" in attributes else last + 1
            highest = max(highest, last)

    def no_declarations(*args) -> None:
        raise TableError(XLSX_DECLARATIONS)  # never in a workbook; entities are a risk

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = no_declarations
    parser.EntityDeclHandler = no_declarations
    with archive.open(name) as part:
        while piece := part.read(_PIECE_BYTES):
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    return highest


class LimitedXLSX(XLSX):
    """import-export's XLSX format, reading at most MAX_IMPORT_ROWS rows after the header.

    check_import_bytes refuses a longer sheet with a message that says what to do; this is what
    guarantees the limit should a workbook still make openpyxl produce more rows than that
    check counted (openpyxl makes an empty row for each row number a sheet skips)."""

    def create_dataset(self, in_stream):
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        rows = book.active.rows
        dataset = tablib.Dataset()
        dataset.headers = [cell.value for cell in next(rows, ())]
        for count, row in enumerate(rows, start=1):
            if count > MAX_IMPORT_ROWS:
                raise ValueError(f"more than {MAX_IMPORT_ROWS} rows")
            dataset.append([cell.value for cell in row])
        return dataset


# The officers' import formats: import-export's own, with XLSX read by LimitedXLSX.
IMPORT_FORMATS = [LimitedXLSX if format_class is XLSX else format_class for format_class in DEFAULT_FORMATS]


class TypedXLSX(XLSX):
    """XLSX exports with amounts, counts and dates as typed cells in their formats (tablib writes
    them unformatted), through the same writer as the portal's own lists."""

    def export_data(self, dataset, **kwargs):
        return xlsx_bytes(dataset.headers or [], dataset)


EXPORT_FORMATS = [TypedXLSX if format_class is XLSX else format_class for format_class in DEFAULT_FORMATS]


class LimitedImportForm(ImportForm):
    """import-export's upload form, refusing files too large, too long, or not what they claim."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self._format_classes = formats

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        chosen = cleaned.get("format")
        if upload is None or chosen in (None, ""):
            return cleaned
        if upload.size > MAX_IMPORT_BYTES:
            self.add_error("import_file", f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 20 MB；请分成几个文件导入。")
            return cleaned
        try:
            format_title = self._format_classes[int(chosen)]().get_title()
        except (ValueError, IndexError):
            return cleaned  # the format field reports its own error
        data = upload.read()
        upload.seek(0)
        try:
            check_import_bytes(data, format_title=format_title)
        except forms.ValidationError as error:
            self.add_error("import_file", error)
        return cleaned


class PolicyExportForm(SelectableFieldsExportForm):
    """import-export's export form, made to work under the portal's Content Security Policy.

    Its template wires the "Select all" box with an inline ``onchange=`` attribute, which
    ``script-src 'self'`` (portal/settings.py) does not run: the box did nothing. A static script
    (static/js/export-select-all.js) binds the same handler instead. The browser still reports the
    refused attribute when it reads the page; only a copy of the template would avoid that."""

    class Media:
        js = ["js/export-select-all.js"]  # after import-export's own script, whose handler it binds

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        # Each field to choose named as its column is in the file (成年居民个人缴费), not by the
        # library's title-cased attribute name ("Contribution Adult").
        for resource in resources:
            exported = resource()
            label_of = getattr(exported, "column_label", None)
            if label_of is None:
                continue
            for name in exported.get_export_order():
                choice = self.fields.get(self.create_boolean_field_name(resource, name))
                if choice is not None and name in exported.fields:
                    choice.label = label_of(exported.fields[name])
