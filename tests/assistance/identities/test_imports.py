"""Department lists: every row is checked, refused rows are named with the reason in Chinese,
and one refused row means nothing at all is written (command and admin page alike)."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from assistance.identities.imports import ListFileError, identities_import, read_identity_list
from assistance.models import AssistanceIdentity, IdentityImport
from enrollment.models import Resident
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest
from tests.assistance.identity_helpers import NOBODY, SUN_LI, WANG, second_officer
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

HEADER = ["身份证号", "姓名", "困难类别", "认定部门", "认定文号", "有效期起", "有效期止"]
OTHER = make_id_number("370303", date(1961, 4, 4), 86)  # not registered either


def good_rows() -> list[list[str]]:
    return [
        [WANG, "王秀兰", "低保对象", "民政", "张民低〔2022〕1号", "2022-01-01", "2022-12-31"],
        [SUN_LI, "孙丽", "monitored", "乡村振兴", "张振监〔2022〕2号", "2022/01/01", ""],
        [NOBODY, "马春兰", "特困人员", "民政", "张民特〔2022〕3号", "2022-01-01", ""],
    ]


def csv_file(rows, encoding: str = "utf-8-sig", name: str = "名单.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))


def write_csv(tmp_path, rows) -> str:
    path = tmp_path / "民政名单.csv"
    path.write_bytes(csv_file(rows).read())
    return str(path)


def run_json(path: str, *extra: str) -> tuple[dict, bool]:
    out = io.StringIO()
    try:
        call_command("import_identities", path, "--user", "officer", "--json", *extra, stdout=out)
        failed = False
    except CommandError:
        failed = True
    return json.loads(out.getvalue()), failed


def test_a_good_list_creates_pending_identities_and_reports_the_counts(demo, officer):
    report = identities_import(rows=read_identity_list(csv_file(good_rows())), file_name="名单.csv", officer=officer, dry_run=False)
    assert (report.rows, report.created, report.updated, report.matched_residents, report.unregistered) == (3, 3, 0, 2, 1)
    assert report.committed and report.errors == []
    assert set(AssistanceIdentity.objects.values_list("status", flat=True)) == {"pending"}
    source = IdentityImport.objects.get()
    assert (source.file_name, source.imported_by, source.created, source.unregistered) == ("名单.csv", officer, 3, 1)
    assert source.identities.count() == 3
    # Pending identities set no category.
    assert not Resident.objects.exclude(assistance_category="").exists()


def test_the_json_output_has_exactly_the_promised_shape(demo, tmp_path):
    result, failed = run_json(write_csv(tmp_path, good_rows()), "--dry-run")
    assert not failed
    assert result == {"rows": 3, "created": 3, "updated": 0, "matched_residents": 2, "unregistered": 1, "errors": [],
                      "duplicates": []}
    assert not AssistanceIdentity.objects.exists() and not IdentityImport.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([WANG[:-1], "王秀兰", "低保对象", "民政", "1号", "2022-01-01", ""], "身份证号有误：身份证号应为 18 位"),
        ([WANG[:-1] + ("0" if WANG[-1] != "0" else "1"), "王秀兰", "低保对象", "民政", "1号", "2022-01-01", ""], "校验位"),
        ([WANG, "王秀兰", "贫困户", "民政", "1号", "2022-01-01", ""], "困难类别“贫困户”无效"),
        ([WANG, "王秀兰", "低保对象", "民政", "1号", "2022-05-01", "2022-04-30"], "有效期止 2022-04-30 早于有效期起 2022-05-01"),
        ([WANG, "王秀兰", "低保对象", "乡村振兴", "1号", "2022-01-01", ""], "乡村振兴部门不认定“低保对象”"),
        ([WANG, "王秀兰", "低保对象", "财政", "1号", "2022-01-01", ""], "认定部门“财政”无效"),
        ([WANG, "王秀兰", "低保对象", "民政", "1号", "2022-13-01", ""], "有效期起“2022-13-01”不是有效日期"),
        ([WANG, "", "低保对象", "民政", "1号", "2022-01-01", ""], "姓名不能为空"),
    ],
)
def test_a_bad_row_is_named_with_its_reason_and_nothing_is_written(demo, tmp_path, row, message):
    result, failed = run_json(write_csv(tmp_path, [*good_rows(), row]))
    assert failed  # non-zero exit
    assert len(result["errors"]) == 1 and result["errors"][0]["row"] == 5
    assert message in result["errors"][0]["message"]
    assert not AssistanceIdentity.objects.exists() and not IdentityImport.objects.exists()


def test_the_same_person_and_category_twice_is_one_identity_and_the_repeats_are_listed(demo, officer):
    rows = good_rows()
    rows.append(list(rows[0]))  # row 5: row 2 again
    rows.append([*rows[0][:4], "张民低〔2022〕9号", *rows[0][5:]])  # row 6: another document, same period
    report = identities_import(rows=read_identity_list(csv_file(rows)), file_name="名单.csv", officer=officer,
                               dry_run=False)
    assert report.committed and report.errors == [] and (report.rows, report.created) == (5, 3)
    assert [duplicate.row for duplicate in report.duplicates] == [5, 6]
    assert "与第 2 行是同一人、同一困难类别" in report.duplicates[0].message
    assert AssistanceIdentity.objects.filter(id_digest=id_digest(WANG)).count() == 1


def test_the_same_person_and_category_with_two_periods_is_refused_naming_both_rows(demo, tmp_path):
    rows = good_rows()
    rows.append([WANG, "王秀兰", "低保对象", "民政", "张民低〔2023〕1号", "2023-01-01", ""])  # row 5
    result, failed = run_json(write_csv(tmp_path, rows))
    assert failed and [error["row"] for error in result["errors"]] == [5]
    assert "有效期却不同（第 2 行 2022-01-01 至 2022-12-31，本行 2023-01-01 至 长期）" in result["errors"][0]["message"]


def test_the_same_person_under_two_categories_is_refused_naming_both_rows(demo, tmp_path):
    rows = good_rows()
    rows.append([WANG, "王秀兰", "特困人员", "民政", "张民特〔2022〕8号", "2022-01-01", ""])  # row 5
    result, failed = run_json(write_csv(tmp_path, rows))
    assert failed and [error["row"] for error in result["errors"]] == [5]
    assert "与第 2 行是同一人，困难类别却不同（第 2 行“低保对象”，本行“特困人员”）" in result["errors"][0]["message"]
    assert not AssistanceIdentity.objects.exists()


def test_a_list_of_many_rows_of_fewer_people_counts_the_people(demo, officer):
    rows = [[WANG, "王秀兰", "低保对象", "民政", f"张民低〔2022〕{n}号", "2022-01-01", ""] for n in range(50)]
    report = identities_import(rows=read_identity_list(csv_file(rows)), file_name="名单.csv", officer=officer,
                               dry_run=True)
    assert (report.rows, report.created, len(report.duplicates)) == (50, 1, 49)


def test_the_dry_run_lists_the_unregistered_people(demo, officer, client):
    client.force_login(officer)
    page = client.post(reverse("admin:assistance_assistanceidentity_import"),
                       {"file": csv_file(good_rows())}).content.decode()
    assert "未登记的人员（1 人）" in page and "马春兰" in page and NOBODY not in page


def test_a_second_import_updates_changed_rows_back_to_pending_and_skips_unchanged(demo, officer):
    first = identities_import(rows=read_identity_list(csv_file(good_rows())), file_name="一月.csv", officer=officer, dry_run=False)
    checker = second_officer()
    from assistance.identities.services import identity_import_verify

    identity_import_verify(source=first.source, officer=checker, on=date(2022, 3, 1))
    assert Resident.objects.get(name="王秀兰").assistance_category == "minimum_living"
    rows = good_rows()
    rows[0][6] = "2022-02-28"  # the department ended 王秀兰's identity early
    second = identities_import(rows=read_identity_list(csv_file(rows)), file_name="二月.csv", officer=checker,
                               dry_run=False, today=date(2022, 3, 1))
    assert (second.created, second.updated) == (0, 1)
    changed = AssistanceIdentity.objects.get(name="王秀兰")
    assert (changed.status, changed.valid_to, changed.source, changed.verified_by) == ("pending", date(2022, 2, 28), second.source, None)
    assert AssistanceIdentity.objects.get(name="孙丽").status == "verified"
    assert Resident.objects.get(name="王秀兰").assistance_category == ""


def test_an_xlsx_list_with_date_cells_and_a_gb18030_csv_are_read(demo, officer):
    book = Workbook()
    book.active.append(HEADER)
    book.active.append([WANG, "王秀兰", "低保对象", "民政", "张民低1号", date(2022, 1, 1), None])
    data = io.BytesIO()
    book.save(data)
    rows = read_identity_list(SimpleUploadedFile("名单.xlsx", data.getvalue()))
    identities_import(rows=rows, file_name="名单.xlsx", officer=officer, dry_run=False)
    stored = AssistanceIdentity.objects.get()
    assert (stored.name, stored.valid_from, stored.valid_to) == ("王秀兰", date(2022, 1, 1), None)
    gb = read_identity_list(csv_file(good_rows(), encoding="gb18030"))
    assert [row.name for row in gb] == ["王秀兰", "孙丽", "马春兰"]


def test_an_id_number_saved_as_an_excel_number_is_refused(demo, officer):
    book = Workbook()
    book.active.append(HEADER)
    book.active.append([int(OTHER[:17] + "0") if OTHER[-1] == "X" else int(OTHER), "某某", "低保对象", "民政", "1号", "2022-01-01", None])
    data = io.BytesIO()
    book.save(data)
    report = identities_import(rows=read_identity_list(SimpleUploadedFile("名单.xlsx", data.getvalue())),
                               file_name="名单.xlsx", officer=officer, dry_run=True)
    assert "存成了数字" in report.errors[0].message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.xls", b"x", "只能导入 CSV 或 XLSX"),
        ("名单.csv", "姓名,身份证号\n".encode(), "表头缺少"),
        ("名单.csv", ",".join(HEADER).encode(), "只有表头"),
        ("名单.xlsx", b"not a zip", "无法打开这个 XLSX"),
    ],
)
def test_an_unreadable_file_says_what_to_fix(name, content, message):
    with pytest.raises(ListFileError, match=message):
        read_identity_list(SimpleUploadedFile(name, content))


def test_the_command_refuses_an_unknown_user_or_one_without_the_permission(demo, tmp_path):
    path = write_csv(tmp_path, good_rows())
    with pytest.raises(CommandError, match="没有用户名为“nobody”"):
        call_command("import_identities", path, "--user", "nobody")
    with pytest.raises(CommandError, match="没有导入困难群众身份的权限"):
        call_command("import_identities", path, "--user", "clerk_chezhan")
    assert not AssistanceIdentity.objects.exists()


def test_the_command_text_output_and_commit(demo, tmp_path):
    out = io.StringIO()
    call_command("import_identities", write_csv(tmp_path, good_rows()), "--user", "officer", stdout=out)
    assert "新增 3 条" in out.getvalue() and "已导入" in out.getvalue()
    assert AssistanceIdentity.objects.count() == 3


# -- the admin page: upload, dry-run report, confirm --------------------------------------------

def test_the_admin_import_shows_a_dry_run_then_writes_on_confirm(demo, officer, client):
    client.force_login(officer)
    listing = client.get("/admin/assistance/assistanceidentity/")
    assert "导入部门名单" in listing.content.decode()
    response = client.post("/admin/assistance/assistanceidentity/import/", {"file": csv_file(good_rows())})
    page = response.content.decode()
    assert response.status_code == 200 and "新增身份 3 条" in page and "未登记 1 人" in page
    assert not AssistanceIdentity.objects.exists()
    token = response.context["token"]
    confirm = client.post("/admin/assistance/assistanceidentity/import/", {"token": token, "confirm": "1"})
    assert confirm.status_code == 302
    assert AssistanceIdentity.objects.count() == 3
    # The same token cannot write twice.
    again = client.post("/admin/assistance/assistanceidentity/import/", {"token": token, "confirm": "1"})
    assert again.status_code == 302 and IdentityImport.objects.count() == 1


def test_the_admin_import_lists_refused_rows_and_offers_no_confirm(demo, officer, client):
    client.force_login(officer)
    rows = [*good_rows(), [WANG, "王秀兰", "贫困户", "民政", "1号", "2022-01-01", ""]]
    response = client.post("/admin/assistance/assistanceidentity/import/", {"file": csv_file(rows)})
    page = response.content.decode()
    assert "困难类别“贫困户”无效" in page and "确认导入" not in page
    assert WANG not in page  # the report never shows a full number
    assert not AssistanceIdentity.objects.exists()


def test_another_officer_cannot_confirm_someone_elses_upload(demo, officer, client):
    client.force_login(officer)
    token = client.post("/admin/assistance/assistanceidentity/import/", {"file": csv_file(good_rows())}).context["token"]
    client.force_login(second_officer())
    client.post("/admin/assistance/assistanceidentity/import/", {"token": token, "confirm": "1"})
    assert not AssistanceIdentity.objects.exists()


def test_a_clerk_cannot_open_the_import_page(demo, clerk_chezhan, client):
    client.force_login(clerk_chezhan)
    response = client.get("/admin/assistance/assistanceidentity/import/")
    assert response.status_code in (302, 403)


def test_a_zip_that_is_not_a_workbook_is_refused_in_chinese():
    import zipfile

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ListFileError, match="无法打开这个 XLSX"):
        read_identity_list(SimpleUploadedFile("名单.xlsx", data.getvalue()))


def test_an_unreadable_upload_on_the_admin_page_is_a_message_not_an_error(demo, officer, client):
    client.force_login(officer)
    response = client.post("/admin/assistance/assistanceidentity/import/",
                           {"file": SimpleUploadedFile("名单.xlsx", b"garbage")}, follow=True)
    assert response.status_code == 200 and "无法打开这个 XLSX" in response.content.decode()
    assert not IdentityImport.objects.exists()


def test_a_list_waiting_for_confirmation_is_sealed_in_the_cache_and_bound_to_its_uploader(demo, officer, client):
    from django.core.cache import cache

    client.force_login(officer)
    token = client.post("/admin/assistance/assistanceidentity/import/", {"file": csv_file(good_rows())}).context["token"]
    file_name, stored = cache.get(f"assistance:identity-upload:{officer.pk}:{token}")
    assert good_rows()[0][0].encode() not in stored  # no ID number in the clear
    # Another officer holding the token opens nothing, and nothing is written.
    other = staff_user(role="officer", scope=officer.staff_profile.scope, username="officer_peer")
    cache.set(f"assistance:identity-upload:{other.pk}:{token}", (file_name, stored), 60)
    client.force_login(other)
    client.post("/admin/assistance/assistanceidentity/import/", {"token": token, "confirm": "1"})
    assert not AssistanceIdentity.objects.exists()
