"""The tax office's payment file (税务代收): each well-formed row becomes a payment of the person's
enrollment of that year or waits on the reconciliation list with its reason; a malformed row
refuses the whole file; a voucher number is imported once."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from openpyxl import Workbook

from enrollment.collection.tax import read_tax_payments
from enrollment.collection.tax_import import tax_payments_import
from enrollment.models import Enrollment, Payment, Resident, TaxPaymentImport, TaxVoucher
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest
from portal.spreadsheets.reading import TableError

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
HEADER = ["缴费凭证号", "身份证号", "姓名", "缴费年度", "金额", "缴费时间", "征收机关"]
NOW = datetime(2022, 3, 1, 12, 0, tzinfo=BEIJING)
OFFICE = "国家税务总局淄博市张店区税务局"
# Demo people of 车站街道 (enrollment/demo.py) and what they owe for 2022.
LIU = make_id_number("370303", date(1975, 11, 20), 22)  # 刘桂英: enrolled, 410.00 unpaid
CHEN = make_id_number("370303", date(1980, 1, 15), 33)  # 陈志强: enrolled, 410.00 unpaid
ZHANG = make_id_number("370303", date(1968, 4, 2), 11)  # 张建国: paid at the counter
LI = make_id_number("370303", date(1959, 8, 8), 44)  # 李秀梅: enrolled and paid
ZHAO = make_id_number("370303", date(1990, 3, 3), 55)  # 赵伟: not enrolled for 2022
STRANGER = make_id_number("370303", date(1991, 1, 1), 901)  # registered nowhere


def row(voucher, number, name, *, year=2022, amount="410.00", at="2021-10-20 10:15:00", office=OFFICE):
    return [voucher, number, name, year, amount, at, office]


def tax_csv(*rows, header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def run(rows, *, user, dry_run=False, now=NOW, filename="税务缴费.csv", data=None):
    source = io.BytesIO(data if data is not None else tax_csv(*rows))
    return tax_payments_import(rows=read_tax_payments(source, filename), filename=filename, user=user, now=now,
                               dry_run=dry_run)


def enrollment_of(number: str, year: int = 2022) -> Enrollment:
    return Enrollment.objects.active().get(resident__id_digest=id_digest(number), year=year)


def written() -> tuple[int, int, int]:
    return Payment.objects.count(), TaxVoucher.objects.count(), TaxPaymentImport.objects.count()


@pytest.fixture
def nothing_due(demo):
    """李秀梅's 2022 part fully subsidised (特困人员): nothing for her to pay."""
    Enrollment.objects.filter(pk=enrollment_of(LI).pk).update(subsidy=F("standard_amount"), payable=0)


# -- matching --------------------------------------------------------------------------------

def test_a_matching_row_is_recorded_as_a_tax_payment_at_the_tax_offices_time(demo, officer):
    report = run([row("SW2022000001", LIU, "刘桂英")], user=officer)

    assert report.committed and report.recorded == 1 and report.unmatched == 0
    enrollment = enrollment_of(LIU)
    payment = enrollment.payments.get()
    paid_at = datetime(2021, 10, 20, 10, 15, tzinfo=BEIJING)
    assert payment.method == Payment.Method.TAX and payment.payer == Payment.Payer.RESIDENT
    assert payment.amount == Decimal("410.00") and payment.recorded_by == officer
    assert payment.recorded_at == paid_at and enrollment.paid_at == paid_at
    # The counter's receipt number: year, township code, the payment's own number.
    assert payment.receipt_number == f"2022370303001{payment.pk:08d}"
    assert payment.verification_code and payment.idempotency_token
    voucher = TaxVoucher.objects.get(voucher_number="SW2022000001")
    assert voucher.payment == payment and voucher.problem == "" and voucher.id_masked == "370303********" + LIU[-4:]
    assert voucher.resident.name == "刘桂英" and voucher.region.code == "370303001001"
    batch = TaxPaymentImport.objects.get()
    assert (batch.rows, batch.recorded, batch.unmatched, batch.already_imported) == (1, 1, 0, 0)
    assert batch.amount_recorded == Decimal("410.00") and batch.imported_by == officer and batch.filename == "税务缴费.csv"


