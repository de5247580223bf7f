"""Lists of people insured elsewhere (清理重复参保): an officer's import records who is insured
elsewhere for the year and puts their resident enrollments of that year on the duplicates list;
a malformed row refuses the whole file; an import again changes nothing; the participation rate
stops expecting the people on the list."""

import csv
import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from enrollment.collection.progress import scope_progress
from enrollment.life_events.duplicates import insured_elsewhere_import
from enrollment.life_events.elsewhere_checks import read_insured_elsewhere
from enrollment.life_events.models import DuplicateEnrollment, ElsewhereImport
from enrollment.models import Enrollment, InsuredElsewhere, Resident
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest
from portal.spreadsheets.reading import TableError
from tests.factories import staff_user
from tests.logins import otp_login

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = date(2022, 3, 1)
NOW = datetime(2022, 3, 1, 12, 0, tzinfo=BEIJING)
HEADER = ["身份证号", "姓名", "参保年度", "单位"]
# Demo people (enrollment/demo.py) and their 2022 enrollments.
ZHANG = make_id_number("370303", date(1968, 4, 2), 11)  # 张建国, 车站街道: enrolled and paid
LIU = make_id_number("370303", date(1975, 11, 20), 22)  # 刘桂英, 车站街道: enrolled, unpaid
ZHAO = make_id_number("370303", date(1990, 3, 3), 55)  # 赵伟, 车站街道: not enrolled for 2022
SUN = make_id_number("370303", date(1986, 12, 12), 66)  # 孙丽, 公园街道: enrolled and paid
STRANGER = make_id_number("370303", date(1991, 1, 1), 901)  # registered nowhere
EMPLOYER = "淄博市某某化工有限公司"


def row(number, name, *, year=2022, unit=EMPLOYER):
    return [number, name, year, unit]


