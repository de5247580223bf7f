"""Enrollee rolls: every row is checked, the report names the row and the reason in Chinese, and
one refused row means nothing at all is written."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from enrollment.imports import checks
from enrollment.imports.checks import enrollees_import
from enrollment.imports.rolls import RollError, RollRow, read_roll
from enrollment.models import Enrollment, Resident
from portal.privacy.id_numbers import IdNumberError, make_id_number, parse_id_number
from portal.privacy.id_vault import id_digest
from portal.spreadsheets import reading
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ON = date(2021, 10, 15)  # inside the demo's 2022 collection window
HEADER = ["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"]
WANG = "370303195203151223"  # enrolled and paid for 2022 in the demo
HAN_MEI = make_id_number("370303", date(1985, 5, 20), 36)
XIAO_YU = make_id_number("370303", date(2012, 9, 1), 41)
HUAGUANG, GONGQINGTUAN, JINJING = "370303001001", "370303001002", "370303002001"


def roll(*people: list[str]) -> list[RollRow]:
    return [RollRow(number, *cells) for number, cells in enumerate(people, start=2)]


def good_people() -> list[list[str]]:
    return [
        [HAN_MEI, "韩梅", "13905330001", GONGQINGTUAN, "成年居民"],
        [XIAO_YU, "韩小雨", "", GONGQINGTUAN, "student_child"],
    ]


def run(rows, user, *, dry_run=False, on=ON, year=2022):
    return enrollees_import(rows=rows, year=year, user=user, on=on, dry_run=dry_run)


def written() -> tuple[int, int]:
    return Resident.objects.count(), Enrollment.objects.count()


# -- A good roll --------------------------------------------------------------------------

def test_a_good_roll_registers_the_new_residents_and_enrolls_them_at_the_standard_amounts(demo, clerk_chezhan):
    report = run(roll(*good_people()), clerk_chezhan)

    assert report.committed and not report.errors
    assert (report.new_residents, report.existing_residents, report.enrollments) == (2, 0, 2)
    assert report.payable_total == Decimal("720.00")
    han = Resident.objects.get(id_digest=id_digest(HAN_MEI))
    assert han.name == "韩梅" and han.phone == "13905330001" and han.region.code == GONGQINGTUAN
    assert han.id_number == HAN_MEI and HAN_MEI not in han.id_number_encrypted
    assert han.id_masked == HAN_MEI[:6] + "********" + HAN_MEI[-4:]
    assert (han.birth_date, han.gender, han.created_by) == (date(1985, 5, 20), "female", clerk_chezhan)
    imported = Enrollment.objects.filter(year=2022, resident__name__in=["韩梅", "韩小雨"])
    amounts = {e.resident.name: (e.category, e.standard_amount, e.payable) for e in imported}
    assert amounts == {
        "韩梅": ("adult", Decimal("410.00"), Decimal("410.00")),
        "韩小雨": ("student_child", Decimal("310.00"), Decimal("310.00")),
    }
    enrollment = han.enrollments.get()
    assert enrollment.registered_on == ON and enrollment.paid_at is None and enrollment.region == han.region
    assert enrollment.coverage_start == date(2022, 1, 1) and enrollment.standard.year == 2022


def test_imported_residents_have_a_creation_record_in_their_history(demo, clerk_chezhan):
    run(roll(*good_people()), clerk_chezhan)
    created = Resident.objects.get(name="韩梅").history.get()
    assert created.history_type == "+" and created.history_user == clerk_chezhan
    assert created.history_change_reason == "参保名单导入"


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(demo, clerk_chezhan):
    before = written()
    report = run(roll(*good_people()), clerk_chezhan, dry_run=True)
    assert not report.committed and not report.errors
    assert report.enrollments == 2 and report.payable_total == Decimal("720.00")
    assert [(entry.row, entry.id_masked, entry.premium.payable) for entry in report.entries] == [
        (2, HAN_MEI[:6] + "********" + HAN_MEI[-4:], Decimal("410.00")),
        (3, XIAO_YU[:6] + "********" + XIAO_YU[-4:], Decimal("310.00")),
    ]
    assert written() == before


def test_a_registered_resident_is_enrolled_not_registered_again(demo, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")  # registered, not enrolled for 2022
    before = Resident.objects.count()
    report = run(roll([zhao.id_number, "赵伟", "", zhao.region.code, "成年居民"]), clerk_chezhan)
    assert report.committed and (report.new_residents, report.existing_residents) == (0, 1)
    assert Resident.objects.count() == before
    assert zhao.enrollments.get(year=2022).payable == Decimal("410.00")


def test_a_fully_subsidised_resident_is_settled_at_once(demo, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")
    Resident.objects.filter(pk=zhao.pk).update(assistance_category="extreme_poverty")
    run(roll([zhao.id_number, "赵伟", "", zhao.region.code, "成年居民"]), clerk_chezhan)
    enrollment = zhao.enrollments.get(year=2022)
    assert (enrollment.subsidy, enrollment.payable) == (Decimal("410.00"), Decimal("0.00"))
    assert enrollment.assistance_category == "extreme_poverty" and enrollment.paid_at is not None


def test_newborns_are_each_covered_from_their_own_birth_date(demo, clerk_chezhan):
    # 2021 coverage, registered in March 2021: after the window, so adults would be late, while
    # newborns within 90 days are covered from birth. Memoized premiums must not mix them up.
    first, second = date(2021, 1, 10), date(2021, 2, 20)
    rows = roll(
        [make_id_number("370303", first, 52), "刘一", "", HUAGUANG, "学生儿童"],
        [make_id_number("370303", second, 54), "刘二", "", HUAGUANG, "学生儿童"],
    )
    run(rows, clerk_chezhan, on=date(2021, 3, 1), year=2021)
    starts = dict(Enrollment.objects.filter(year=2021, newborn=True).values_list("resident__name", "coverage_start"))
    assert starts == {"刘一": first, "刘二": second}


@pytest.mark.django_db(transaction=True)
def test_a_committed_import_passes_the_deferred_constraints_at_commit(demo, clerk_chezhan):
    # Outside a test transaction: foreign keys are checked for real when the import commits.
    assert run(roll(*good_people()), clerk_chezhan).committed
    assert Enrollment.objects.filter(year=2022, resident__name__in=["韩梅", "韩小雨"]).count() == 2


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        (Resident, checks.RESIDENT_COLUMNS),
        (Resident.history.model, (*checks.HISTORY_COLUMNS, "history_id")),
        (Enrollment, (*checks.ENROLLMENT_COLUMNS, "id")),
    ],
)
def test_the_bulk_write_names_every_column_of_its_tables(model, columns):
    # PostgreSQL's COPY writes only the listed columns (sequences number the rest): a field added
    # to the model and not here would fail every import there, for want of a database default.
    assert sorted(columns) == sorted(field.column for field in model._meta.concrete_fields)


# -- Refusals -----------------------------------------------------------------------------

def refused(rows, user, **kwargs) -> dict[int | None, list[str]]:
    before = written()
    report = run(rows, user, **kwargs)
    assert not report.committed
    assert written() == before, "a refused roll must write nothing"
    messages: dict[int | None, list[str]] = {}
    for error in report.errors:
        messages.setdefault(error.row, []).append(error.message)
    return messages


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ([HAN_MEI[:-1] + ("0" if HAN_MEI[-1] != "0" else "1"), "韩梅", "", GONGQINGTUAN, "成年居民"], "校验位不符"),
        ([HAN_MEI[:17], "韩梅", "", GONGQINGTUAN, "成年居民"], "身份证号应为 18 位"),
        (["3.70303E+17", "韩梅", "", GONGQINGTUAN, "成年居民"], "身份证号被 Excel 存成了数字"),
        ([HAN_MEI, "", "", GONGQINGTUAN, "成年居民"], "请填写姓名"),
        ([HAN_MEI, "韩梅", "", "370303001099", "成年居民"], "村社区代码 370303001099 不存在"),
        ([HAN_MEI, "韩梅", "", "3703030010", "成年居民"], "有 10 位"),
        ([HAN_MEI, "韩梅", "", "370303001", "成年居民"], "车站街道（370303001000）不是村(社区)"),
        ([HAN_MEI, "韩梅", "", JINJING, "成年居民"], "金晶社区（370303002001）不在您的管辖范围（车站街道）内"),
        ([HAN_MEI, "韩梅", "", GONGQINGTUAN, "老年居民"], "参保类别“老年居民”无法识别"),
        ([HAN_MEI, "韩梅", "", GONGQINGTUAN, ""], "请填写参保类别"),
        ([XIAO_YU, "韩小雨", "", GONGQINGTUAN, "成年居民"], "未满 18 周岁，参保类别应为学生儿童"),
        ([WANG, "王秀兰", "", HUAGUANG, "成年居民"], "王秀兰 已于 2021-10-10 09:30 在华光路社区登记 2022 年度参保，同一人同一年度只能参保一次"),
        ([WANG, "王秀梅", "", HUAGUANG, "成年居民"], "此身份证号已登记，姓名为“王*兰”，与名单中的“王秀梅”不一致"),
    ],
)
def test_a_bad_row_is_named_with_its_reason_and_nothing_is_written(demo, clerk_chezhan, person, message):
    # The bad row is the third row of the sheet, after a good one.
    messages = refused(roll(good_people()[1], person), clerk_chezhan)
    assert list(messages) == [3]
    assert any(message in text for text in messages[3]), messages


def test_a_number_twice_in_the_roll_names_the_earlier_row(demo, clerk_chezhan):
    first = good_people()[0]
    again = [HAN_MEI.lower(), "韩梅", "", GONGQINGTUAN, "成年居民"]
    messages = refused(roll(first, good_people()[1], again), clerk_chezhan)
    assert messages == {4: ["身份证号与第 2 行重复，同一人只能出现一次"]}


def test_a_row_can_have_several_problems_and_all_are_reported(demo, clerk_chezhan):
    messages = refused(roll(["12345", "", "", "37030300100", "学生"]), clerk_chezhan)
    assert len(messages[2]) == 4


def test_a_deceased_resident_is_not_enrolled(demo, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")
    Resident.objects.filter(pk=zhao.pk).update(date_of_death=date(2021, 9, 1))
    messages = refused(roll([zhao.id_number, "赵伟", "", zhao.region.code, "成年居民"]), clerk_chezhan)
    assert messages == {2: ["赵伟 已于 2021-09-01 死亡，不能参保"]}


def test_a_registered_resident_listed_in_another_village_is_refused(demo, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")  # lives in 西二路社区
    messages = refused(roll([zhao.id_number, "赵伟", "", HUAGUANG, "成年居民"]), clerk_chezhan)
    assert "登记的居住地是西二路社区（370303001003）" in messages[2][0]


def test_a_year_without_a_standard_is_refused_for_every_row(demo, clerk_chezhan):
    messages = refused(roll(*good_people()), clerk_chezhan, year=2030)
    assert messages == {2: ["2030 年度淄博市还没有发布个人缴费标准。"], 3: ["2030 年度淄博市还没有发布个人缴费标准。"]}


def test_before_the_window_opens_the_premium_rules_refuse(demo, clerk_chezhan):
    messages = refused(roll(good_people()[0]), clerk_chezhan, on=date(2021, 8, 1))
    assert "2022 年度集中缴费期 2021-09-01 起才开始" in messages[2][0]


def test_a_user_without_a_scope_cannot_import_at_all(demo):
    with pytest.raises(ValidationError, match="没有管辖区域"):
        run(roll(*good_people()), UserFactory())


def test_when_the_database_refuses_at_write_time_nothing_is_written(demo, clerk_chezhan, monkeypatch):
    # Another clerk enrolls 王秀兰 between the check and the write: here the check is blinded so
    # that only the unique constraint can catch it, and it must take the new resident down too.
    monkeypatch.setattr(checks._Checker, "_resident_problem", lambda *args: None)
    messages = refused(roll(good_people()[0], [WANG, "王秀兰", "", HUAGUANG, "成年居民"]), clerk_chezhan)
    assert messages == {None: ["写入时发现名单中有人刚被其他经办人登记或参保，全部未导入；请重新预检后再导入。"]}


# -- Reading files ------------------------------------------------------------------------

def csv_bytes(*people, encoding="utf-8", header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(people)
    return text.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_files_are_read_in_the_encodings_excel_saves(encoding):
    data = csv_bytes(*good_people(), encoding=encoding)
    rows = read_roll(io.BytesIO(data), "名单.csv")
    assert rows[0] == RollRow(2, HAN_MEI, "韩梅", "13905330001", GONGQINGTUAN, "成年居民")
    assert rows[1].name == "韩小雨" and rows[1].category == "student_child"


def test_row_numbers_count_as_the_spreadsheet_does_and_blank_rows_are_skipped(tmp_path):
    path = tmp_path / "roll.csv"
    padded = [f" {XIAO_YU} ", " 韩小雨 ", "", GONGQINGTUAN, "学生儿童"]
    path.write_bytes(csv_bytes(good_people()[0], ["", "", "", "", ""], padded))
    rows = read_roll(path)
    assert [row.row for row in rows] == [2, 4]
    assert rows[1].id_number == XIAO_YU and rows[1].name == "韩小雨"


def test_xlsx_files_are_read_and_number_cells_for_id_numbers_are_flagged():
    book = Workbook()
    sheet = book.active
    sheet.append(["备注", *HEADER])  # columns are found by their header, wherever they are
    sheet.append(["", HAN_MEI, "韩梅", 13905330001, int(GONGQINGTUAN), "成年居民"])
    sheet.append(["", 370303201209010411, "韩小雨", None, GONGQINGTUAN, "学生儿童"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("名单.xlsx", data.getvalue())
    first, second = read_roll(upload)
    assert first == RollRow(2, HAN_MEI, "韩梅", "13905330001", GONGQINGTUAN, "成年居民", False)
    assert second.id_number_was_numeric


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (csv_bytes(*good_people(), header=["身份证号", "姓名", "电话", "村社区代码"]), "a.csv", "缺少“联系电话”“参保类别”列"),
        (csv_bytes(), "a.csv", "没有要导入的人员"),
        (b"", "a.csv", "文件是空的"),
        (b"not a zip", "a.xlsx", "无法打开这个 XLSX 文件"),
        (b"", "a.xls", "不支持旧版 Excel（.xls）"),
        (b"", "a.txt", "只能导入 CSV 或 XLSX 文件"),
        # The type is checked by content too, whatever the name says.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.xlsx", "这是旧版 Excel（.xls）文件"),
        (b"PK\x03\x04rest-of-a-zip", "a.csv", "内容却是 Excel 工作簿"),
        ("身份证号,姓名".encode("utf-16"), "a.csv", "不是文本格式"),
    ],
)
def test_a_file_that_is_not_a_roll_is_refused_with_what_to_fix(data, name, message):
    with pytest.raises(RollError, match=message):
        read_roll(io.BytesIO(data), name)


def test_a_roll_longer_than_the_limit_is_refused_but_one_at_the_limit_is_read():
    data = csv_bytes(*good_people())
    assert len(read_roll(io.BytesIO(data), "a.csv", max_rows=2)) == 2
    with pytest.raises(RollError, match="名单超过 1 人，请分成几个文件分别导入"):
        read_roll(io.BytesIO(data), "a.csv", max_rows=1)


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_opened(monkeypatch):
    book = Workbook()
    book.active.append(HEADER)
    data = io.BytesIO()
    book.save(data)
    monkeypatch.setattr(reading, "XLSX_MAX_UNPACKED", 1000)
    with pytest.raises(RollError, match="解压后过大"):
        read_roll(io.BytesIO(data.getvalue()), "a.xlsx")


# -- The officers' command ----------------------------------------------------------------

@pytest.fixture
def roll_file(tmp_path):
    def write(*people) -> str:
        path = tmp_path / "roll.csv"
        path.write_bytes(csv_bytes(*people, encoding="utf-8-sig"))
        return str(path)

    return write


def import_command(path, *extra) -> str:
    out = io.StringIO()
    call_command("import_enrollees", path, "--year", "2022", "--user", "officer", "--date", ON.isoformat(),
                 *extra, stdout=out)
    return out.getvalue()


def test_the_command_imports_a_good_roll_and_says_what_it_did(demo, roll_file):
    output = import_command(roll_file(*good_people()))
    assert "已导入 2022 年度：新登记居民 2 人，已登记居民 0 人，参保登记 2 条，个人应缴合计 720.00 元" in output
    assert Resident.objects.filter(name__in=["韩梅", "韩小雨"]).count() == 2


def test_the_command_dry_run_writes_nothing(demo, roll_file):
    before = written()
    output = import_command(roll_file(*good_people()), "--dry-run")
    assert "预检通过，未写入" in output and written() == before


def test_the_command_lists_refused_rows_and_exits_with_status_1(demo, roll_file):
    before = written()
    path = roll_file(good_people()[0], [WANG, "王秀兰", "", HUAGUANG, "成年居民"])
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 行未通过检查，全部未导入") as error:
        call_command("import_enrollees", path, "--year", "2022", "--user", "officer", "--date", "2021-10-15",
                     stdout=out)
    assert error.value.returncode == 1
    assert "第 3 行：王秀兰 已于 2021-10-10 09:30 在华光路社区登记 2022 年度参保" in out.getvalue()
    assert written() == before


def test_the_command_refuses_an_unknown_user(demo, roll_file):
    with pytest.raises(CommandError, match="没有用户名为“nobody”的用户"):
        call_command("import_enrollees", roll_file(*good_people()), "--year", "2022", "--user", "nobody")


def test_the_command_refuses_a_missing_file(demo, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_enrollees", str(tmp_path / "missing.csv"), "--year", "2022", "--user", "officer")


# -- The quick ID number check of the hot loop ------------------------------------------------

near_numbers = st.one_of(
    st.builds(
        lambda address, born, sequence, check: f"{address}{born:%Y%m%d}{sequence:03d}{check}",
        st.from_regex(r"[0-9]{6}", fullmatch=True), st.dates(date(1880, 1, 1), date(2030, 12, 31)),
        st.integers(0, 999), st.sampled_from("0123456789Xx"),
    ),
    st.text(alphabet="0123456789Xx０１ -", min_size=16, max_size=19),
)


@given(near_numbers)
def test_the_quick_check_agrees_with_the_full_parse(text):
    quick = checks.quick_parse(text, ON)
    try:
        parsed = parse_id_number(text, today=ON)
    except IdNumberError:
        assert quick is None
        return
    if text == parsed.number:  # already in normal form: the quick path must take it
        assert quick == (parsed.birth_date, parsed.gender.value)
    else:  # spaces, full-width digits, a small x: left to the full parse, which normalises
        assert quick is None


def test_the_quick_check_refuses_a_wrong_check_character_and_a_future_birth_date():
    assert checks.quick_parse(HAN_MEI, ON) == (date(1985, 5, 20), "female")
    assert checks.quick_parse(HAN_MEI[:-1] + ("1" if HAN_MEI[-1] != "1" else "2"), ON) is None
    assert checks.quick_parse(make_id_number("370303", date(2021, 10, 16), 1), ON) is None


def test_a_resident_who_moved_out_of_the_city_is_not_enrolled_for_a_later_year(demo, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")
    Resident.objects.filter(pk=zhao.pk).update(moved_out_on=date(2021, 9, 1))
    messages = refused(roll([zhao.id_number, "赵伟", "", zhao.region.code, "成年居民"]), clerk_chezhan)
    assert messages == {2: ["赵伟 已于 2021-09-01 迁出本统筹区，不能在这里登记 2022 年度参保；如已迁回，请先在“迁移（转移接续）”中办理迁入。"]}
