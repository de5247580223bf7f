"""The station's roll upload: a dry run with a report per row, then one confirmation that
imports everything or nothing, exactly once, for the clerk who uploaded it."""

import csv
import io
import os
import re
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from enrollment.imports import forms as roll_forms
from enrollment.imports import staging
from enrollment.models import Enrollment, Resident
from portal.privacy.id_numbers import make_id_number
from portal.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

HEADER = ["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"]
WANG = "370303195203151223"  # enrolled for 2022 in the demo, in 华光路社区
HAN_MEI = make_id_number("370303", date(1985, 5, 20), 36)
XIAO_YU = make_id_number("370303", date(2012, 9, 1), 41)
GONGQINGTUAN, JINJING = "370303001002", "370303002001"  # 车站街道; 公园街道 (the other township)
GOOD = [[HAN_MEI, "韩梅", "13905330001", GONGQINGTUAN, "成年居民"], [XIAO_YU, "韩小雨", "", GONGQINGTUAN, "学生儿童"]]
TOKEN = re.compile(r'name="token" value="([A-Za-z0-9_-]{32})"')


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"
    return settings.ROLL_UPLOAD_DIR


@pytest.fixture
def clerk_client(clerk_client, on_2022_window):
    return clerk_client


def csv_upload(*people, name="名单.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(people)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8-sig"), content_type="text/csv")


def dry_run(client, upload, year=2022):
    return client.post("/station/imports/", {"year": year, "roll": upload})


def token_of(response) -> str:
    return TOKEN.search(response.content.decode()).group(1)


def confirm(client, token):
    return client.post("/station/imports/confirm/", {"token": token})


def imported() -> int:
    return Enrollment.objects.filter(year=2022, resident__name__in=["韩梅", "韩小雨"]).count()


def counts() -> tuple[int, int]:
    return Resident.objects.count(), Enrollment.objects.count()


# -- The happy path ------------------------------------------------------------------------

def test_the_station_menu_links_to_the_import_page(clerk_client):
    page = clerk_client.get("/station/").content.decode()
    assert 'href="/station/imports/">批量导入</a>' in page


def test_the_upload_page_offers_the_years_with_a_published_standard(clerk_client):
    page = clerk_client.get("/station/imports/").content.decode()
    assert '<option value="2022" selected>2022 年度</option>' in page and 'enctype="multipart/form-data"' in page


def test_a_dry_run_shows_counts_and_the_people_and_writes_nothing(clerk_client):
    before = counts()
    response = dry_run(clerk_client, csv_upload(*GOOD))
    page = response.content.decode()
    assert response.status_code == 200 and "预检通过：共 2 行" in page
    assert "新登记居民</dt><dd class=\"col-5 col-sm-8\">2 人" in page and "720.00 元" in page
    assert HAN_MEI[:6] + "********" + HAN_MEI[-4:] in page and HAN_MEI not in page  # masked
    assert "确认导入 2 人" in page and token_of(response)
    assert counts() == before


def test_confirming_imports_the_roll_once_and_shows_what_was_done(clerk_client):
    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    response = confirm(clerk_client, token)
    assert response.status_code == 302 and response["Location"] == f"/station/imports/done/?token={token}"
    assert imported() == 2
    page = clerk_client.get(response["Location"]).content.decode()
    assert "已导入 2022 年度参保名单，共 2 人" in page and "720.00 元" in page
    assert AccessLogEntry.objects.filter(action="import_roll", detail__contains="参保登记 2 人").exists()


def test_a_second_confirmation_imports_nothing_more_and_says_so(clerk_client):
    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    confirm(clerk_client, token)
    before = counts()
    again = confirm(clerk_client, token)
    assert again["Location"] == f"/station/imports/done/?token={token}"
    assert "已经导入过了，没有重复导入" in clerk_client.get(again["Location"]).content.decode()
    assert counts() == before


def test_a_very_long_file_name_is_shortened_for_the_page_and_the_log(clerk_client):
    token = token_of(dry_run(clerk_client, csv_upload(*GOOD, name="二" * 240 + ".csv")))
    assert confirm(clerk_client, token).status_code == 302 and imported() == 2
    assert "二" * 79 + "…" in AccessLogEntry.objects.get(action="import_roll").detail


