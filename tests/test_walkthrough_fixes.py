"""What a walk-through as each user found (the issue of that name), item by item; what is seen
in a browser is also checked in tests/browser."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from enrollment.models import Enrollment

pytestmark = pytest.mark.django_db


def test_the_estimate_form_opens_the_answer_where_the_result_is(client, demo_policies):
    html = client.get("/estimate/").content.decode()
    assert 'action="#result"' in html and 'id="result"' in html


def test_the_estimate_page_headings_go_down_one_level_at_a_time(client, demo_policies):
    html = client.post("/estimate/", {
        "year": 2022, "region": "370300", "category": "adult", "assistance": "",
        "visits-TOTAL_FORMS": 1, "visits-INITIAL_FORMS": 0, "visits-MIN_NUM_FORMS": 0, "visits-MAX_NUM_FORMS": 20,
        "visits-0-kind": "inpatient", "visits-0-level": 2, "visits-0-total": "20000", "visits-0-policy_range": "18000",
    }).content.decode()
    assert "测算结果" in html
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert levels[0] == 1 and not jumps, levels


def test_the_favicon_is_found_where_browsers_look(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")


@pytest.mark.parametrize("path", ["/", "/premium/", "/estimate/", "/lookup/", "/guides/", "/notices/"])
def test_every_public_page_has_a_description(client, demo_policies, path):
    html = client.get(path).content.decode()
    assert re.search(r'<meta name="description" content="[^"]{10,}">', html), path


def test_a_refund_request_says_it_was_submitted_and_who_approves_it(clerk_client):
    enrollment = Enrollment.objects.filter(resident__name="张建国", year=2022).get()
    response = clerk_client.post(f"/station/enrollments/{enrollment.pk}/refund/", {"reason": "duplicate", "note": "重复参保"},
                                 follow=True)
    page = response.content.decode()
    assert f"已提交退费申请：退还个人缴费 {enrollment.payable} 元" in page and "县(区)医保局" in page


def test_an_identity_lists_import_time_is_beijing_time(demo, officer):
    from assistance.models import IdentityImport

    source = IdentityImport.objects.create(file_name="名单.csv", imported_by=officer)
    IdentityImport.objects.filter(pk=source.pk).update(imported_at=datetime(2026, 12, 7, 0, 51, tzinfo=ZoneInfo("UTC")))
    source.refresh_from_db()
    assert str(source) == "名单.csv（2026-12-07 08:51）"


def test_a_receipt_names_the_point_that_took_the_money_and_the_amount_in_capitals(clerk_client, clerk_chezhan):
    import uuid

    from enrollment.models import Payment

    enrollment = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    answer = clerk_client.post(f"/station/enrollments/{enrollment.pk}/pay/",
                               {"amount": str(enrollment.payable), "method": "cash", "token": str(uuid.uuid4())})
    payment = Payment.objects.get(enrollment=enrollment)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", clerk_client.get(answer["Location"]).content.decode()))
    point = clerk_chezhan.staff_profile.home_service_point
    assert payment.taken_at == point and f"收款网点 {point.name}" in page
    assert "人民币（大写） 肆佰壹拾元整" in page


SPACED = "370303 19520315 1223"  # 王秀兰, as people type it from the card


def test_an_id_number_typed_with_spaces_finds_the_person_in_the_lookup(client, demo, on_2022_window):
    page = client.post("/lookup/", {"name": "王秀兰", "id_number": SPACED}).content.decode()
    assert "王*兰" in page and "您输入了" not in page


@pytest.mark.parametrize("typed", ["370303 19860520 036X", "３７０３０３１９８６０５２００３６ｘ", "370303198605200 36x"])
def test_the_station_registers_a_number_typed_with_spaces_full_width_or_a_small_x(clerk_client, typed):
    from datetime import date

    from enrollment.models import Resident
    from portal.privacy.id_numbers import make_id_number, parse_id_number

    number = make_id_number("370303", date(1986, 5, 20), 36)
    assert number.endswith("X") and parse_id_number(typed, today=date(2026, 1, 1)).number == number
    from portal.network.models import Region

    clerk_client.post("/station/residents/new/", {
        "id_number": typed, "name": "韩梅", "phone": "13905330001",
        "region": Region.objects.get(code="370303001002").pk, "household_number": "", "household_address": "共青团路 3 号",
    })
    assert Resident.objects.get(name="韩梅").id_masked == f"{number[:6]}********{number[-4:]}"


def test_a_roll_row_with_a_spaced_number_is_read_as_the_number(demo, clerk_chezhan):
    from datetime import date

    from enrollment.imports.checks import enrollees_import
    from enrollment.imports.rolls import RollRow
    from portal.privacy.id_numbers import make_id_number

    number = make_id_number("370303", date(1985, 5, 20), 36)
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"
    report = enrollees_import(rows=[RollRow(2, spaced, "韩梅", "", "370303001002", "成年居民")], year=2022,
                              user=clerk_chezhan, on=date(2021, 10, 15), dry_run=True)
    assert report.errors == [] and report.entries[0].id_masked == f"{number[:6]}********{number[-4:]}"


def test_notices_say_whose_they_are_and_mark_other_places_as_reference(client, demo_network):
    from portal.public.models import PolicyNotice

    listing = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/notices/").content.decode()))
    assert "淄博市" in listing and "河南省焦作市 外地文件，仅供参考" in listing
    jiaozuo = PolicyNotice.objects.get(area="河南省焦作市")
    page = client.get(f"/notices/{jiaozuo.pk}/").content.decode()
    assert "这是河南省焦作市的文件，仅供参考" in page
    zibo = PolicyNotice.objects.get(area="淄博市")
    assert "的文件，仅供参考" not in client.get(f"/notices/{zibo.pk}/").content.decode()


@pytest.mark.parametrize(("today", "says"), [
    (date(2021, 10, 15), ["淄博市 2022 年度居民医保正在集中缴费", "缴费截止 2021年12月31日（还有 77 天）", "成年居民每人 410.00 元"]),
    (date(2022, 3, 1), ["淄博市 2022 年度集中缴费期已于 2021年12月31日结束", "等待 90 天", "2022年5月30日起"]),
])
def test_the_home_page_leads_with_the_collection_residents_need_this_month(client, demo, monkeypatch, today, says):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    html = client.get("/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for words in says:
        assert words in text, words
    assert html.index(says[0]) < html.index('class="service-tile"')  # first, before the services


def test_the_home_page_says_nothing_of_collection_when_none_is_open(client, demo, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2023, 6, 1))
    assert "集中缴费" not in client.get("/").content.decode()


def test_a_clerk_sees_only_the_steps_they_may_take_and_why_not_the_others(demo, clerk_chezhan):
    from django.test import Client

    from enrollment.models import Resident
    from tests.assistance.case_helpers import submit
    from tests.logins import otp_login

    # 车站街道's clerk accepts 王秀兰's application: as its reviewer they may not also take the next step.
    application = submit(Resident.objects.get(name="王秀兰"), clerk_chezhan)
    page = otp_login(Client(), clerk_chezhan).get(f"/station/assistance/applications/{application.pk}/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert 'name="action" value="review"' not in page  # no form to click and be refused
    assert "乡镇审核通过 ：上一步由您本人办理" in text
    assert "须由其他工作人员办理" in text and "<h2 class=\"h5\">办理</h2>" not in page


def test_the_export_pages_name_every_field_to_choose_in_chinese(officer_client):
    html = officer_client.get("/admin/enrollment/contributionstandard/export/").content.decode()
    labels = re.findall(r'<label[^>]*for="id_contributionstandardresource_[^"]*"[^>]*>([^<]+)</label>', html)
    assert labels and "成年居民个人缴费" in [label.strip() for label in labels]
    assert not [label for label in labels if re.search(r"[A-Za-z]{3,}", label)], labels
    assert "全选" in html and "Select all" not in html


def test_no_export_page_names_a_field_in_english(officer_client):
    from django.urls import reverse

    from tests.test_no_full_id_numbers import url_patterns

    pages = [name for name, params in url_patterns().items()
             if name.startswith("admin:") and name.endswith("_export") and not params]
    assert len(pages) > 5
    for name in pages:
        html = officer_client.get(reverse(name)).content.decode()
        labels = [label.strip() for label in re.findall(r'<label[^>]*for="id_\w+resource_\w+"[^>]*>([^<]+)</label>', html)]
        english = [label for label in labels if re.search(r"[A-Za-z]{3,}", label) and not label.isupper()]
        assert labels and not english, (name, english)


def test_the_roll_template_lists_the_clerks_villages_with_their_codes(clerk_client):
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(clerk_client.get("/station/imports/template/?format=xlsx").content))
    roll, codes = book.worksheets
    assert [cell.value for cell in roll[1]] == ["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"]
    villages = {row[1]: row[0] for row in codes.iter_rows(min_row=2, values_only=True)}
    assert villages["华光路社区"] == "370303001001"
    assert all(code.startswith("370303001") for code in villages.values())  # 车站街道's only
    csv = clerk_client.get("/station/imports/template/?format=csv").content.decode("utf-8-sig")
    assert csv.strip() == "身份证号,姓名,联系电话,村社区代码,参保类别"


def _dry_run(clerk, *cells):
    from enrollment.imports.checks import enrollees_import
    from enrollment.imports.rolls import RollRow

    return enrollees_import(rows=[RollRow(2, *cells)], year=2022, user=clerk, on=date(2021, 10, 15), dry_run=True)


def test_a_roll_may_name_a_village_unique_in_the_clerks_scope(demo, clerk_chezhan):
    from portal.network.models import Region
    from portal.privacy.id_numbers import make_id_number

    number = make_id_number("370303", date(1985, 5, 20), 36)
    report = _dry_run(clerk_chezhan, number, "韩梅", "13905330001", "华光路社区", "成年居民")
    assert report.errors == [] and report.entries[0].village.code == "370303001001"
    # Two villages of one name in the scope: the code is asked for.
    huaguang = Region.objects.get(code="370303001001")
    Region.objects.create(code="370303001099", name="华光路社区", parent=huaguang.parent)
    report = _dry_run(clerk_chezhan, number, "韩梅", "13905330001", "华光路社区", "成年居民")
    assert "有 2 个“华光路社区”（370303001001、370303001099），请改填 12 位村社区代码" in report.errors[0].message
    report = _dry_run(clerk_chezhan, number, "韩梅", "", "和平村", "成年居民")
    assert "没有名为“和平村”的村(社区)" in report.errors[0].message


@pytest.mark.parametrize(("phone", "accepted"), [
    ("13905330001", True), ("0533-3100221", True), ("05333100221", True), ("", True),
    ("1390533000", False), ("23905330001", False), ("139-0533-0001", False), ("电话", False),
])
def test_roll_phone_numbers_are_checked(demo, clerk_chezhan, phone, accepted):
    from portal.privacy.id_numbers import make_id_number

    number = make_id_number("370303", date(1985, 5, 20), 36)
    report = _dry_run(clerk_chezhan, number, "韩梅", phone, "370303001002", "成年居民")
    assert (report.errors == []) is accepted, report.errors
    if not accepted:
        assert "手机号为 1 开头的 11 位数字" in report.errors[0].message


def test_times_named_in_the_officers_lists_are_beijing_time(demo, officer, clerk_chezhan):
    from assistance.models import Application
    from enrollment.models import Resident
    from portal.accounts.models import BindingCode
    from tests.assistance.case_helpers import submit

    code = BindingCode(user=officer, expires_at=datetime(2026, 12, 7, 0, 51, tzinfo=ZoneInfo("UTC")))
    assert "2026-12-07 08:51 前有效" in str(code)
    application = submit(Resident.objects.get(name="王秀兰"), clerk_chezhan)
    # 1 January at 07:00 in Beijing is still 31 December in UTC: the number is of the new year.
    Application.objects.filter(pk=application.pk).update(
        recorded_at=datetime(2026, 12, 31, 23, 0, tzinfo=ZoneInfo("UTC")))
    application.refresh_from_db()
    assert application.number.startswith("2027-")
