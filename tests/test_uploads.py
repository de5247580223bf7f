"""Uploads (issue 7): every upload has a size limit and a row limit, its type is checked by its
content and not its name, nothing of a refused file is written, formula-looking cells are
neutralised on every export, and uploaded files are never reachable by a public address."""

import csv
import io
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from tests.logins import otp_login
from tests.portal.spreadsheets.workbooks import billion_laughs_strings, repeated_strings, with_shared_strings

pytestmark = pytest.mark.django_db

WANG = "370303195203151223"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORMULAS = ["=HYPERLINK(\"http://example.invalid\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)"]


def csv_bytes(header, *rows) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    return text.getvalue().encode("utf-8-sig")


def xlsx_bytes(header, *rows) -> bytes:
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(*labels) -> dict:
    return {label: apps.get_model(label).objects.count() for label in labels}


@pytest.fixture
def clerk_client(clerk_client, on_2022_window, settings, tmp_path):
    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return clerk_client


# --- station roll import (enrollment/views/imports.py) ----------------------------------------

ROLL_HEADER = ["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"]
ROLL_ROW = ["370303198505200361", "韩梅", "13905330001", "370303001002", "成年居民"]


def roll_post(client, name: str, content: bytes):
    return client.post(reverse("station:roll_import"), {"year": 2022, "roll": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("name, content, message", [
    ("名单.csv", b"x" * (5 * 1024 * 1024 + 1), "超过 5 MB"),
    ("名单.xlsx", csv_bytes(ROLL_HEADER, ROLL_ROW), "无法打开这个 XLSX 文件"),
    ("名单.csv", xlsx_bytes(ROLL_HEADER, ROLL_ROW), "内容却是 Excel 工作簿"),
    ("名单.csv", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "旧版 Excel"),
    ("名单.exe", b"MZ\x90\x00", "只能导入 CSV 或 XLSX 文件"),
])
def test_the_station_roll_upload_refuses_big_or_mislabelled_files(clerk_client, name, content, message):
    before = counts("enrollment.Resident", "enrollment.Enrollment")
    response = roll_post(clerk_client, name, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert counts("enrollment.Resident", "enrollment.Enrollment") == before
    staged = Path(django_settings.ROLL_UPLOAD_DIR)
    assert not staged.exists() or not list(staged.iterdir())  # nothing of the refused file is kept


def test_the_station_roll_upload_refuses_too_many_rows(clerk_client, monkeypatch):
    from enrollment.imports import forms as roll_forms

    monkeypatch.setattr(roll_forms, "MAX_ROWS", 2)
    response = roll_post(clerk_client, "名单.csv", csv_bytes(ROLL_HEADER, ROLL_ROW, ROLL_ROW, ROLL_ROW))
    assert response.status_code == 200 and "2" in response.content.decode()
    assert "token" not in response.context or not response.context.get("token")


# --- the officers' identity-list and settlement imports (assistance) --------------------------

IDENTITY_HEADER = ["身份证号", "姓名", "困难类别", "认定部门", "认定文号", "有效期起", "有效期止"]
IDENTITY_ROW = [WANG, "王秀兰", "低保对象", "民政", "张民低〔2022〕1号", "2022-01-01", ""]
SETTLEMENT_HEADER = ["身份证号", "结算日期", "医疗机构", "就诊类别", "医疗总费用", "政策范围内费用",
                     "基本医保支付", "大病保险支付", "医疗救助支付", "个人负担"]
SETTLEMENT_ROW = [WANG, "2022-05-01", "淄博市中心医院", "住院", "1000", "800", "500", "0", "0", "500"]


def identity_post(client, name: str, content: bytes):
    return client.post(reverse("admin:assistance_assistanceidentity_import"), {"file": SimpleUploadedFile(name, content)})


def settlement_post(client, name: str, content: bytes):
    return client.post(reverse("admin:assistance_settlement_import"), {"file": SimpleUploadedFile(name, content)})


def test_identity_lists_over_the_size_or_row_limit_are_refused(officer_client, monkeypatch):
    from assistance.identities import admin as identities_admin
    from assistance.identities import forms as identities_forms

    before = counts("assistance.AssistanceIdentity", "assistance.IdentityImport")
    monkeypatch.setattr(identities_forms, "MAX_UPLOAD_BYTES", 100)
    response = identity_post(officer_client, "名单.csv", csv_bytes(IDENTITY_HEADER, IDENTITY_ROW, IDENTITY_ROW))
    assert "文件超过 20 MB" in response.content.decode()
    monkeypatch.setattr(identities_forms, "MAX_UPLOAD_BYTES", 10_000)
    monkeypatch.setattr(identities_admin, "MAX_LIST_ROWS", 1)
    response = identity_post(officer_client, "名单.csv", csv_bytes(IDENTITY_HEADER, IDENTITY_ROW, IDENTITY_ROW))
    assert "网页导入最多 1 行" in response.content.decode() and not response.context["token"]
    assert counts("assistance.AssistanceIdentity", "assistance.IdentityImport") == before


@pytest.mark.parametrize("name, content", [
    ("名单.xlsx", csv_bytes(IDENTITY_HEADER, IDENTITY_ROW)),
    ("名单.csv", b"\x00\x01binary" * 10),
    ("名单.pdf", PDF),
])
def test_identity_lists_are_checked_by_content(officer_client, name, content):
    before = counts("assistance.AssistanceIdentity", "assistance.IdentityImport")
    response = identity_post(officer_client, name, content)
    assert response.status_code == 200 and not response.context["token"]
    assert counts("assistance.AssistanceIdentity", "assistance.IdentityImport") == before


def test_settlement_files_over_the_size_or_row_limit_are_refused(officer_client, monkeypatch):
    from assistance.settlements import admin as settlements_admin
    from assistance.settlements import forms as settlements_forms

    before = counts("assistance.Settlement")
    monkeypatch.setattr(settlements_forms, "MAX_SETTLEMENT_UPLOAD_BYTES", 100)
    response = settlement_post(officer_client, "结算.csv", csv_bytes(SETTLEMENT_HEADER, SETTLEMENT_ROW))
    assert "超过 20 MB" in response.content.decode()
    monkeypatch.setattr(settlements_forms, "MAX_SETTLEMENT_UPLOAD_BYTES", 10_000)
    monkeypatch.setattr(settlements_admin, "MAX_SETTLEMENT_ROWS", 1)
    second = [WANG, "2022-06-01", "淄博市中心医院", "住院", "1000", "800", "500", "0", "0", "500"]
    response = settlement_post(officer_client, "结算.csv", csv_bytes(SETTLEMENT_HEADER, SETTLEMENT_ROW, second))
    assert "网页导入最多 1 行" in response.content.decode()
    assert counts("assistance.Settlement") == before


@pytest.mark.parametrize("name, content, message", [
    ("结算.xlsx", csv_bytes(SETTLEMENT_HEADER, SETTLEMENT_ROW), "XLSX"),
    ("结算.csv", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "旧版 Excel"),
    ("结算.csv", b"\x00\x01binary" * 10, "不是文本格式"),
])
def test_settlement_files_are_checked_by_content(officer_client, name, content, message):
    before = counts("assistance.Settlement")
    response = settlement_post(officer_client, name, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert counts("assistance.Settlement") == before


# --- application attachments ------------------------------------------------------------------

def _application_of_chezhan(clerk_client):
    from assistance.models import Application

    for application in Application.objects.order_by("pk"):
        if application.state not in ("rejected", "paid") and \
                clerk_client.get(reverse("assistance:application", args=[application.pk])).status_code == 200:
            return application
    pytest.fail("no open application of 车站街道 in the demo")


@pytest.fixture
def with_cases(clerk_client):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    return clerk_client


@pytest.mark.parametrize("name, content, message", [
    ("发票.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "超过 5 MB"),
    ("发票.pdf", b"MZ\x90\x00 a program, not a PDF", "不是 PDF、PNG 或 JPEG 文件"),
    ("照片.png", b"<html><script>alert(1)</script></html>", "不是 PDF、PNG 或 JPEG 文件"),
])
def test_attachments_are_limited_in_size_and_checked_by_content(with_cases, name, content, message):
    application = _application_of_chezhan(with_cases)
    before = application.attachments.count()
    response = with_cases.post(reverse("assistance:attachment_upload", args=[application.pk]),
                               {"file": SimpleUploadedFile(name, content)}, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert application.attachments.count() == before
    private = Path(django_settings.PRIVATE_STORAGE_ROOT)
    assert not private.exists() or not [p for p in private.rglob("*") if p.is_file()]


def test_an_attachment_is_stored_privately_and_only_its_region_may_fetch_it(with_cases, clerk_other):

    application = _application_of_chezhan(with_cases)
    with_cases.post(reverse("assistance:attachment_upload", args=[application.pk]),
                    {"file": SimpleUploadedFile("发票.pdf", PDF)})
    attachment = application.attachments.get()
    stored = attachment.path
    assert stored.is_file() and Path(django_settings.PRIVATE_STORAGE_ROOT) in stored.parents
    assert attachment.original_name not in stored.name  # the resident's file name is not the stored name
    url = reverse("assistance:attachment", args=[attachment.pk])
    assert with_cases.get(url).status_code == 200
    assert Client().get(url).status_code == 302  # anonymous: to the login page
    other = Client()
    otp_login(other, clerk_other)
    assert other.get(url).status_code == 404


def test_uploaded_files_live_outside_every_public_directory_and_no_address_serves_files():
    private = [Path(django_settings.PRIVATE_STORAGE_ROOT).resolve(), Path(django_settings.ROLL_UPLOAD_DIR).resolve()]
    static_dirs = [d[1] if isinstance(d, tuple) else d for d in django_settings.STATICFILES_DIRS]  # (prefix, path)
    public = [Path(django_settings.STATIC_ROOT).resolve(), *(Path(d).resolve() for d in static_dirs)]
    if getattr(django_settings, "MEDIA_ROOT", ""):
        public.append(Path(django_settings.MEDIA_ROOT).resolve())
    for folder in private:
        for exposed in public:
            assert folder != exposed and exposed not in folder.parents and folder not in exposed.parents, (folder, exposed)

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    assert serve not in list(views(get_resolver().url_patterns))


# --- the officers' django-import-export uploads (portal/spreadsheets/admin_forms.py) ---------------------

def _import_page_post(client, url_name: str, name: str, content: bytes, format_title: str):
    url = reverse(url_name)
    form = client.get(url).context["form"]
    index = next(value for value, label in form.fields["format"].choices if label.lower() == format_title)
    return client.post(url, {"resource": "0", "format": index, "import_file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("url_name", ["admin:enrollment_contributionstandard_import", "admin:benefits_benefitpolicy_import"])
@pytest.mark.parametrize("name, content, format_title, message", [
    ("标准.xlsx", b"year,region\n2030,370300\n", "xlsx", "不是 XLSX 工作簿"),
    ("标准.csv", b"year,region\x00\x00\n", "csv", "不是 csv 文本"),
    ("标准.csv", xlsx_bytes(["year"], [2030]), "csv", "不是 csv 文本"),
])
def test_standard_imports_are_checked_by_content(officer_client, url_name, name, content, format_title, message):
    before = counts("enrollment.ContributionStandard", "benefits.BenefitPolicy")
    response = _import_page_post(officer_client, url_name, name, content, format_title)
    assert response.status_code == 200 and message.lower() in response.content.decode().lower()
    assert counts("enrollment.ContributionStandard", "benefits.BenefitPolicy") == before


def test_standard_imports_over_the_size_or_row_limit_are_refused(officer_client, monkeypatch):
    from portal.spreadsheets import admin_forms

    url_name = "admin:enrollment_contributionstandard_import"
    monkeypatch.setattr(admin_forms, "MAX_IMPORT_BYTES", 10)
    response = _import_page_post(officer_client, url_name, "标准.csv", b"year,region\n2030,370300\n", "csv")
    assert "超过 20 MB" in response.content.decode()
    monkeypatch.setattr(admin_forms, "MAX_IMPORT_BYTES", 10_000)
    monkeypatch.setattr(admin_forms, "MAX_IMPORT_ROWS", 1)
    response = _import_page_post(officer_client, url_name, "标准.csv", b"year,region\n2030,370300\n2031,370300\n", "csv")
    assert "请分成几个文件导入" in response.content.decode()
    before = counts("enrollment.ContributionStandard")
    workbook = xlsx_bytes(["year", "region"], [2030, "370300"], [2031, "370300"])
    response = _import_page_post(officer_client, url_name, "标准.xlsx", workbook, "xlsx")
    assert "工作表超过 1 行，请分成几个文件导入" in response.content.decode()
    assert counts("enrollment.ContributionStandard") == before


@pytest.mark.parametrize("piece_bytes", [1, 5, 13, 64, 1024 * 1024])
@pytest.mark.parametrize("rows", [0, 1, 2, 57])
def test_xlsx_rows_are_counted_without_opening_the_workbook(monkeypatch, piece_bytes, rows):
    """However the unpacked sheet is cut into pieces, each row counts once; the limit counts
    the header too, as for CSV."""
    from portal.spreadsheets import admin_forms

    monkeypatch.setattr(admin_forms, "_PIECE_BYTES", piece_bytes)
    data = xlsx_bytes(["姓名", "金额"], *[[f"居民{n}", n] for n in range(rows)])
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert admin_forms._sheet_rows(archive, "xl/worksheets/sheet1.xml") == book.active.max_row == rows + 1
    monkeypatch.setattr(admin_forms, "MAX_IMPORT_ROWS", rows)
    admin_forms.check_import_bytes(data, format_title="xlsx")
    monkeypatch.setattr(admin_forms, "MAX_IMPORT_ROWS", rows - 1)
    with pytest.raises(ValidationError, match="工作表超过"):
        admin_forms.check_import_bytes(data, format_title="xlsx")


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def rows_in(part: str, *, name: str = "xl/worksheets/sheet1.xml") -> int:
    from portal.spreadsheets import admin_forms

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, part.encode())
    with zipfile.ZipFile(packed) as archive:
        return admin_forms._sheet_rows(archive, name)


@pytest.mark.parametrize("part, rows", [
    # Any prefix for the namespace, ASCII or not; rows without a number follow the one before.
    (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"/><x:row><x:c/></x:row><x:row>\n</x:row>'
     '</x:sheetData><x:rowBreaks/></x:worksheet>', 3),
    (f'<表:worksheet xmlns:表="{MAIN}"><表:sheetData><表:row/><表:row/></表:sheetData></表:worksheet>', 2),
    # openpyxl yields an empty row for every number a sheet skips: one element can be 300,000 rows.
    (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"/><row r="300000"/></sheetData></worksheet>', 300_000),
    (f'<worksheet xmlns="{MAIN}"><sheetData><row r="7"/><row/><row r="2"/></sheetData></worksheet>', 8),
    # Row numbers as openpyxl reads them: int() first, then a whole float().
    (f'<worksheet xmlns="{MAIN}"><sheetData><row r="+20000"/></sheetData></worksheet>', 20_000),
    (f'<worksheet xmlns="{MAIN}"><sheetData><row r=" 2e4"/></sheetData></worksheet>', 20_000),
    (f'<worksheet xmlns="{MAIN}"><sheetData><row r="20000.0"/><row/></sheetData></worksheet>', 20_001),
    # A drawing's anchors have row elements of another namespace: not rows of a sheet.
    ('<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">'
     '<xdr:twoCellAnchor><xdr:from><xdr:row>4</xdr:row></xdr:from></xdr:twoCellAnchor></xdr:wsDr>', 0),
    ('<row r="9"/>', 0),  # no namespace: not a sheet
])
def test_xlsx_rows_are_the_rows_openpyxl_would_read(part, rows):
    assert rows_in(part) == rows


@pytest.mark.parametrize("name", ["xl/data.xml", "xl/worksheets/sheet1.bin"])
def test_a_sheet_stored_under_another_name_is_counted_too(monkeypatch, name):
    from portal.spreadsheets import admin_forms

    data = xlsx_bytes(["year"], [2030], [2031])
    renamed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(renamed, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename).replace(b"worksheets/sheet1.xml", name[3:].encode())
            target.writestr(name if member.filename == "xl/worksheets/sheet1.xml" else member.filename, content)
    assert openpyxl.load_workbook(io.BytesIO(renamed.getvalue()), read_only=True).active.max_row == 3
    monkeypatch.setattr(admin_forms, "MAX_IMPORT_ROWS", 1)
    with pytest.raises(ValidationError, match="工作表超过 1 行"):
        admin_forms.check_import_bytes(renamed.getvalue(), format_title="xlsx")


def test_an_officer_imports_regions_from_an_xlsx_through_the_limited_format(officer_client):
    from portal.network.models import Region

    url_name = "admin:portal_region_import"
    workbook = xlsx_bytes(["code", "name", "parent_code"], ["370303001099", "测试社区", "370303001000"])
    response = _import_page_post(officer_client, url_name, "区划.xlsx", workbook, "xlsx")
    page = response.content.decode()
    assert response.status_code == 200 and "测试社区" in page and "errorlist" not in page
    assert not Region.objects.filter(code="370303001099").exists()  # a dry run until confirmed


def test_a_non_integer_row_number_is_refused_as_openpyxl_refuses_it():
    with pytest.raises(ValueError):
        rows_in(f'<worksheet xmlns="{MAIN}"><sheetData><row r="2.5"/></sheetData></worksheet>')


def test_the_xlsx_format_reads_no_more_rows_than_the_limit(monkeypatch):
    """The backstop behind the count: whatever a workbook makes openpyxl produce, import-export
    gets at most MAX_IMPORT_ROWS rows after the header."""
    from portal.spreadsheets import admin_forms

    monkeypatch.setattr(admin_forms, "MAX_IMPORT_ROWS", 2)
    reader = admin_forms.LimitedXLSX()
    dataset = reader.create_dataset(xlsx_bytes(["year", "region"], [2030, "370300"], [2031, "370300"]))
    assert dataset.headers == ["year", "region"] and dataset.dict == [
        {"year": 2030, "region": "370300"}, {"year": 2031, "region": "370300"}]
    with pytest.raises(ValueError, match="more than 2 rows"):
        reader.create_dataset(xlsx_bytes(["year"], [2030], [2031], [2032]))
    assert admin_forms.LimitedXLSX in admin_forms.IMPORT_FORMATS
    assert reader.get_title() == "xlsx"


def test_a_workbook_part_with_a_document_type_declaration_is_refused():
    from portal.spreadsheets import admin_forms

    data = xlsx_bytes(["year"], [2030])
    bombed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(bombed, "w") as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>' + content
            target.writestr(member.filename, content)
    with pytest.raises(ValidationError, match="这个 XLSX 文件里有 XML 实体声明"):
        admin_forms.check_import_bytes(bombed.getvalue(), format_title="xlsx")


# --- workbooks built to exhaust a worker: 187 MB of shared strings, nested entities ------------

HOSTILE_WORKBOOKS = pytest.mark.parametrize("build, message", [
    pytest.param(lambda: with_shared_strings(repeated_strings(187)), "文字（共享字符串）解压后超过 8 MB",
                 id="187 MB of shared strings"),
    pytest.param(lambda: with_shared_strings(billion_laughs_strings), "XML 实体声明", id="billion laughs"),
])


@HOSTILE_WORKBOOKS
def test_the_station_roll_page_refuses_a_hostile_workbook_with_what_to_fix(clerk_client, build, message):
    data = build()
    before = counts("enrollment.Resident", "enrollment.Enrollment")
    started = time.perf_counter()
    response = roll_post(clerk_client, "名单.xlsx", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert time.perf_counter() - started < 2
    assert counts("enrollment.Resident", "enrollment.Enrollment") == before


@HOSTILE_WORKBOOKS
def test_the_officers_import_pages_refuse_a_hostile_workbook_with_what_to_fix(officer_client, build, message):
    data = build()
    before = counts("assistance.Settlement", "enrollment.ContributionStandard")
    response = settlement_post(officer_client, "结算.xlsx", data)
    assert response.status_code == 200 and message in response.content.decode()
    url_name = "admin:enrollment_contributionstandard_import"
    response = _import_page_post(officer_client, url_name, "标准.xlsx", data, "xlsx")
    assert response.status_code == 200 and message in response.content.decode()
    assert counts("assistance.Settlement", "enrollment.ContributionStandard") == before


# --- formula-looking cells are neutralised on every export ------------------------------------

def cells(response) -> list:
    body = response.content
    if "spreadsheetml" in response["Content-Type"]:
        book = openpyxl.load_workbook(io.BytesIO(body))
        found = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in found if c.data_type == "f"], "a live formula in the workbook"
        return [c.value for c in found if c.value is not None]
    return [value for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for value in row]


def test_formula_looking_names_are_exported_as_text_everywhere(with_cases, officer):
    from assistance.batches.services import batch_generate
    from assistance.identities.services import categories_refresh
    from enrollment.models import Resident
    from enrollment.services import enrollment_register
    from portal.network.models import Region
    from portal.privacy.id_numbers import make_id_number
    from portal.privacy.id_vault import id_digest
    from portal.shared.vocabulary import Category
    from tests.assistance.identity_helpers import identity, second_officer

    zhao = make_id_number("370303", date(1990, 3, 3), 55)
    identity(zhao, name="赵伟", document="张民低〔2021〕78号", imported_by=officer, verified_by=second_officer())
    categories_refresh(on=date(2021, 10, 15))
    enrollment_register(resident=Resident.objects.get(id_digest=id_digest(zhao)), year=2022, category=Category.ADULT,
                        clerk=apps.get_model("auth.User").objects.get(username="clerk_chezhan"), on=date(2021, 10, 15))
    batch_generate(year=2022, region=Region.objects.get(code="370303001000"), officer=officer)
    for index, resident in enumerate(Resident.objects.order_by("pk")):
        Resident.objects.filter(pk=resident.pk).update(name=FORMULAS[index % len(FORMULAS)])

    officer_client = Client()
    otp_login(officer_client, officer)
    exports = []
    for year in (2021, 2022):
        for export_format in ("csv", "xlsx"):
            for name in ("station:follow_up", "assistance:uninsured"):
                exports.append(with_cases.get(reverse(name), {"year": year, "format": export_format}))
    grants = list(apps.get_model("assistance.ReassistanceGrant").objects.values_list("pk", flat=True))
    for action in ("export_xlsx", "export_csv"):
        exports.append(officer_client.post(reverse("admin:assistance_reassistancegrant_changelist"),
                                           {"action": action, "_selected_action": grants, "index": 0}))
    export_url = reverse("admin:assistance_paymentbatchitem_export")
    form = officer_client.get(export_url).context["form"]
    for wanted in ("xlsx", "csv"):
        data = {field: "on" for field, f in form.fields.items() if getattr(f.widget, "input_type", "") == "checkbox"}
        data["format"] = next(v for v, label in form.fields["format"].choices if label.lower() == wanted)
        data["resource"] = "0"
        exports.append(officer_client.post(export_url, data))

    shown = []
    for response in exports:
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        values = [str(value) for value in cells(response)]
        assert not [v for v in values if v.startswith(("=", "+", "@")) or v.startswith("-") and not _is_number(v)]
        shown += [v for v in values if v.lstrip("'") in FORMULAS]
    # The names did reach the exports, as text with the apostrophe that tells Excel so.
    assert shown and all(v.startswith("'") for v in shown)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
