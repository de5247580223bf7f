"""The civil-affairs or public-security death list: each registered person of the officer's scope
whose name matches gets one death; unknown people, other names, other dates and people outside
the scope are listed; a malformed row refuses the whole list; the same list again records nothing."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from enrollment.life_events.death_import import deaths_import
from enrollment.life_events.death_list import read_death_list
from enrollment.life_events.models import Death, DeathImport, DeathImportProblem
from enrollment.models import Enrollment, Refund, Resident
from portal.network.models import Region
from portal.privacy.id_numbers import ID_NUMBER_PATTERN, make_id_number
from portal.privacy.id_vault import id_digest
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

HEADER = ["身份证号", "姓名", "死亡日期", "来源"]
TODAY = date(2022, 3, 1)
ZHANG = make_id_number("370303", date(1968, 4, 2), 11)  # 张建国: 2022 paid at the counter
LIU = make_id_number("370303", date(1975, 11, 20), 22)  # 刘桂英: 2022 enrolled, unpaid
CHEN = make_id_number("370303", date(1980, 1, 15), 33)  # 陈志强
SUN = make_id_number("370303", date(1986, 12, 12), 66)  # 孙丽, 公园街道
STRANGER = make_id_number("370303", date(1991, 1, 1), 901)  # registered nowhere


def death_csv(*rows, header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def run(*rows, user, dry_run=False, today=TODAY, filename="死亡名单.csv", data=None):
    source = io.BytesIO(data if data is not None else death_csv(*rows))
    return deaths_import(rows=read_death_list(source, filename), filename=filename, user=user, today=today,
                         dry_run=dry_run)


def person(number: str) -> Resident:
    return Resident.objects.get(id_digest=id_digest(number))


def written() -> tuple[int, ...]:
    return (Death.objects.count(), DeathImport.objects.count(), DeathImportProblem.objects.count(),
            Refund.objects.count(), Enrollment.objects.active().count())


# -- matching --------------------------------------------------------------------------------

def test_a_registered_persons_row_records_the_death_with_its_source_and_effects(demo, officer):
    report = run([ZHANG, "张建国", "2021-11-30", "民政"], [LIU, "刘桂英", "2021/12/01", "公安部门"], user=officer)

    assert report.committed and report.recorded == 2 and report.problem_count == 0
    zhang, liu = Death.objects.get(resident=person(ZHANG)), Death.objects.get(resident=person(LIU))
    assert (zhang.date_of_death, zhang.source) == (date(2021, 11, 30), Death.Source.CIVIL_AFFAIRS)
    assert (liu.date_of_death, liu.source) == (date(2021, 12, 1), Death.Source.PUBLIC_SECURITY)
    batch = DeathImport.objects.get()
    assert zhang.death_import == batch and batch.imported_by == officer and zhang.recorded_by is None
    assert person(ZHANG).date_of_death == date(2021, 11, 30)
    assert person(ZHANG).history.first().history_change_reason == "死亡名单导入"
    # 张建国 paid for 2022: refunded, with what he paid; 刘桂英 had not: cancelled.
    refund = Refund.objects.get(enrollment__resident=person(ZHANG), enrollment__year=2022)
    assert refund.reason == Refund.Reason.DEATH and refund.amount == Decimal("410.00") and refund.requested_by == officer
    assert Enrollment.objects.get(resident=person(LIU), year=2022).status == Enrollment.Status.CANCELLED
    assert Enrollment.objects.get(resident=person(ZHANG), year=2021).status == Enrollment.Status.ACTIVE
    assert (batch.rows, batch.recorded, batch.already_recorded, batch.problems) == (2, 2, 0, 0)
    assert batch.refunds == report.refunds == Refund.objects.filter(enrollment__resident=person(ZHANG)).count()
    assert batch.cancelled == report.cancelled >= 1


@pytest.mark.parametrize(("row", "problem", "detail"), [
    ([STRANGER, "无名氏", "2021-11-30", "民政"], "unknown_person", ""),
    ([ZHANG, "张建设", "2021-11-30", "民政"], "name_differs", "登记姓名为“张*国”"),
    ([ZHANG, "张建国", "1960-01-01", "民政"], "before_birth", "登记的出生日期为 1968-04-02"),
])
def test_a_row_that_records_nothing_is_listed_with_why(demo, officer, row, problem, detail):
    report = run(row, user=officer)

    assert report.committed and report.recorded == 0 and dict(report.problems) == {problem: 1}
    listed = DeathImportProblem.objects.get()
    assert (listed.row, listed.problem, listed.detail, listed.name) == (2, problem, detail, row[1])
    assert listed.id_masked == row[0][:6] + "********" + row[0][-4:]
    assert not Death.objects.filter(resident__id_digest=id_digest(row[0])).exists()


def test_someone_outside_the_officers_scope_is_answered_as_unknown(demo):
    township_officer = staff_user(role="officer", scope=Region.objects.get(code="370303001000"))

    report = run([SUN, "孙丽", "2021-11-30", "民政"], [ZHANG, "张建国", "2021-11-30", "民政"], user=township_officer)

    assert report.recorded == 1 and dict(report.problems) == {"unknown_person": 1}
    assert DeathImportProblem.objects.get().detail == ""
    assert person(SUN).date_of_death is None


def test_a_death_recorded_before_is_not_recorded_again_and_a_different_date_is_listed(demo, officer, clerk_chezhan):
    from enrollment.services import death_record

    death_record(resident=person(ZHANG), date_of_death=date(2021, 11, 30), clerk=clerk_chezhan, today=TODAY)
    death_record(resident=person(LIU), date_of_death=date(2021, 11, 30), clerk=clerk_chezhan, today=TODAY)
    refunds = Refund.objects.count()

    report = run([ZHANG, "张建国", "2021-11-30", "民政"], [LIU, "刘桂英", "2021-12-30", "民政"], user=officer)

    assert (report.recorded, report.already_recorded, dict(report.problems)) == (0, 1, {"date_differs": 1})
    assert DeathImportProblem.objects.get().detail == "已记录死亡日期 2021-11-30（来源：经办人员登记）"
    assert Death.objects.get(resident=person(ZHANG)).source == Death.Source.CLERK
    assert Refund.objects.count() == refunds


def test_the_same_person_twice_in_a_list_is_one_death_of_the_first_date(demo, officer):
    report = run([ZHANG, "张建国", "2021-11-30", "民政"], [ZHANG, "张建国", "2021-11-30", "公安"],
                 [ZHANG, "张建国", "2021-12-02", "卫健"], user=officer)

    assert (report.recorded, report.already_recorded, dict(report.problems)) == (1, 1, {"date_differs": 1})
    assert Death.objects.get(resident=person(ZHANG)).date_of_death == date(2021, 11, 30)
    assert DeathImportProblem.objects.get().detail == "与本名单第 2 行的死亡日期 2021-11-30 不同"
    assert Refund.objects.filter(enrollment__resident=person(ZHANG), enrollment__year=2022).count() == 1


def test_importing_the_same_list_again_records_nothing_new(demo, officer):
    rows = ([ZHANG, "张建国", "2021-11-30", "民政"], [LIU, "刘桂英", "2021-11-30", "民政"],
            [STRANGER, "无名氏", "2021-11-30", "民政"])
    first = run(*rows, user=officer)
    deaths, refunds, active = Death.objects.count(), Refund.objects.count(), Enrollment.objects.active().count()

    again = run(*rows, user=officer)

    assert (first.recorded, again.recorded, again.already_recorded, again.refunds, again.cancelled) == (2, 0, 2, 0, 0)
    assert (Death.objects.count(), Refund.objects.count(), Enrollment.objects.active().count()) == (
        deaths, refunds, active)


def test_a_dry_run_counts_the_same_and_writes_nothing(demo, officer):
    rows = ([ZHANG, "张建国", "2021-11-30", "民政"], [LIU, "刘桂英", "2021-11-30", "民政"],
            [STRANGER, "无名氏", "2021-11-30", "民政"], [ZHANG, "张建国", "2021-12-01", "民政"])
    before = written()

    dry = run(*rows, user=officer, dry_run=True)

    assert written() == before and not dry.committed
    real = run(*rows, user=officer)
    assert (dry.recorded, dry.already_recorded, dry.problems, dry.refunds, dry.cancelled) == (
        real.recorded, real.already_recorded, real.problems, real.refunds, real.cancelled)


# -- malformed lists ---------------------------------------------------------------------------

@pytest.mark.parametrize(("row", "message"), [
    (["37030319681302001X", "张建国", "2021-11-30", "民政"], "出生日期 1968-13-02 不是有效日期"),
    ([ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"), "张建国", "2021-11-30", "民政"], "校验位不符"),
    ([ZHANG, "张建国", "2021-02-30", "民政"], "死亡日期“2021-02-30”无法识别"),
    ([ZHANG, "张建国", "2022-03-02", "民政"], "死亡日期 2022-03-02 晚于今天"),
    ([ZHANG, "张建国", "2021-11-30", "街道办"], "来源“街道办”无法识别"),
    ([ZHANG, "", "2021-11-30", "民政"], "请填写姓名"),
])
def test_a_malformed_row_refuses_the_whole_list_and_says_what_to_fix(demo, officer, row, message):
    before = written()

    report = run([LIU, "刘桂英", "2021-11-30", "民政"], row, user=officer)

    assert not report.committed and report.errors and report.errors[0].row == 3
    assert message in report.errors[0].message
    assert written() == before


def test_an_xlsx_list_with_real_dates_is_read(demo, officer):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([ZHANG, "张建国", date(2021, 11, 30), "卫生健康部门"])
    data = io.BytesIO()
    book.save(data)

    report = run(user=officer, filename="死亡名单.xlsx", data=data.getvalue())

    assert report.recorded == 1 and Death.objects.get(resident=person(ZHANG)).source == Death.Source.HEALTH


# -- the command -------------------------------------------------------------------------------

def test_the_command_imports_and_answers_in_json(demo, officer, tmp_path):
    path = tmp_path / "deaths.csv"
    path.write_bytes(death_csv([ZHANG, "张建国", "2021-11-30", "民政"], [STRANGER, "无名氏", "2021-11-30", "公安"]))
    out = io.StringIO()

    call_command("import_deaths", str(path), "--user", "officer", "--dry-run", "--json", stdout=out)
    dry = json.loads(out.getvalue())
    assert (dry["recorded"], dry["problems"], dry["committed"]) == (1, 1, False) and not Death.objects.filter(
        death_import__isnull=False).exists()

    out = io.StringIO()
    call_command("import_deaths", str(path), "--user", "officer", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["recorded"], result["problems_by_reason"], result["committed"]) == (
        1, {"unknown_person": 1}, True)
    assert not ID_NUMBER_PATTERN.search(out.getvalue())


def test_the_command_refuses_a_malformed_list_with_status_1(demo, officer, tmp_path):
    path = tmp_path / "deaths.csv"
    path.write_bytes(death_csv([ZHANG, "张建国", "明天", "民政"]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="全部未导入"):
        call_command("import_deaths", str(path), "--user", "officer", stdout=out)
    assert "第 2 行" in out.getvalue() and not Death.objects.filter(resident=person(ZHANG)).exists()


def test_the_command_needs_an_officer(demo, clerk_chezhan, tmp_path):
    path = tmp_path / "deaths.csv"
    path.write_bytes(death_csv([ZHANG, "张建国", "2021-11-30", "民政"]))
    with pytest.raises(CommandError, match="没有导入死亡人员名单的权限"):
        call_command("import_deaths", str(path), "--user", "clerk_chezhan")


# -- the officers' page ------------------------------------------------------------------------

def upload(client, data: bytes, *, dry_run: bool, name="死亡名单.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post("/admin/enrollment/deathimport/import/", form)


def test_the_page_checks_then_imports_and_shows_the_problem_rows_masked(officer_client):
    data = death_csv([ZHANG, "张建国", "2021-11-30", "民政"], [STRANGER, "无名氏", "2021-11-30", "公安"])

    checked = upload(officer_client, data, dry_run=True).content.decode()
    assert "检查结果（未写入）" in checked and "将记录死亡 1 人" in checked and "未登记此人" in checked
    assert not Death.objects.filter(resident=person(ZHANG)).exists()

    done = upload(officer_client, data, dry_run=False).content.decode()
    assert "已导入" in done and "已记录死亡 1 人" in done
    assert STRANGER[:6] + "********" + STRANGER[-4:] in done
    for html in (checked, done):
        assert not ID_NUMBER_PATTERN.search(html)
    history = officer_client.get("/admin/enrollment/deathimport/").content.decode()
    assert "死亡名单.csv" in history
    problems = officer_client.get("/admin/enrollment/deathimportproblem/").content.decode()
    assert "无名氏" in problems and not ID_NUMBER_PATTERN.search(problems)
    deaths = officer_client.get("/admin/enrollment/death/").content.decode()
    assert "张建国" in deaths and not ID_NUMBER_PATTERN.search(deaths)


def test_a_clerk_cannot_open_the_import_page(client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    response = client.get("/admin/enrollment/deathimport/import/")
    assert response.status_code in (302, 403)


def test_another_townships_officer_sees_neither_the_list_nor_the_deaths(demo, officer, client):
    run([ZHANG, "张建国", "2021-11-30", "民政"], [STRANGER, "无名氏", "2021-11-30", "公安"], user=officer)
    other = staff_user(role="officer", scope=Region.objects.get(code="370303002000"))
    client.force_login(other)
    assert "死亡名单.csv" not in client.get("/admin/enrollment/deathimport/").content.decode()
    assert "无名氏" not in client.get("/admin/enrollment/deathimportproblem/").content.decode()
    assert "张建国" not in client.get("/admin/enrollment/death/").content.decode()
