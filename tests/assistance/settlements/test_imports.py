"""Settlement imports (就医结算): checks with row numbers, all or nothing, re-imports counted
once, the command and the officers' page."""

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from assistance.models import HighCostAlert, Settlement
from assistance.settlements.imports import SettlementRow, check_row, read_settlements, settlements_import
from portal.privacy.id_numbers import make_id_number
from tests.assistance.case_helpers import SETTLEMENT_HEADER, WANG, set_category, settlement_line, threshold

pytestmark = pytest.mark.django_db

TODAY = date(2022, 12, 31)
STRANGER = make_id_number("370322", date(1960, 1, 1), 15)  # valid, not registered here
STAY = settlement_line(WANG, "2022-03-18", "淄博市中心医院", "住院",
                       "160000.00", "150000.00", "90000.00", "34125.00", "18112.50", "17762.50")
VISIT = settlement_line(STRANGER, "2022/4/11", "高青县人民医院", "普通门诊", "320", "300", "125", "0", "0", "195")


def _csv(tmp_path, *lines: str, name: str = "结算.csv"):
    path = tmp_path / name
    path.write_text("\n".join([SETTLEMENT_HEADER, *lines]) + "\n", encoding="utf-8-sig")
    return path


def _import(path, *args) -> dict:
    out = io.StringIO()
    call_command("import_settlements", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def _after_2022(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def test_a_file_is_imported_and_people_are_matched_by_id_number(demo, tmp_path):
    report = _import(_csv(tmp_path, STAY, VISIT))
    assert report == {"rows": 2, "created": 2, "already_imported": 0, "invoices_added": 0, "matched_residents": 1,
                      "unregistered": 1, "committed": True, "errors": [], "alerts_opened": 0}
    wang = Settlement.objects.get(resident__name="王秀兰")
    assert (wang.kind, wang.year, str(wang.assistance)) == ("inpatient", 2022, "18112.50")
    stranger = Settlement.objects.get(resident__isnull=True)
    assert stranger.id_masked == STRANGER[:6] + "********" + STRANGER[-4:]
    assert stranger.settled_on == date(2022, 4, 11)
    assert STRANGER not in {getattr(stranger, f.attname) for f in Settlement._meta.fields if f.attname != "id"}


def test_a_reimport_of_the_same_file_adds_nothing_and_says_so(demo, tmp_path):
    path = _csv(tmp_path, STAY, VISIT)
    _import(path)
    again = _import(path)
    assert (again["created"], again["already_imported"]) == (0, 2)
    assert Settlement.objects.count() == 2


def test_the_same_settlement_twice_in_one_file_is_counted_once(demo, tmp_path):
    report = _import(_csv(tmp_path, STAY, STAY))
    assert (report["created"], report["already_imported"]) == (1, 1)


def test_a_different_amount_is_a_different_settlement(demo, tmp_path):
    _import(_csv(tmp_path, STAY))
    changed = STAY.replace("17762.50", "17762.60").replace("160000.00", "160000.10")
    assert _import(_csv(tmp_path, changed, name="b.csv"))["created"] == 1


def test_one_refused_row_commits_nothing_and_every_problem_has_its_row(demo, tmp_path):
    bad_total = settlement_line(WANG, "2022-05-01", "医院", "住院", "100", "200", "0", "0", "0", "100")
    bad_personal = settlement_line(WANG, "2022-05-02", "医院", "住院", "100", "100", "50", "0", "0", "60")
    bad_kind = settlement_line(WANG, "2022-05-03", "医院", "急诊", "100", "100", "50", "0", "0", "50")
    bad_id = settlement_line("370303195203151224", "2022-05-04", "医院", "住院", "1", "1", "0", "0", "0", "1")
    future = settlement_line(WANG, "2023-01-05", "医院", "住院", "1", "1", "0", "0", "0", "1")
    out = io.StringIO()
    with pytest.raises(CommandError, match="全部未导入"):
        call_command("import_settlements", str(_csv(tmp_path, STAY, bad_total, bad_personal, bad_kind, bad_id, future)),
                     "--json", stdout=out)
    errors = {error["row"]: error["message"] for error in json.loads(out.getvalue())["errors"]}
    assert "政策范围内费用 200.00 元超过医疗总费用 100.00 元" in errors[3]
    assert "个人负担应为 医疗总费用 − 三项支付 = 50.00 元" in errors[4]
    assert "就诊类别“急诊”无法识别" in errors[5]
    assert "校验" in errors[6] or "身份证" in errors[6]
    assert "晚于今天" in errors[7]
    assert 2 not in errors
    assert not Settlement.objects.exists()


def test_payments_above_the_policy_range_are_refused(demo):
    row = SettlementRow(2, (WANG, "2022-01-01", "医院", "住院", "100", "80", "60", "20", "10", "10"))
    assert check_row(row, today=TODAY) == ["三项支付合计 90.00 元超过政策范围内费用 80.00 元"]


@pytest.mark.parametrize(("cell", "message"), [
    ("", "请填写医疗总费用"), ("12.345", "最多两位小数"), ("-1", "不小于 0"), ("abc", "不是金额"),
    ("NaN", "不小于 0"), ("1e999999", "过大"), ("1e-999999", "最多两位小数"),
])
def test_amounts_must_be_yuan_with_at_most_two_decimals(demo, cell, message):
    row = SettlementRow(2, (WANG, "2022-01-01", "医院", "住院", cell, "0", "0", "0", "0", "0"))
    assert any(message in problem for problem in check_row(row, today=TODAY))


def test_a_dry_run_writes_nothing_but_reports_the_counts(demo, tmp_path):
    report = _import(_csv(tmp_path, STAY, VISIT), "--dry-run")
    assert (report["created"], report["committed"]) == (2, False)
    assert not Settlement.objects.exists()


def test_an_xlsx_file_with_real_dates_is_read(demo, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(SETTLEMENT_HEADER.split(","))
    sheet.append([WANG, date(2022, 3, 18), "淄博市中心医院", "住院", 1000, 800, 560, 0, 0, 440])
    path = tmp_path / "结算.xlsx"
    workbook.save(path)
    rows = read_settlements(path)
    report = settlements_import(rows=rows, user=None, today=TODAY, dry_run=False)
    assert (report.created, report.errors) == (1, [])
    assert Settlement.objects.get().settled_on == date(2022, 3, 18)


def test_a_file_with_the_wrong_header_is_refused_before_any_row(demo, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("身份证号,日期\n" + WANG + ",2022-01-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="表头缺少"):
        call_command("import_settlements", str(path), stdout=io.StringIO())


def test_an_import_opens_the_alerts_it_causes(demo, tmp_path):
    from enrollment.models import Resident

    threshold()
    set_category(Resident.objects.get(name="王秀兰"), "minimum_living")
    assert _import(_csv(tmp_path, STAY))["alerts_opened"] == 1
    assert str(HighCostAlert.objects.get().burden) == "7762.50"


def test_an_officer_imports_through_the_admin_page_and_a_clerk_cannot(demo, client, officer, clerk_chezhan):
    upload = SimpleUploadedFile("结算.csv", ("\ufeff" + SETTLEMENT_HEADER + "\n" + STAY + "\n").encode())
    client.force_login(clerk_chezhan)
    assert client.get("/admin/assistance/settlement/import/").status_code == 302  # the admin's login page
    client.force_login(officer)
    response = client.post("/admin/assistance/settlement/import/", {"file": upload, "dry_run": "on"})
    assert "检查通过，尚未写入" in response.content.decode() and not Settlement.objects.exists()
    upload.seek(0)
    response = client.post("/admin/assistance/settlement/import/", {"file": upload})
    assert "已导入" in response.content.decode() and Settlement.objects.count() == 1


def test_the_admin_page_lists_refused_rows(demo, client, officer):
    bad = settlement_line(WANG, "2022-05-01", "医院", "住院", "100", "200", "0", "0", "0", "100")
    upload = SimpleUploadedFile("结算.csv", (SETTLEMENT_HEADER + "\n" + bad + "\n").encode())
    client.force_login(officer)
    page = client.post("/admin/assistance/settlement/import/", {"file": upload}).content.decode()
    assert "整个文件都没有导入" in page and "<td>2</td>" in page
    assert not Settlement.objects.exists()


def test_rows_another_import_committed_meanwhile_are_skipped_not_doubled(demo, tmp_path, monkeypatch):
    """Two officers import the same file at once: both checks find nothing stored yet."""
    from assistance.settlements import imports as settlement_imports
    from portal.spreadsheets.lookups import rows_matching

    def blind_to_stored_fingerprints(queryset, field, keys):
        return [] if field == "fingerprint" else rows_matching(queryset, field, keys)

    _import(_csv(tmp_path, STAY))
    monkeypatch.setattr(settlement_imports, "rows_matching", blind_to_stored_fingerprints)
    rows = read_settlements(_csv(tmp_path, STAY, VISIT, name="again.csv"))
    report = settlements_import(rows=rows, user=None, today=TODAY, dry_run=False)
    assert report.committed
    assert Settlement.objects.count() == 2


def test_a_settlement_of_a_year_without_a_benefit_policy_is_refused_with_the_reason(demo, tmp_path):
    early = settlement_line(WANG, "2020-05-06", "淄博市中心医院", "普通门诊", "320", "300", "125", "0", "0", "195")
    with pytest.raises(CommandError):
        _import(_csv(tmp_path, STAY, early))
    rows = read_settlements(_csv(tmp_path, STAY, early))
    report = settlements_import(rows=rows, user=None, today=TODAY, dry_run=False)
    assert [error.row for error in report.errors] == [3]
    assert report.errors[0].message.startswith("结算日期在 2020 年度，该年度还没有发布待遇政策")
    assert not Settlement.objects.exists()  # one refused row: nothing written


def test_an_optional_invoice_column_is_read_in_any_position_and_files_without_it_still_import(demo, tmp_path):
    # The invoice column first, and spaced as a clerk types it: stored without the spaces.
    with_invoices = tmp_path / "有发票号码.csv"
    with_invoices.write_text("\n".join([
        "发票号码," + SETTLEMENT_HEADER, "3700 2211 0000 1234," + STAY, "," + VISIT]) + "\n", encoding="utf-8-sig")
    assert _import(with_invoices)["created"] == 2
    assert Settlement.objects.get(resident__name="王秀兰").invoice_number == "3700221100001234"
    assert Settlement.objects.get(resident__isnull=True).invoice_number == ""
    # The same settlements in a file without the column are the ones already imported.
    assert _import(_csv(tmp_path, STAY, VISIT, name="无发票号码.csv"))["already_imported"] == 2


def test_an_invoice_number_excel_turned_into_a_number_is_refused(demo):
    row = SettlementRow(2, (WANG, "2022-01-01", "医院", "住院", "100", "80", "60", "10", "0", "30", 3.700221100001234e19))
    assert any("发票号码被 Excel 存成了数字" in problem for problem in check_row(row, today=TODAY))
    too_long = SettlementRow(2, (WANG, "2022-01-01", "医院", "住院", "100", "80", "60", "10", "0", "30", "9" * 41))
    assert any("发票号码" in problem and "过长" in problem for problem in check_row(too_long, today=TODAY))


def test_a_settlement_imported_without_its_invoice_number_gets_it_from_a_later_file(demo, tmp_path):
    _import(_csv(tmp_path, STAY, VISIT, name="无发票号码.csv"))
    with_invoices = tmp_path / "有发票号码.csv"
    with_invoices.write_text("\n".join([
        SETTLEMENT_HEADER + ",发票号码", STAY + ",3700 2211 0000 1234", VISIT + ","]) + "\n", encoding="utf-8-sig")
    assert _import(with_invoices, "--dry-run")["invoices_added"] == 1
    assert Settlement.objects.get(resident__name="王秀兰").invoice_number == ""  # a dry run writes nothing
    report = _import(with_invoices)
    assert (report["created"], report["already_imported"], report["invoices_added"], report["committed"]) == (
        0, 2, 1, True)
    assert Settlement.objects.get(resident__name="王秀兰").invoice_number == "3700221100001234"
    assert Settlement.objects.get(resident__isnull=True).invoice_number == ""
    # A number already stored is kept: a file is never the one to change it.
    other = tmp_path / "另一个发票号码.csv"
    other.write_text("\n".join([SETTLEMENT_HEADER + ",发票号码", STAY + ",9999"]) + "\n", encoding="utf-8-sig")
    assert _import(other)["invoices_added"] == 0
    assert Settlement.objects.get(resident__name="王秀兰").invoice_number == "3700221100001234"
