"""The officers' page of the tax office's payment files: upload, dry-run report, import, and the
list of files imported with their counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from enrollment.collection import tax_admin
from enrollment.models import Payment, TaxPaymentImport, TaxVoucher
from portal.network.models import Region
from tests.enrollment.collection.test_tax_import import CHEN, LIU, STRANGER, ZHAO, row, tax_csv
from tests.factories import staff_user
from tests.logins import otp_login

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:enrollment_taxpaymentimport_import")
LIST = reverse("admin:enrollment_taxpaymentimport_changelist")
ROWS = [row("W-1", LIU, "刘桂英"), row("W-2", CHEN, "陈志强", amount="300.00"), row("W-3", ZHAO, "赵伟"),
        row("W-4", STRANGER, "无名氏")]


def upload(*rows, name="税务缴费.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tax_csv(*rows), content_type="text/csv")


@pytest.fixture
def officer_client(demo, officer):
    return otp_login(Client(), officer)


def test_a_dry_run_reports_the_counts_and_writes_nothing(officer_client):
    response = officer_client.post(IMPORT, {"file": upload(*ROWS), "dry_run": "on"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "可入账 1 笔，合计 410.00 元" in page
    assert "转入税务对账 3 笔：未登记此人 1 笔，该年度未参保登记 1 笔，金额与个人应缴不符 1 笔" in page
    assert "检查通过，尚未写入" in page
    assert not TaxVoucher.objects.exists() and not TaxPaymentImport.objects.exists()


def test_the_import_records_and_the_list_shows_the_file_with_its_counts(officer_client):
    response = officer_client.post(IMPORT, {"file": upload(*ROWS)})

    assert "已入账 1 笔" in response.content.decode() and "已导入" in response.content.decode()
    assert Payment.objects.filter(method=Payment.Method.TAX).count() == 1 and TaxVoucher.objects.count() == 4
    listing = officer_client.get(LIST).content.decode()
    assert "税务缴费.csv" in listing and "导入税务缴费文件" in listing
    again = officer_client.post(IMPORT, {"file": upload(*ROWS)}).content.decode()
    assert "此前已导入、不重复入账 4 笔" in again and Payment.objects.filter(method="tax").count() == 1


def test_malformed_rows_are_listed_and_nothing_is_imported(officer_client):
    response = officer_client.post(IMPORT, {"file": upload(row("B-1", LIU, "刘桂英", amount="abc"),
                                                             row("B-1", CHEN, "陈志强"))})

    page = response.content.decode()
    assert "2 个问题，整个文件都没有导入" in page
    assert "金额“abc”不是数字" in page and "与第 2 行重复" in page
    assert not TaxVoucher.objects.exists()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("税务.xls", b"\xd0\xcf\x11\xe0old", "不支持旧版 Excel"),
    ("税务.csv", "缴费凭证号,姓名\n1,张三\n".encode(), "表头缺少"),
    ("税务.csv", tax_csv(), "只有表头"),
])
def test_a_file_that_cannot_be_read_is_refused_on_the_form(officer_client, name, data, message):
    response = officer_client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})

    assert response.status_code == 200 and message in response.content.decode()


def test_a_file_too_long_for_the_page_is_refused(officer_client, monkeypatch):
    monkeypatch.setattr(tax_admin, "MAX_ROWS", 2)

    response = officer_client.post(IMPORT, {"file": upload(*ROWS)})

    assert "网页导入最多 2 行" in response.content.decode() and not TaxVoucher.objects.exists()


def test_only_officers_reach_the_page(demo, clerk_chezhan, officer):
    clerk = Client()
    clerk.force_login(clerk_chezhan)
    # The admin sends anyone but an officer to sign in; nothing is imported.
    assert clerk.post(IMPORT, {"file": upload(*ROWS)}).status_code == 302
    assert Client().post(IMPORT, {"file": upload(*ROWS)}).status_code == 302
    assert not TaxVoucher.objects.exists()


def test_an_officer_without_a_scope_is_told_why(demo):
    unplaced = staff_user(role="officer", scope=None, username="officer_unplaced")

    response = otp_login(Client(), unplaced).get(IMPORT)

    assert response.status_code == 403


def test_the_list_shows_files_of_the_officers_own_scope(officer_client, demo):
    officer_client.post(IMPORT, {"file": upload(*ROWS, name="淄博全市.csv")})
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="officer_zc")

    listing = otp_login(Client(), zichuan).get(LIST).content.decode()

    assert "淄博全市.csv" not in listing