def listing(*rows, header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


ROWS = [row(ZHANG, "张建国"), row(LIU, "刘桂英"), row(ZHAO, "赵伟"), row(STRANGER, "无名氏")]


def run(rows, *, user, dry_run=False, scheme="employee", source="淄博市职工医保", data=None, filename="职工名单.csv"):
    source_file = io.BytesIO(data if data is not None else listing(*rows))
    return insured_elsewhere_import(rows=read_insured_elsewhere(source_file, filename), filename=filename,
                                    scheme=scheme, source=source, user=user, today=TODAY, now=NOW, dry_run=dry_run)


def enrollment_of(number: str, year: int = 2022) -> Enrollment:
    return Enrollment.objects.active().get(resident__id_digest=id_digest(number), year=year)


def test_listed_people_are_recorded_and_their_enrollments_become_duplicates(demo, officer):
    report = run(ROWS, user=officer)

    assert report.committed and not report.errors
    assert (report.rows, report.matched, report.unknown, report.recorded, report.duplicates) == (4, 3, 1, 3, 2)
    batch = ElsewhereImport.objects.get()
    assert (batch.scheme, batch.source, batch.year, batch.matched, batch.unknown, batch.duplicates) == (
        "employee", "淄博市职工医保", 2022, 3, 1, 2)
    records = InsuredElsewhere.objects.filter(source_import=batch)
    assert {record.resident.name for record in records} == {"张建国", "刘桂英", "赵伟"}
    assert {(r.scheme, r.note, r.year, r.source_import.imported_by) for r in records} == {
        ("employee", EMPLOYER, 2022, officer)}
    duplicates = DuplicateEnrollment.objects.select_related("enrollment__resident")
    assert {d.enrollment.resident.name for d in duplicates} == {"张建国", "刘桂英"}
    assert all(d.status == "open" and d.elsewhere == EMPLOYER and d.found_in == batch for d in duplicates)


def test_a_dry_run_counts_the_same_and_writes_nothing(demo, officer):
    report = run(ROWS, user=officer, dry_run=True)

    assert not report.committed
    assert (report.matched, report.unknown, report.recorded, report.duplicates) == (3, 1, 3, 2)
    assert not ElsewhereImport.objects.exists() and not InsuredElsewhere.objects.filter(year=2022).exists()
    assert not DuplicateEnrollment.objects.exists()


def test_importing_the_same_list_again_records_nothing_new(demo, officer):
    run(ROWS, user=officer)

    again = run(ROWS, user=officer, scheme="other_region", source="某省医保局")

    assert (again.matched, again.recorded, again.already_recorded) == (3, 0, 3)
    assert (again.duplicates, again.duplicates_known) == (0, 2)
    assert InsuredElsewhere.objects.filter(year=2022).count() == 3 and DuplicateEnrollment.objects.count() == 2
    assert ElsewhereImport.objects.count() == 2


def test_someone_a_clerk_already_recorded_keeps_that_record_and_still_becomes_a_duplicate(demo, officer):
    zhang = Resident.objects.get(name="张建国")
    InsuredElsewhere.objects.create(resident=zhang, year=2022, scheme="other", note="军人")

    report = run([row(ZHANG, "张建国")], user=officer)

    assert (report.recorded, report.already_recorded, report.duplicates) == (0, 1, 1)
    assert InsuredElsewhere.objects.get(resident=zhang, year=2022).note == "军人"
    assert DuplicateEnrollment.objects.get().enrollment == enrollment_of(ZHANG)


def test_a_person_listed_twice_counts_once(demo, officer):
    report = run([row(LIU, "刘桂英"), row(LIU, "刘桂英", unit="另一家单位")], user=officer)

    assert (report.rows, report.repeated, report.matched, report.duplicates) == (2, 1, 1, 1)
    assert DuplicateEnrollment.objects.get().elsewhere == EMPLOYER


def test_a_cancelled_enrollment_is_no_duplicate(demo, officer):
    Enrollment.objects.filter(pk=enrollment_of(LIU).pk).update(status=Enrollment.Status.CANCELLED)

    report = run([row(LIU, "刘桂英")], user=officer)

    assert (report.recorded, report.duplicates) == (1, 0) and not DuplicateEnrollment.objects.exists()


def test_malformed_rows_refuse_the_whole_file_naming_each_row(demo, officer):
    bad_number = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")
    report = run([row(LIU, "刘桂英"), row(bad_number, "张建国"), row(ZHAO, "", year="22"), row(SUN, "孙丽", year=2023)],
                 user=officer)

    assert not report.committed
    messages = {(error.row, error.message) for error in report.errors}
    assert {number for number, _ in messages} == {3, 4, 5}
    assert any(number == 3 and "校验" in message for number, message in messages), messages
    assert (4, "请填写姓名") in messages and (4, "参保年度“22”应为四位年份，如 2022") in messages
    assert any(number == 5 and "一个文件只能是一个年度" in message for number, message in messages)
    assert not ElsewhereImport.objects.exists() and not InsuredElsewhere.objects.filter(year__gte=2022).exists()
    assert not DuplicateEnrollment.objects.exists()


def test_an_id_number_in_an_error_is_masked(demo, officer):
    report = run([row(LIU, "刘桂英", year=ZHANG)], user=officer)

    assert report.errors and ZHANG not in str(report.errors[0]) and "********" in str(report.errors[0])


def test_an_id_number_excel_turned_into_a_number_is_refused_with_how_to_fix(demo, officer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([int(LIU[:15]), "刘桂英", 2022, EMPLOYER])
    data = io.BytesIO()
    workbook.save(data)

    report = run(None, user=officer, data=data.getvalue(), filename="职工名单.xlsx")

    assert "Excel 存成了数字" in report.errors[0].message


def test_an_xlsx_list_imports_like_a_csv(demo, officer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([LIU, "刘桂英", 2022, EMPLOYER])
    data = io.BytesIO()
    workbook.save(data)

    report = run(None, user=officer, data=data.getvalue(), filename="职工名单.xlsx")

    assert report.committed and report.duplicates == 1


@pytest.mark.parametrize(("data", "message"), [
    (listing(), "只有表头"),
    ("身份证号,姓名\n1,张三\n".encode(), "表头缺少"),
])
def test_a_file_that_cannot_be_read_is_refused(demo, officer, data, message):
    with pytest.raises(TableError, match=message):
        run(None, user=officer, data=data)


def test_an_officer_of_another_county_records_nobody_of_ours(demo):
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"))

    report = run(ROWS, user=zichuan)

    # Ours are unknown to them, exactly like a number nobody holds.
    assert (report.matched, report.unknown, report.recorded, report.duplicates) == (0, 4, 0, 0)
    assert not InsuredElsewhere.objects.filter(year=2022).exists() and not DuplicateEnrollment.objects.exists()


def test_a_township_officer_records_only_the_people_of_the_township(demo):
    chezhan_officer = staff_user(role="officer", scope=Region.objects.get(code="370303001000"))

    report = run([row(LIU, "刘桂英"), row(SUN, "孙丽")], user=chezhan_officer)

    assert (report.matched, report.unknown, report.duplicates) == (1, 1, 1)
    assert DuplicateEnrollment.objects.get().enrollment == enrollment_of(LIU)


def test_the_scheme_and_the_source_must_be_given(demo, officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="参保险种"):
        run(ROWS, user=officer, scheme="other")
    with pytest.raises(ValidationError, match="提供名单的部门"):
        run(ROWS, user=officer, source="  ")


def test_people_on_the_list_are_no_longer_expected_in_the_participation_rate(demo, officer):
    chezhan = Region.objects.get(code="370303001000")
    before = scope_progress(chezhan, year=2022, today=TODAY).scope
    assert (before.expected, before.enrolled, before.paid) == (7, 6, 4)

    run(ROWS, user=officer)  # 张建国 (enrolled, paid), 刘桂英 (enrolled), 赵伟 (not enrolled)

    after = scope_progress(chezhan, year=2022, today=TODAY).scope
    assert (after.expected, after.enrolled, after.paid) == (4, 4, 3)
    assert after.rate == 1 and before.rate < after.rate


# -- The command -----------------------------------------------------------------------------

def test_the_command_imports_and_answers_in_json(demo, officer, tmp_path):
    path = tmp_path / "职工名单.csv"
    path.write_bytes(listing(*ROWS))
    out = io.StringIO()

    call_command("import_insured_elsewhere", str(path), "--user", "officer", "--scheme", "employee",
                 "--source", "淄博市职工医保", "--json", stdout=out)

    answer = json.loads(out.getvalue())
    assert answer["committed"] and (answer["matched"], answer["unknown"], answer["duplicates"]) == (3, 1, 2)
    assert answer["year"] == 2022 and answer["errors"] == [] and "seconds" in answer
    assert DuplicateEnrollment.objects.count() == 2


def test_the_command_dry_run_writes_nothing_and_says_so(demo, officer, tmp_path):
    path = tmp_path / "职工名单.csv"
    path.write_bytes(listing(*ROWS))
    out = io.StringIO()

    call_command("import_insured_elsewhere", str(path), "--user", "officer", "--scheme", "employee",
                 "--source", "淄博市职工医保", "--dry-run", stdout=out)

    assert "预检通过，未写入" in out.getvalue() and "新发现重复参保 2 人" in out.getvalue()
    assert not DuplicateEnrollment.objects.exists()


def test_the_command_refuses_a_malformed_file_and_lists_the_rows(demo, officer, tmp_path):
    path = tmp_path / "职工名单.csv"
    path.write_bytes(listing(row(LIU, "刘桂英", year="abc")))
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 行未通过检查"):
        call_command("import_insured_elsewhere", str(path), "--user", "officer", "--scheme", "employee",
                     "--source", "淄博市职工医保", "--json", stdout=out)

    assert json.loads(out.getvalue())["errors"][0]["row"] == 2 and not ElsewhereImport.objects.exists()


def test_the_command_refuses_a_clerk(demo, clerk_chezhan, tmp_path):
    path = tmp_path / "职工名单.csv"
    path.write_bytes(listing(*ROWS))

    with pytest.raises(CommandError, match="没有导入他处参保名单的权限"):
        call_command("import_insured_elsewhere", str(path), "--user", "clerk_chezhan", "--scheme", "employee",
                     "--source", "淄博市职工医保")


# -- The officers' page ----------------------------------------------------------------------

IMPORT = reverse("admin:enrollment_elsewhereimport_import")
HISTORY = reverse("admin:enrollment_elsewhereimport_changelist")


def upload(*rows, name="职工名单.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, listing(*rows), content_type="text/csv")


def test_the_page_checks_then_imports_and_the_history_lists_the_file(demo, officer):
    client = otp_login(Client(), officer)
    form = {"scheme": "employee", "source": "淄博市职工医保"}

    checked = client.post(IMPORT, {**form, "file": upload(*ROWS), "dry_run": "on"}).content.decode()
    assert "检查通过，尚未写入" in checked and "将新发现重复参保 2 人" in checked and "本辖区未登记 1 人" in checked
    assert not DuplicateEnrollment.objects.exists()

    imported = client.post(IMPORT, {**form, "file": upload(*ROWS)}).content.decode()
    assert "已导入" in imported and DuplicateEnrollment.objects.count() == 2

    history = client.get(HISTORY).content.decode()
    assert "职工名单.csv" in history and "淄博市职工医保" in history and "导入职工医保、外地参保名单" in history
    assert LIU not in history and "刘桂英" not in history


def test_the_page_lists_the_malformed_rows_and_imports_nothing(demo, officer):
    client = otp_login(Client(), officer)

    page = client.post(IMPORT, {"scheme": "employee", "source": "淄博市职工医保",
                                "file": upload(row(LIU, "刘桂英", year="abc"))}).content.decode()

    assert "1 个问题，整个文件都没有导入" in page and "参保年度“abc”应为四位年份" in page
    assert not ElsewhereImport.objects.exists()


def test_the_page_is_closed_to_a_clerk(demo, clerk_chezhan):
    client = otp_login(Client(), clerk_chezhan)

    assert client.get(IMPORT).status_code in (302, 403)
    assert client.get(HISTORY).status_code in (302, 403)


def test_a_number_registered_under_another_name_marks_nobody(demo, officer):
    # A mistyped number that happens to be 张建国's: he is not insured elsewhere for it.
    report = run([row(ZHANG, "完全不同的人")], user=officer)

    assert (report.matched, report.name_differs, report.recorded, report.duplicates) == (0, 1, 0, 0)
    assert not InsuredElsewhere.objects.filter(resident__id_digest=id_digest(ZHANG), year=2022).exists()
    assert not DuplicateEnrollment.objects.exists()