@pytest.mark.parametrize(("number", "name", "changes", "problem"), [
    (STRANGER, "无名氏", {}, TaxVoucher.Problem.UNKNOWN_PERSON),
    (ZHAO, "赵伟", {}, TaxVoucher.Problem.NOT_ENROLLED),
    (CHEN, "陈志强", {"amount": "400.00"}, TaxVoucher.Problem.AMOUNT_DIFFERS),
    (CHEN, "陈志强", {"at": "2023-01-05 09:00:00"}, TaxVoucher.Problem.YEAR_CLOSED),
    (ZHANG, "张建国", {}, TaxVoucher.Problem.ALREADY_PAID),
    (LI, "李秀梅", {}, TaxVoucher.Problem.NOTHING_DUE),
])
def test_a_row_that_matches_no_enrollment_waits_for_reconciliation_with_its_reason(
        demo, officer, nothing_due, number, name, changes, problem):
    payments_before = Payment.objects.count()

    report = run([row("SW-1", number, name, **changes)], user=officer, now=datetime(2023, 3, 1, tzinfo=BEIJING))

    assert report.committed and report.recorded == 0 and dict(report.problems) == {problem.value: 1}
    voucher = TaxVoucher.objects.get(voucher_number="SW-1")
    assert voucher.problem == problem and voucher.payment is None
    assert TaxVoucher.objects.to_reconcile().filter(pk=voucher.pk).exists()
    assert Payment.objects.count() == payments_before
    if problem == TaxVoucher.Problem.UNKNOWN_PERSON:
        # Nobody's village: the list of the officer who imported it.
        assert voucher.resident is None and voucher.region.code == "370300000000"
    else:
        resident = Resident.objects.get(id_digest=id_digest(number))
        assert voucher.resident == resident and voucher.region == resident.region
    assert TaxPaymentImport.objects.get().unmatched == 1


def test_a_second_voucher_for_an_enrollment_paid_by_the_first_is_already_paid(demo, officer):
    report = run([row("SW-1", LIU, "刘桂英"), row("SW-2", LIU, "刘桂英", at="2021-10-21 08:00:00")], user=officer)

    assert report.recorded == 1 and dict(report.problems) == {"already_paid": 1}
    assert TaxVoucher.objects.get(voucher_number="SW-2").problem == TaxVoucher.Problem.ALREADY_PAID
    assert enrollment_of(LIU).payments.count() == 1


def test_a_cancelled_enrollment_is_not_paid(demo, officer):
    Enrollment.objects.filter(pk=enrollment_of(LIU).pk).update(status=Enrollment.Status.CANCELLED)

    report = run([row("SW-1", LIU, "刘桂英")], user=officer)

    assert dict(report.problems) == {"not_enrolled": 1} and not Payment.objects.filter(method="tax").exists()


def test_a_whole_file_counts_each_reason(demo, officer, nothing_due):
    rows = [row("A1", LIU, "刘桂英"), row("A2", CHEN, "陈志强", amount="300.00"), row("A3", ZHAO, "赵伟"),
            row("A4", STRANGER, "无名氏"), row("A5", ZHANG, "张建国"), row("A6", LI, "李秀梅")]

    report = run(rows, user=officer)

    assert report.as_dict()["problems"] == {"unknown_person": 1, "not_enrolled": 1, "amount_differs": 1,
                                            "already_paid": 1, "nothing_due": 1}
    assert (report.rows, report.recorded, report.unmatched) == (6, 1, 5)
    assert TaxVoucher.objects.count() == 6


# -- idempotent by voucher number ------------------------------------------------------------

def test_importing_the_same_file_again_records_nothing_twice(demo, officer):
    rows = [row("SW-1", LIU, "刘桂英"), row("SW-2", ZHAO, "赵伟"), row("SW-3", STRANGER, "无名氏")]
    first = run(rows, user=officer)
    before = written()

    again = run(rows, user=officer)

    assert first.recorded == 1 and first.unmatched == 2
    assert again.committed and again.already_imported == 3 and again.recorded == 0 and again.unmatched == 0
    assert written()[:2] == before[:2]
    assert TaxPaymentImport.objects.count() == 2  # each committed file is on record, with its counts
    assert TaxPaymentImport.objects.order_by("pk").last().already_imported == 3


def test_a_file_with_old_and_new_vouchers_imports_only_the_new(demo, officer):
    run([row("SW-1", LIU, "刘桂英")], user=officer)

    report = run([row("SW-1", LIU, "刘桂英"), row("SW-2", CHEN, "陈志强")], user=officer)

    assert (report.already_imported, report.recorded) == (1, 1)
    assert enrollment_of(CHEN).payments.get().method == Payment.Method.TAX


# -- malformed files: nothing written --------------------------------------------------------