def test_an_xlsx_roll_is_imported_too(clerk_client):
    book = Workbook()
    book.active.append(HEADER)
    for person in GOOD:
        book.active.append(person)
    data = io.BytesIO()
    book.save(data)
    token = token_of(dry_run(clerk_client, SimpleUploadedFile("名单.xlsx", data.getvalue())))
    confirm(clerk_client, token)
    assert imported() == 2


# -- Refusals: each says what to fix, none writes anything ------------------------------------

def test_each_bad_row_is_named_with_its_reason_and_there_is_no_confirm_button(clerk_client):
    before = counts()
    response = dry_run(clerk_client, csv_upload(
        GOOD[0],
        [HAN_MEI[:-1] + ("0" if HAN_MEI[-1] != "0" else "1"), "错号", "", GONGQINGTUAN, "成年居民"],
        [make_id_number("370303", date(1970, 1, 1), 51), "外街", "", JINJING, "成年居民"],
        [HAN_MEI, "韩梅", "", GONGQINGTUAN, "成年居民"],
        [WANG, "王秀兰", "", "370303001001", "成年居民"],
    ))
    page = response.content.decode()
    assert response.status_code == 200 and "4 行未通过检查，整份名单都没有导入" in page
    rows = dict(re.findall(r"<td class=\"text-nowrap\">第 (\d) 行</td><td>([^<]+)</td>", page))
    assert "校验位不符" in rows["3"]
    assert "不在您的管辖范围（车站街道）内" in rows["4"]
    assert "与第 2 行重复" in rows["5"]
    assert "登记 2022 年度参保，同一人同一年度只能参保一次" in rows["6"].replace("&nbsp;", " ")
    assert "确认导入 " not in page and not TOKEN.search(page)
    assert counts() == before and not os.listdir(staging.upload_dir())


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("名单.csv", "姓名,电话\n韩梅,1\n".encode()), "表头缺少"),
        (SimpleUploadedFile("名单.xlsx", b"PK\x03\x04not really a workbook"), "无法打开这个 XLSX 文件"),
        (SimpleUploadedFile("名单.csv", b"\x89PNG\r\n\x1a\n\x00\x00"), "不是文本格式"),
        (SimpleUploadedFile("名单.pdf", b"%PDF-1.4"), "只能导入 CSV 或 XLSX 文件"),
        (SimpleUploadedFile("名单.csv", b""), "上传的文件是空的"),
    ],
    ids=["header", "fake-xlsx", "binary", "pdf", "empty"],
)
def test_a_file_that_is_not_a_roll_is_refused_with_what_to_fix(clerk_client, upload, message):
    before = counts()
    response = dry_run(clerk_client, upload)
    assert response.status_code == 200 and message in response.content.decode()
    assert counts() == before


def test_a_file_over_the_size_limit_is_refused(clerk_client, monkeypatch):
    monkeypatch.setattr(roll_forms, "MAX_UPLOAD_BYTES", 100)
    response = dry_run(clerk_client, csv_upload(*GOOD))
    assert "超过 5 MB" in response.content.decode()


def test_a_roll_over_the_row_limit_is_refused(clerk_client, monkeypatch):
    monkeypatch.setattr(roll_forms, "MAX_ROWS", 1)
    response = dry_run(clerk_client, csv_upload(*GOOD))
    assert "名单超过 1 人，请分成几个文件分别导入" in response.content.decode()


def test_a_year_without_a_published_standard_cannot_be_chosen(clerk_client):
    response = dry_run(clerk_client, csv_upload(*GOOD), year=2030)
    assert "选择一个有效的选项" in response.content.decode() and imported() == 0


def test_no_file_at_all_is_asked_for(clerk_client):
    response = clerk_client.post("/station/imports/", {"year": 2022})
    assert "请选择要导入的名单文件" in response.content.decode()


# -- The staged roll: server-side, bound to the clerk, checked again ---------------------------

def test_the_staged_roll_is_kept_encrypted_outside_the_public_files(clerk_client, upload_dir):
    dry_run(clerk_client, csv_upload(*GOOD))
    (staged,) = upload_dir.iterdir()
    assert HAN_MEI.encode() not in staged.read_bytes() and "韩梅".encode() not in staged.read_bytes()
    assert staged.stat().st_mode & 0o077 == 0  # readable by the server's account only


