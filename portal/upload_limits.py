"""Limits on the officers' django-import-export uploads (regions, service points, standards).

The station and assistance imports read their files themselves (enrollment/rolls.py,
assistance/identity_imports.py, assistance/settlement_imports.py) with their own limits; the
import-export pages would otherwise take a file of any size, in a format its name merely claims,
and hand a zipped spreadsheet to openpyxl unmeasured.
"""

import io
import re
import zipfile
import zlib

from django import forms
from import_export.forms import ImportForm

MAX_IMPORT_BYTES = 20 * 1024 * 1024
# Shandong has about 90,000 villages and communities: a province's region list must fit.
MAX_IMPORT_ROWS = 200_000
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
# A worksheet's rows are <row> elements (<x:row> when a writer names the namespace). Counting
# them in the unpacked XML, a piece at a time, needs neither openpyxl nor the whole sheet in
# memory: 200 MB of XML may hold millions of rows, which import-export would load at once.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_TAG_LONGEST = 64
_PIECE_BYTES = 1024 * 1024
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


def check_import_bytes(data: bytes, *, format_title: str) -> None:
    """Raise ValidationError (in Chinese) unless ``data`` is a plausible file of that format."""
    title = format_title.lower()
    if title == "xlsx":
        if not data.startswith(ZIP_MAGIC):
            raise forms.ValidationError("文件内容不是 XLSX 工作簿；请在 Excel 中另存为 .xlsx，或选择与文件相符的格式。")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if sum(member.file_size for member in archive.infolist()) > MAX_XLSX_UNPACKED:
                    raise forms.ValidationError("这个 XLSX 文件解压后过大，请只保留要导入的工作表后再试。")
                sheets = [name for name in archive.namelist() if _SHEET_PART.fullmatch(name)]
                longest = max((_sheet_rows(archive, name) for name in sheets), default=0)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
            raise forms.ValidationError("无法打开这个 XLSX 文件，请确认它是用 Excel 保存的 .xlsx 文件。") from error
        if longest > MAX_IMPORT_ROWS + 1:
            raise forms.ValidationError(f"工作表超过 {MAX_IMPORT_ROWS:,} 行，请分成几个文件导入。")
        return
    # Text formats (CSV, TSV, JSON): text never holds NUL bytes; spreadsheets and binaries do.
    if b"\x00" in data or data.startswith(ZIP_MAGIC):
        raise forms.ValidationError(f"文件内容不是 {format_title} 文本；请另存为 UTF-8 编码的 {format_title} 后再导入。")
    if data.count(b"\n") > MAX_IMPORT_ROWS + 1:
        raise forms.ValidationError(f"文件超过 {MAX_IMPORT_ROWS:,} 行，请分成几个文件导入。")


def _sheet_rows(archive: zipfile.ZipFile, name: str) -> int:
    """How many rows one worksheet part has; a tag cut between two pieces is counted once, in
    the piece where it ends."""
    count, carried = 0, b""
    with archive.open(name) as part:
        while piece := part.read(_PIECE_BYTES):
            text = carried + piece
            count += sum(1 for tag in _ROW_TAG.finditer(text) if tag.end() > len(carried))
            carried = text[-_ROW_TAG_LONGEST:]
    return count


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