@pytest.mark.parametrize(("bad", "message"), [
    (row("M1", LIU[:-1] + ("0" if LIU[-1] != "0" else "1"), "刘桂英"), "校验位不符"),
    (row("M1", "3703031975", "刘桂英"), "身份证号应为 18 位"),
    (row("M1", "3.70303E+17", "刘桂英"), "被 Excel 存成了数字"),
    (row("M1", LIU, "刘桂英", amount="四百一十"), "金额“四百一十”不是数字"),
    (row("M1", LIU, "刘桂英", amount="-410"), "应大于 0"),
    (row("M1", LIU, "刘桂英", amount="410.005"), "最多两位小数"),
    (row("M1", LIU, "刘桂英", amount=""), "请填写金额"),
    (row("M1", LIU, "刘桂英", at="2021-13-40 25:00"), "缴费时间“2021-13-40 25:00”无法识别"),
    (row("M1", LIU, "刘桂英", at=""), "请填写缴费时间"),
    (row("M1", LIU, "刘桂英", at="2022-05-01 08:00:00"), "晚于现在"),
    (row("", LIU, "刘桂英"), "请填写缴费凭证号"),
    (row("M" * 41, LIU, "刘桂英"), "缴费凭证号"),
    (row("M1", LIU, ""), "请填写姓名"),
    (row("M1", LIU, "刘桂英", year="22"), "缴费年度“22”应为四位年份"),
    (row("M1", LIU, "刘桂英", office=""), "请填写征收机关"),
])
def test_a_malformed_row_refuses_the_whole_file_naming_the_row(demo, officer, bad, message):
    before = written()

    report = run([row("OK-1", CHEN, "陈志强"), bad], user=officer)

    assert not report.committed and [error.row for error in report.errors] == [3]
    assert message in report.errors[0].message, report.errors
    assert written() == before and enrollment_of(CHEN).paid_at is None


def test_a_voucher_number_twice_in_the_file_names_both_rows(demo, officer):
    report = run([row("D-1", LIU, "刘桂英"), row("D-2", CHEN, "陈志强"), row("D-1", CHEN, "陈志强")], user=officer)

    assert [(error.row, error.message) for error in report.errors] == [
        (4, "缴费凭证号 D-1 与第 2 行重复，同一张凭证只能出现一次；请删去重复的行")]
    assert written() == (Payment.objects.count(), 0, 0)


def test_every_problem_of_every_row_is_listed(demo, officer):
    report = run([row("", "123", "", amount="x", at="昨天", office=""), row("E-2", LIU, "刘桂英", year="")],
                 user=officer)

    assert [error.row for error in report.errors] == [2] * 6 + [3]


def test_a_file_without_the_columns_or_rows_is_refused_saying_what_to_fix(demo, officer):
    with pytest.raises(TableError, match="表头缺少“征收机关”列"):
        run([], user=officer, data=tax_csv(row("1", LIU, "刘桂英")[:6], header=HEADER[:6]))
    with pytest.raises(TableError, match="只有表头"):
        run([], user=officer)
    with pytest.raises(TableError, match="不支持旧版 Excel"):
        run([], user=officer, filename="税务.xls")


def test_times_and_amounts_in_the_tax_offices_other_spellings_are_read(demo, officer):
    report = run([row("T-1", LIU, "刘桂英", amount="410", at="2021/10/20 8:05"),
                  row("T-2", CHEN, "陈志强", amount="410.0", at="20211021093000")], user=officer)

    assert report.recorded == 2
    assert enrollment_of(LIU).paid_at == datetime(2021, 10, 20, 8, 5, tzinfo=BEIJING)
    assert enrollment_of(CHEN).paid_at == datetime(2021, 10, 21, 9, 30, tzinfo=BEIJING)


def test_an_xlsx_file_with_typed_cells_is_read(demo, officer):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["X-1", LIU, "刘桂英", 2022, 410, datetime(2021, 10, 20, 10, 15), OFFICE])
    sheet.append(["X-2", CHEN, "陈志强", 2022.0, 410.0, date(2021, 10, 22), OFFICE])
    data = io.BytesIO()
    book.save(data)

    report = run([], user=officer, data=data.getvalue(), filename="税务.xlsx")

    assert report.recorded == 2, report.errors
    assert enrollment_of(CHEN).paid_at == datetime(2021, 10, 22, tzinfo=BEIJING)


def test_an_id_number_stored_as_an_excel_number_is_refused(demo, officer):
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["X-1", 370303197511200221, "刘桂英", 2022, 410, "2021-10-20 10:15:00", OFFICE])
    data = io.BytesIO()
    book.save(data)

    report = run([], user=officer, data=data.getvalue(), filename="税务.xlsx")

    assert "被 Excel 存成了数字" in report.errors[0].message and not TaxVoucher.objects.exists()


# -- dry run ---------------------------------------------------------------------------------

def test_a_dry_run_counts_as_the_import_would_and_writes_nothing(demo, officer):
    rows = [row("SW-1", LIU, "刘桂英"), row("SW-2", LIU, "刘桂英"), row("SW-3", ZHAO, "赵伟")]
    before = written()

    checked = run(rows, user=officer, dry_run=True)

    assert not checked.committed and written() == before and enrollment_of(LIU).paid_at is None
    done = run(rows, user=officer)
    assert (checked.recorded, dict(checked.problems)) == (done.recorded, dict(done.problems)) == (
        1, {"already_paid": 1, "not_enrolled": 1})


