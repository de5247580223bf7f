"""The station's recognition pages and the public lookup: scope, bad input that changes nothing,
the officer's decision on the same page, masking and the access log."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Resident
from portal.privacy.models import AccessLogEntry
from tests.logins import otp_login
from tests.treatment.chronic.conftest import DIAGNOSIS, PDF, TODAY, WANG, apply
from treatment.chronic.models import ChronicRecognition
from treatment.chronic.services import recognition_decide

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def recognition(wang, clerk_chezhan):
    return apply(wang, clerk_chezhan)


def signed_in(user) -> Client:
    return otp_login(Client(), user)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def entries_written(request) -> list[AccessLogEntry]:
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    request()
    return list(AccessLogEntry.objects.exclude(pk__in=before))


def form_data(**overrides) -> dict:
    return {"id_number": WANG, "disease_code": "M00101", "diagnosis": DIAGNOSIS, **overrides}


# -- recording at the station ---------------------------------------------------------------------

def test_the_form_offers_the_years_diseases_with_the_documents_each_needs(wang, clerk_chezhan):
    page = signed_in(clerk_chezhan).get(reverse("treatment:recognition_create"))
    html = page.content.decode()
    assert '<option value="M00401">M00401 恶性肿瘤门诊放化疗</option>' in html
    text = text_of(page)
    assert "淄博市 2022 年度门诊慢特病病种及认定所需材料" in text
    assert "M00401 恶性肿瘤门诊放化疗（起付线 0.00 元，75%）" in text and "放化疗治疗方案" in text
    assert "起付线 500.00 元，支付比例 65%" in text


def test_a_clerk_records_an_application_with_a_document(wang, clerk_chezhan, private_storage):
    client = signed_in(clerk_chezhan)
    response = client.post(reverse("treatment:recognition_create"),
                           form_data(attachment=SimpleUploadedFile("诊断证明.pdf", PDF)))
    recognition = ChronicRecognition.objects.get(resident=wang)
    assert response.status_code == 302 and response["Location"] == reverse("treatment:recognition", args=[recognition.pk])
    assert recognition.attachments.get().original_name == "诊断证明.pdf"
    page = text_of(client.get(response["Location"]))
    assert f"已受理 王秀兰 的门诊慢特病认定申请，编号 {recognition.number}" in page
    assert "已受理，待县级认定" in page and "370303********1223" in page


@pytest.mark.parametrize(("change", "message"), [
    ({"disease_code": "M09999"}, "请从本年度门诊慢特病病种目录中选择病种"),
    ({"disease_code": ""}, "请选择认定病种"),
    ({"diagnosis": ""}, "请填写诊断医院及诊断"),
    ({"id_number": "370303195203151224"}, "没有找到这个身份证号的居民"),
])
def test_bad_input_is_named_and_records_nothing(wang, clerk_chezhan, change, message):
    response = signed_in(clerk_chezhan).post(reverse("treatment:recognition_create"), form_data(**change))
    assert response.status_code == 200 and message in text_of(response)
    assert not ChronicRecognition.objects.exists()


def test_a_file_that_is_not_a_scan_records_nothing(wang, clerk_chezhan, private_storage):
    response = signed_in(clerk_chezhan).post(reverse("treatment:recognition_create"),
                                             form_data(attachment=SimpleUploadedFile("a.pdf", b"MZ\x90\x00")))
    assert response.status_code == 200 and "不是 PDF、PNG 或 JPEG 文件" in text_of(response)
    assert not ChronicRecognition.objects.exists()


def test_a_second_click_records_nothing_more(wang, clerk_chezhan):
    client = signed_in(clerk_chezhan)
    assert client.post(reverse("treatment:recognition_create"), form_data()).status_code == 302
    again = client.post(reverse("treatment:recognition_create"), form_data())
    assert again.status_code == 200 and "已有待认定的申请" in text_of(again)
    assert ChronicRecognition.objects.count() == 1


def test_a_resident_of_another_township_is_not_recorded_by_this_clerk(demo, demo_policies, clerk_chezhan):
    sun = Resident.objects.get(name="孙丽")  # 公园街道
    response = signed_in(clerk_chezhan).post(reverse("treatment:recognition_create"),
                                             form_data(id_number=sun.id_number))
    assert response.status_code == 200 and "登记在您的管辖范围以外" in text_of(response)
    assert not ChronicRecognition.objects.exists()


def test_officers_decide_but_do_not_record(wang, officer):
    assert signed_in(officer).get(reverse("treatment:recognition_create")).status_code == 403


def test_a_village_point_sees_its_villages_applications_but_does_not_record(recognition, village_clerk):
    client = signed_in(village_clerk)
    listed = client.get(reverse("treatment:recognitions")).content.decode()
    assert recognition.number in listed and reverse("treatment:recognition_create") not in listed
    refused = client.post(reverse("treatment:recognition_create"), form_data(disease_code="M00201"))
    assert refused.status_code == 403 and ChronicRecognition.objects.count() == 1


# -- scope ----------------------------------------------------------------------------------------

def test_another_townships_clerk_gets_404_everywhere_and_changes_nothing(recognition, clerk_other, private_storage):
    client = signed_in(clerk_other)
    pk = recognition.pk
    assert client.get(reverse("treatment:recognition", args=[pk])).status_code == 404
    assert client.post(reverse("treatment:recognition_decide", args=[pk]),
                       {"decision": "recognise", "valid_from": "2022-03-01"}).status_code == 404
    assert client.post(reverse("treatment:recognition_attachment_upload", args=[pk]),
                       {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert "王秀兰" not in client.get(reverse("treatment:recognitions"), {"status": "all"}).content.decode()
    assert ChronicRecognition.objects.get(pk=pk).status == "applied" and not recognition.attachments.exists()


def test_a_document_is_downloaded_inside_the_scope_only_and_the_download_is_logged(
        recognition, clerk_chezhan, clerk_other, private_storage):
    from treatment.chronic.services import attachment_add

    attachment = attachment_add(recognition=recognition, upload=SimpleUploadedFile("证明.pdf", PDF), user=clerk_chezhan)
    url = reverse("treatment:recognition_attachment", args=[attachment.pk])
    assert signed_in(clerk_other).get(url).status_code == 404
    response = None

    def download():
        nonlocal response
        response = signed_in(clerk_chezhan).get(url)

    (entry,) = entries_written(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert entry.action == "view_attachment" and entry.subject_digest == recognition.resident.id_digest


def test_the_list_and_the_record_each_write_one_access_log_entry(recognition, clerk_chezhan):
    client = signed_in(clerk_chezhan)
    (listed,) = entries_written(lambda: client.get(reverse("treatment:recognitions")))
    assert listed.action == "view_recognitions" and "1 人" in listed.detail
    (opened,) = entries_written(lambda: client.get(reverse("treatment:recognition", args=[recognition.pk])))
    assert opened.action == "view_recognition" and opened.subject_digest == recognition.resident.id_digest
    page = client.get(reverse("treatment:recognition", args=[recognition.pk])).content.decode()
    assert not FULL_ID.findall(page)


# -- deciding on the same page ----------------------------------------------------------------------

def test_an_officer_sees_what_waits_and_recognises_it_on_its_page(recognition, officer):
    client = signed_in(officer)
    listed = text_of(client.get(reverse("treatment:recognitions")))  # applied first, for officers
    assert recognition.number in listed
    page = client.get(reverse("treatment:recognition", args=[recognition.pk])).content.decode()
    assert 'name="decision"' in page and 'value="2022-03-01"' in page
    response = client.post(reverse("treatment:recognition_decide", args=[recognition.pk]),
                           {"decision": "recognise", "valid_from": "2022-03-01", "valid_until": "", "notes": ""})
    assert response.status_code == 302
    recognition.refresh_from_db()
    assert (recognition.status, recognition.valid_until, recognition.decided_by) == (
        "recognised", date(2024, 2, 29), officer)
    assert "有效期 2022-03-01 至 2024-02-29" in text_of(client.get(response["Location"]))


@pytest.mark.parametrize(("data", "message"), [
    ({"decision": "recognise", "valid_from": "2022-13-01"}, "请按 YYYY-MM-DD 填写日期"),
    ({"decision": "recognise", "valid_from": ""}, "请填写认定起始日期"),
    ({"decision": "recognise", "valid_from": "2022-03-01", "valid_until": "2022-01-01"}, "早于起始日期"),
    ({"decision": "refuse", "notes": ""}, "不予认定须写明理由"),
    ({"decision": "maybe"}, "请选择予以认定或不予认定"),
    ({}, "请选择认定结论"),
])
def test_a_bad_decision_is_named_and_changes_nothing(recognition, officer, data, message):
    client = signed_in(officer)
    response = client.post(reverse("treatment:recognition_decide", args=[recognition.pk]), data, follow=True)
    assert message in text_of(response)
    recognition.refresh_from_db()
    assert (recognition.status, recognition.decided_at) == ("applied", None)


def test_a_clerk_sees_no_decision_form_and_a_posted_decision_is_refused(recognition, clerk_chezhan):
    client = signed_in(clerk_chezhan)
    assert 'name="decision"' not in client.get(reverse("treatment:recognition", args=[recognition.pk])).content.decode()
    response = client.post(reverse("treatment:recognition_decide", args=[recognition.pk]),
                           {"decision": "recognise", "valid_from": "2022-03-01"}, follow=True)
    assert "县(区)或市医保部门" in text_of(response)
    assert ChronicRecognition.objects.get(pk=recognition.pk).status == "applied"


def test_the_recorder_is_told_why_they_may_not_decide(wang, clerk_and_officer):
    recognition = apply(wang, clerk_and_officer)
    page = text_of(signed_in(clerk_and_officer).get(reverse("treatment:recognition", args=[recognition.pk])))
    assert "这份申请由您受理，须由另一位工作人员认定" in page


# -- the public lookup -------------------------------------------------------------------------------

def test_the_lookup_shows_the_state_and_dates_without_names_or_the_disease(client, recognition, li, clerk_chezhan,
                                                                     county_officer):
    recognition_decide(recognition_id=recognition.pk, officer=county_officer, recognise=True,
                       valid_from=date(2022, 1, 1), valid_until=date(2023, 12, 31))
    apply(li, clerk_chezhan, "M00201")
    page = text_of(client.post(reverse("lookup"), {"name": "王秀兰", "id_number": WANG}))
    assert "门诊慢特病认定" in page
    assert f"认定申请 {recognition.number}：已认定，有效期 2022年1月1日 至 2023年12月31日" in page
    # Anyone with a name and ID number may look: the diagnosis is not theirs to learn.
    assert "高血压" not in page and "糖尿病" not in page and "王秀兰" not in page and "淄博市中心医院" not in page
