"""The station pages of manual claims: recording through the form (one row per invoice, refused
rows changing nothing), the claim page with every line, steps, the scope, and the officers'
payment export."""

import io
from datetime import date

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from portal.privacy.models import AccessLogEntry
from tests.treatment.claims.conftest import WANG, step, submit, visit
from treatment.claims.models import Claim

pytestmark = pytest.mark.django_db

ZHANG = "370303196804020119"  # 张建国 (tests/treatment/claims/conftest.py)


@pytest.fixture(autouse=True)
def _end_of_2022(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2022, 12, 31))


def row(index: int, **fields) -> dict:
    values = {"kind": "inpatient", "visited_on": "2022-07-05", "left_on": "2022-07-15", "hospital": "北京大学人民医院",
              "level": "3", "child_order": "", "place": "outside", "treatment_city": "北京市", "total": "22000.00",
              "policy_range": "20000.00", "invoice_number": f"BJ-{index}", **fields}
    return {f"visits-{index}-{name}": value for name, value in values.items()}


def form(*rows: dict, rows_shown: int = 3, id_number: str = ZHANG, **claim) -> dict:
    data = {"id_number": id_number, "year": "2022", "reason": "emergency_away", "visits-TOTAL_FORMS": str(rows_shown),
            "visits-INITIAL_FORMS": "0", "visits-MIN_NUM_FORMS": "0", "visits-MAX_NUM_FORMS": "30", **claim}
    for each in rows:
        data.update(each)
    return data


def test_a_clerk_records_a_claim_and_sees_every_line_of_the_expected_amount(zhang, clerk_client):
    response = clerk_client.post(reverse("treatment:claim_create"), form(row(0)))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("treatment:claim", args=[claim.pk])
    before = AccessLogEntry.objects.count()
    page = clerk_client.get(response["Location"]).content.decode()
    assert AccessLogEntry.objects.count() == before + 1
    assert "应报销 <strong class=\"claim-reimbursed\">7720.00</strong> 元" in page
    assert "(20000.00 − 700.00) × 40% = 7720.00 元" in page and "异地就医（未备案）" in page
    assert "核算时本年度没有已导入的就医结算记录" in page
    assert ZHANG not in page and "370303********0119" in page


def test_a_blank_row_is_skipped_and_a_bad_row_records_nothing_and_says_what_to_fix(zhang, clerk_client):
    bad = row(1, policy_range="23000.00", invoice_number="BJ-1")
    response = clerk_client.post(reverse("treatment:claim_create"), form(row(0), bad))
    page = response.content.decode()
    assert response.status_code == 200 and not Claim.objects.exists()
    assert "第 2 条就诊记录：政策范围内费用 23000.00 元超过医疗总费用 22000.00 元，请核对。" in page
    assert '<a href="#visit-2">第 2 条</a>' in page
    assert ZHANG not in page  # the ID number is typed again, never written back
    blank_second_row = form(row(0), {"visits-1-place": "local"})
    assert clerk_client.post(reverse("treatment:claim_create"), blank_second_row).status_code == 302
    assert Claim.objects.get().visits.count() == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"total": "abc"}, "请填写金额数字"),
    ({"visited_on": "2022-13-40"}, "日期格式应为"),
    ({"kind": ""}, "请选择就诊类别"),
    ({"invoice_number": ""}, "请填写发票号码"),
])
def test_unreadable_input_is_answered_on_its_row(zhang, clerk_client, fields, message):
    response = clerk_client.post(reverse("treatment:claim_create"), form(row(0, **fields)))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Claim.objects.exists()


def test_the_same_invoice_on_two_rows_is_refused_on_the_second(zhang, clerk_client):
    page = clerk_client.post(reverse("treatment:claim_create"),
                             form(row(0), row(1, invoice_number="bj-0", visited_on="2022-08-01"))).content.decode()
    assert "第 2 条就诊记录：发票号码 BJ-0 与第 1 条重复" in page and not Claim.objects.exists()


def test_no_row_at_all_and_an_unknown_number_are_refused(zhang, clerk_client):
    page = clerk_client.post(reverse("treatment:claim_create"), form()).content.decode()
    assert "请至少填写一条就诊记录" in page
    page = clerk_client.post(reverse("treatment:claim_create"),
                             form(row(0), id_number="11010519491231002X")).content.decode()
    assert "没有找到这个身份证号的居民" in page and not Claim.objects.exists()