def test_an_officer_without_a_scope_cannot_import(demo):
    from django.core.exceptions import ValidationError

    from tests.factories import staff_user

    nobody = staff_user(role="officer", scope=None, username="officer_unplaced")
    with pytest.raises(ValidationError, match="管辖区域"):
        run([row("SW-1", LIU, "刘桂英")], user=nobody)


# -- the command -----------------------------------------------------------------------------

def command(*args, file_rows=None, tmp_path):
    path = tmp_path / "税务缴费.csv"
    path.write_bytes(tax_csv(*(file_rows or [])))
    out = io.StringIO()
    call_command("import_tax_payments", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_and_answers_in_json(demo, officer, tmp_path, on_2022_window):
    rows = [row("C-1", LIU, "刘桂英"), row("C-2", STRANGER, "无名氏")]

    dry = json.loads(command("--user", "officer", "--dry-run", "--json", file_rows=rows, tmp_path=tmp_path))
    done = json.loads(command("--user", "officer", "--json", file_rows=rows, tmp_path=tmp_path))
    again = json.loads(command("--user", "officer", "--json", file_rows=rows, tmp_path=tmp_path))

    assert {key: dry[key] for key in ("rows", "recorded", "unmatched", "committed")} == {
        "rows": 2, "recorded": 1, "unmatched": 1, "committed": False}
    assert done["committed"] and done["recorded"] == 1 and done["amount_recorded"] == "410.00"
    assert done["problems"] == {"unknown_person": 1} and done["errors"] == [] and done["filename"] == "税务缴费.csv"
    assert again["already_imported"] == 2 and again["recorded"] == 0
    assert Payment.objects.filter(method="tax").count() == 1


def test_the_command_exits_with_an_error_on_refused_rows_and_says_which(demo, officer, tmp_path, on_2022_window):
    path = tmp_path / "坏.csv"
    path.write_bytes(tax_csv(row("C-1", LIU, "刘桂英", amount="abc")))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 行未通过检查"):
        call_command("import_tax_payments", str(path), "--user", "officer", "--json", stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["errors"] == [{"row": 2, "message": "金额“abc”不是数字，请填写元，如 410.00"}]
    assert not answer["committed"] and not TaxVoucher.objects.exists()


def test_the_command_refuses_a_user_who_may_not_import(demo, clerk_chezhan, tmp_path):
    with pytest.raises(CommandError, match="没有导入税务缴费文件的权限"):
        command("--user", "clerk_chezhan", file_rows=[row("C-1", LIU, "刘桂英")], tmp_path=tmp_path)
    with pytest.raises(CommandError, match="没有用户名为“nobody”"):
        command("--user", "nobody", file_rows=[row("C-1", LIU, "刘桂英")], tmp_path=tmp_path)
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_tax_payments", str(tmp_path / "none.csv"), "--user", "officer")


def test_the_officers_village_scope_is_where_an_unknown_person_waits(demo):
    from tests.factories import staff_user

    village = Region.objects.get(code="370303001002")
    county_officer = staff_user(role="officer", scope=village.parent.parent, username="officer_zhangdian")

    run([row("U-1", STRANGER, "无名氏")], user=county_officer)

    assert TaxVoucher.objects.get().region.code == "370303000000"


def test_a_county_officer_records_nothing_for_people_of_another_county(demo, clerk_other):
    """A file imported by an officer of 公园街道's county... here a township clerk's scope stands
    in for any narrower importer: 刘桂英 of 车站街道 is outside 公园街道, so her payment is not
    recorded from there and her name goes on no list of theirs."""
    from enrollment.models import Payment as PaymentModel

    report = run([row("OUT-1", LIU, "刘桂英")], user=clerk_other)
    assert report.committed and dict(report.problems) == {"outside_scope": 1}
    voucher = TaxVoucher.objects.get(voucher_number="OUT-1")
    assert voucher.resident is None and voucher.payment is None and voucher.region.code == "370303002000"
    assert not PaymentModel.objects.filter(method="tax").exists() and enrollment_of(LIU).paid_at is None


def test_an_id_number_in_the_wrong_column_is_never_echoed_whole(demo, officer):
    report = run([row("V-1", LIU, "刘桂英", amount=LIU), row(LIU, LIU, "刘桂英", year=LIU[:4] + "x")], user=officer)
    text = " ".join(str(error) for error in report.errors)
    assert report.errors and LIU not in text and f"{LIU[:6]}********{LIU[-4:]}" in text