def test_another_clerk_cannot_confirm_or_see_the_roll(clerk_client, clerk_other):
    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    client = Client()
    client.force_login(clerk_other)
    response = confirm(client, token)
    assert response["Location"] == "/station/imports/" and imported() == 0
    confirm(clerk_client, token)  # the uploader still can
    assert imported() == 2
    assert client.get(f"/station/imports/done/?token={token}").status_code == 404


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "x" * 32, "a" * 200])
def test_a_made_up_token_imports_nothing(clerk_client, token):
    dry_run(clerk_client, csv_upload(*GOOD))
    response = confirm(clerk_client, token)
    assert response.status_code == 302 and response["Location"] == "/station/imports/"
    assert "没有找到待确认的名单" in clerk_client.get("/station/imports/").content.decode()
    assert imported() == 0


def test_an_expired_roll_cannot_be_confirmed(clerk_client, upload_dir):
    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    old = time.time() - staging.STAGED_FOR.total_seconds() - 60
    for path in upload_dir.iterdir():
        os.utime(path, (old, old))
    assert confirm(clerk_client, token)["Location"] == "/station/imports/" and imported() == 0


def test_a_roll_checked_yesterday_is_checked_again_today(clerk_client, monkeypatch):
    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 10, 16))
    assert confirm(clerk_client, token)["Location"] == "/station/imports/" and imported() == 0


def test_confirming_checks_again_and_refuses_a_person_enrolled_since_the_dry_run(clerk_client, clerk_chezhan):
    from enrollment.imports.checks import enrollees_import
    from enrollment.imports.rolls import RollRow

    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    # Meanwhile a colleague enrolls 韩小雨 at the counter.
    enrollees_import(rows=[RollRow(2, *GOOD[1])], year=2022, user=clerk_chezhan, on=date(2021, 10, 15),
                     dry_run=False)
    before = counts()
    response = confirm(clerk_client, token)
    page = response.content.decode()
    assert response.status_code == 200 and "自预检以来数据有变化" in page and "同一人同一年度只能参保一次" in page
    assert counts() == before and not Resident.objects.filter(name="韩梅").exists()


def test_the_confirm_url_takes_only_posts(clerk_client):
    assert clerk_client.get("/station/imports/confirm/").status_code == 405


def test_strangers_are_sent_to_login(client, demo):
    response = client.post("/station/imports/", {"year": 2022, "roll": csv_upload(*GOOD)})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_confirmation_that_fails_leaves_the_roll_confirmable(clerk_client, monkeypatch, upload_dir):
    from django.db import OperationalError

    from enrollment.imports import confirmation

    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    real_import = confirmation.enrollees_import

    def connection_lost(**kwargs):
        real_import(**kwargs)  # written, then the connection drops before the commit
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(confirmation, "enrollees_import", connection_lost)
    clerk_client.raise_request_exception = False
    failed = confirm(clerk_client, token)
    assert failed.status_code == 500 and "核对是否已经办好" in failed.content.decode()
    assert imported() == 0 and len(list(upload_dir.glob("*.roll"))) == 1
    monkeypatch.setattr(confirmation, "enrollees_import", real_import)
    assert confirm(clerk_client, token)["Location"] == f"/station/imports/done/?token={token}"
    assert imported() == 2 and not list(upload_dir.glob("*.roll"))  # discarded once imported
    again = confirm(clerk_client, token)
    assert again["Location"] == f"/station/imports/done/?token={token}" and imported() == 2
    assert "已经导入过了" in clerk_client.get(again["Location"]).content.decode()


def test_a_roll_that_cannot_be_stored_says_so_and_leaves_nothing(clerk_client, full_disk, upload_dir):
    page = dry_run(clerk_client, csv_upload(*GOOD)).content.decode()
    assert "无法保存上传的文件" in page and 'name="token"' not in page
    assert list(upload_dir.iterdir()) == []


def test_a_person_registered_elsewhere_since_the_dry_run_is_answered_and_logged_at_confirm(clerk_client, clerk_other):
    from enrollment.imports.checks import enrollees_import
    from enrollment.imports.rolls import RollRow

    token = token_of(dry_run(clerk_client, csv_upload(*GOOD)))
    # Meanwhile 公园街道 registers 韩梅 in one of its villages.
    enrollees_import(rows=[RollRow(2, HAN_MEI, "韩梅", "", "370303002001", "成年居民")], year=2022, user=clerk_other,
                     on=date(2021, 10, 15), dry_run=False)
    page = confirm(clerk_client, token).content.decode()
    assert "管辖范围以外" in page and not Enrollment.objects.filter(resident__name="韩小雨").exists()
    assert AccessLogEntry.objects.filter(action="check_out_of_scope").count() == 1  # kept, not rolled back