def test_another_row_is_added_without_checking_or_recording_anything(zhang, clerk_client):
    data = form(row(0, total="abc"), add_row="1")
    response = clerk_client.post(reverse("treatment:claim_create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and not Claim.objects.exists()
    assert 'id="visit-4"' in page and "请填写金额数字" not in page
    assert 'name="visits-0-invoice_number" value="BJ-0"' in page
    assert 'name="visits-TOTAL_FORMS" value="4"' in page
    # The rows come back; the ID number does not, and the page says to type it again.
    assert ZHANG not in page and "请重新填写申请人身份证号" in page


def test_a_new_claim_shows_three_rows(zhang, clerk_client):
    page = clerk_client.get(reverse("treatment:claim_create")).content.decode()
    assert 'id="visit-3"' in page and 'id="visit-4"' not in page and 'name="visits-0-disease_code"' in page


@pytest.mark.parametrize("amount", ["99999999999999999999", "1e30", "10000000"])
def test_a_huge_amount_is_a_form_error_not_a_failure(zhang, clerk_client, amount):
    response = clerk_client.post(reverse("treatment:claim_create"), form(row(0, total=amount)))
    assert response.status_code == 200 and not Claim.objects.exists()
    assert "金额过大：每条就诊记录最多 9,999,999.99 元，请核对。" in response.content.decode()


def test_a_chronic_row_takes_the_disease_the_clerk_names(zhang, clerk_client):
    from tests.treatment.claims.test_pricing import recognise

    recognise(zhang, "M00201", "糖尿病")
    recognise(zhang, "M00401", "恶性肿瘤门诊放化疗")
    chronic = {"kind": "chronic", "left_on": "", "level": "", "place": "local", "treatment_city": "",
               "hospital": "淄博市中心医院", "total": "3200.00", "policy_range": "3000.00"}
    page = clerk_client.post(reverse("treatment:claim_create"), form(row(0, **chronic))).content.decode()
    assert "有 2 个有效的门诊慢特病认定（M00201 糖尿病、M00401 恶性肿瘤门诊放化疗）" in page
    assert '<a href="#visit-1">第 1 条</a>' in page and not Claim.objects.exists()
    response = clerk_client.post(reverse("treatment:claim_create"), form(row(0, disease_code="M00401", **chronic)))
    assert response.status_code == 302 and str(Claim.objects.get().basic) == "2250.00"  # 3000 × 75%


def test_a_claimant_of_another_township_is_pointed_to_their_station(demo, demo_policies, clerk_client):
    from enrollment.models import Resident

    sun = Resident.objects.get(name="孙丽")  # 公园街道
    page = clerk_client.post(reverse("treatment:claim_create"), form(row(0), id_number=sun.id_number)).content.decode()
    assert not Claim.objects.exists() and sun.id_number not in page.replace(f'value="{sun.id_number}"', "")


def test_the_steps_are_taken_on_the_claim_page(zhang, village_clerk, clerk_chezhan, county_officer):
    claim = submit(zhang, village_clerk, visit(outside=True, treatment_city="北京市"))
    township = Client()
    township.force_login(clerk_chezhan)
    page = township.get(reverse("treatment:claim", args=[claim.pk])).content.decode()
    assert "乡镇初审通过" in page and "县级复审通过" not in page
    township.post(reverse("treatment:claim_step", args=[claim.pk]), {"action": "prereview", "notes": "材料齐全。"})
    county = Client()
    county.force_login(county_officer)
    page = county.get(reverse("treatment:claim", args=[claim.pk])).content.decode()
    assert "县级复审通过" in page and "7720.00" in page
    response = county.post(reverse("treatment:claim_step", args=[claim.pk]), {"action": "approve"}, follow=True)
    assert "已办理：县级复审通过。应报销 7720.00 元。" in response.content.decode()
    page = county.get(reverse("treatment:claim", args=[claim.pk])).content.decode()
    assert "上一步由您本人办理" in page  # the approver does not record the payment
    assert Claim.objects.get(pk=claim.pk).status == "approved"


def test_the_recorder_withdraws_the_claim_on_its_page(zhang, village_clerk):
    claim = submit(zhang, village_clerk)
    village = Client()
    village.force_login(village_clerk)
    page = village.get(reverse("treatment:claim", args=[claim.pk])).content.decode()
    assert "撤回申请" in page and "写明撤回原因（必填）" in page
    response = village.post(reverse("treatment:claim_step", args=[claim.pk]),
                            {"action": "withdraw", "notes": "申请人要求撤回。"}, follow=True)
    page = response.content.decode()
    assert "已办理：撤回申请。" in page and "申请已撤回，不予支付" in page
    assert Claim.objects.get(pk=claim.pk).status == "withdrawn"
    listed = village.get(reverse("treatment:claims"), {"status": "withdrawn"}).content.decode()
    assert claim.number in listed and "已撤回" in listed


def test_a_refused_step_says_why_and_changes_nothing(zhang, village_clerk, clerk_chezhan):
    claim = submit(zhang, village_clerk)
    township = Client()
    township.force_login(clerk_chezhan)
    response = township.post(reverse("treatment:claim_step", args=[claim.pk]), {"action": "return", "notes": ""},
                             follow=True)
    assert "请写明需要补充的材料。" in response.content.decode()
    response = township.post(reverse("treatment:claim_step", args=[claim.pk]), {"action": "submit"}, follow=True)
    assert "请选择要办理的事项。" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == "submitted" and claim.steps.count() == 1


def test_another_townships_clerk_gets_404_for_every_page_of_the_claim(zhang, village_clerk, clerk_other, settings,
                                                                         tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.treatment.claims.conftest import PDF
    from treatment.claims.services import claim_attachment_add

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    claim = submit(zhang, village_clerk)
    attachment = claim_attachment_add(claim=claim, upload=SimpleUploadedFile("发票.pdf", PDF), user=village_clerk)
    outsider = Client()
    outsider.force_login(clerk_other)
    assert outsider.get(reverse("treatment:claim", args=[claim.pk])).status_code == 404
    assert outsider.post(reverse("treatment:claim_step", args=[claim.pk]), {"action": "prereview"}).status_code == 404
    assert outsider.post(reverse("treatment:claim_attachment_upload", args=[claim.pk])).status_code == 404
    assert outsider.get(reverse("treatment:claim_attachment", args=[attachment.pk])).status_code == 404
    listed = outsider.get(reverse("treatment:claims"), {"status": "all"}).content.decode()
    assert claim.number not in listed


def test_the_waiting_list_holds_what_each_person_may_do(zhang, village_clerk, clerk_chezhan):
    claim = submit(zhang, village_clerk)
    township, village = Client(), Client()
    township.force_login(clerk_chezhan)
    village.force_login(village_clerk)
    assert claim.number in township.get(reverse("treatment:claims")).content.decode()
    assert claim.number not in village.get(reverse("treatment:claims")).content.decode()
    step(claim, "return", clerk_chezhan, notes="请补充出院小结。")
    assert claim.number in village.get(reverse("treatment:claims")).content.decode()


def test_officers_export_the_approved_claims_of_their_scope_masked(zhang, wang, village_clerk, clerk_chezhan,
                                                                    county_officer, clerk_client):
    approved = submit(zhang, village_clerk)
    step(approved, "prereview", clerk_chezhan)
    step(approved, "approve", county_officer)
    submit(wang, village_clerk, visit(invoice_number="W-1"))  # waiting: not in the file
    county = Client()
    county.force_login(county_officer)
    before = AccessLogEntry.objects.count()
    response = county.get(reverse("treatment:claim_payments"))
    assert response.status_code == 200 and AccessLogEntry.objects.count() == before + 1
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("报销编号", "身份证号", "姓名", "发放账号", "应支付金额（元）")
    assert rows[1][:3] == (approved.number, "370303********0119", "张建国") and rows[1][4] == 11580
    assert len(rows) == 2 and WANG not in str(rows) and ZHANG not in str(rows)
    assert clerk_client.get(reverse("treatment:claim_payments")).status_code == 403


def test_officers_read_claims_in_the_admin_masked_and_logged_and_change_nothing(zhang, village_clerk, officer_client):
    claim = submit(zhang, village_clerk)
    before = AccessLogEntry.objects.count()
    listed = officer_client.get(reverse("admin:treatment_claim_changelist")).content.decode()
    page = officer_client.get(reverse("admin:treatment_claim_change", args=[claim.pk])).content.decode()
    assert AccessLogEntry.objects.count() == before + 2
    assert claim.number in listed and "张*国（370303********0119）" in page and ZHANG not in listed + page
    assert "37002200000001" in page and reverse("treatment:claim", args=[claim.pk]) in page
    assert 'name="status"' not in page
    assert officer_client.post(reverse("admin:treatment_claim_delete", args=[claim.pk]), {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_a_form_posted_without_its_rows_is_answered_not_failed(zhang, clerk_client):
    response = clerk_client.post(reverse("treatment:claim_create"), {"id_number": ZHANG, "year": "2022"})
    assert response.status_code == 200 and not Claim.objects.exists()
    response = clerk_client.post(reverse("treatment:claim_create"), {"add_row": "1", "visits-TOTAL_FORMS": "x"})
    assert response.status_code == 200 and 'name="visits-TOTAL_FORMS" value="1"' in response.content.decode()
