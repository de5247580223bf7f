"""What officers take to finance or another department from the settlement and identity lists:
Chinese headers, amounts as numbers with two decimals, days as dates, only their scope's rows,
and every export in the access log."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from assistance.models import AssistanceIdentity, Settlement
from assistance.settlements.imports import SettlementRow, settlements_import
from portal.network.models import Region
from portal.privacy.models import AccessLogEntry
from tests.assistance.identity_helpers import WANG, identity, second_officer
from tests.factories import staff_user

SETTLEMENTS = "/admin/assistance/settlement/"
IDENTITIES = "/admin/assistance/assistanceidentity/"


@pytest.fixture
def listed(demo, officer):
    row = SettlementRow(2, (WANG, "2022-03-01", "淄博市中心医院", "住院", "18000.00", "16000.00", "9000.00",
                            "1000.00", "500.00", "7500.00"))
    assert settlements_import(rows=[row], user=None, today=date(2022, 12, 31), dry_run=False).errors == []
    identity(WANG, imported_by=officer, verified_by=second_officer(), valid_to=date(2022, 12, 31))


def sheet_of(client: Client, url: str, pks) -> list[dict]:
    response = client.post(url, {"action": "export_xlsx", "_selected_action": list(pks)})
    assert response.status_code == 200, response.content[:300]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row)) for row in rows[1:]]


def test_settlements_export_with_amounts_as_numbers_and_days_as_dates(listed, officer_client):
    (row,) = sheet_of(officer_client, SETTLEMENTS, Settlement.objects.values_list("pk", flat=True))
    assert row["身份证号"].value == "370303********1223" and row["姓名"].value == "王秀兰"
    assert row["结算日期"].is_date and row["结算日期"].value.date() == date(2022, 3, 1)
    assert row["就诊类别"].value == "住院" and row["年度"].value == 2022
    personal = row["个人负担（元）"]
    assert (personal.data_type, personal.number_format, Decimal(str(personal.value))) == ("n", "0.00", Decimal("7500"))
    assert AccessLogEntry.objects.get(action="export_settlements").detail == "导出就医结算记录 1 条 xlsx"


def test_identities_export_in_chinese_with_the_validity_as_dates(listed, officer_client):
    (row,) = sheet_of(officer_client, IDENTITIES, AssistanceIdentity.objects.values_list("pk", flat=True))
    assert (row["姓名"].value, row["困难类别"].value, row["认定部门"].value) == ("王秀兰", "低保对象", "民政")
    assert row["有效期起"].is_date and row["有效期止"].value.date() == date(2022, 12, 31)
    assert row["状态"].value == "已核实"
    assert AccessLogEntry.objects.filter(action="export_identities").count() == 1


@pytest.mark.parametrize("url", [SETTLEMENTS, IDENTITIES])
def test_another_countys_officer_exports_nothing_of_chezhan(listed, url):
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="officer_zichuan")
    client = Client()
    client.force_login(zichuan)
    model = Settlement if url == SETTLEMENTS else AssistanceIdentity
    response = client.post(url, {"action": "export_csv", "_selected_action": list(model.objects.values_list("pk", flat=True))})
    # The selection is taken within the officer's list, which holds nothing of 张店区.
    assert "王秀兰" not in response.content.decode("utf-8-sig")
