"""The station's filing pages, the printed proof, its public check and the public lookup: scope,
bad input, masking and the access log."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.privacy.models import AccessLogEntry
from tests.logins import otp_login
from tests.treatment.filings.conftest import PDF, WANG, long_term, referral
from treatment.filings.models import Filing, FilingKind
from treatment.filings.services import filing_cancel

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")


@pytest.fixture
def today(monkeypatch):
    day = date(2022, 4, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


@pytest.fixture
def filing(wang, clerk_chezhan, today):
    return referral(wang, clerk_chezhan)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def form_data(**overrides) -> dict:
    return {"id_number": WANG, "kind": "referral", "province": "北京市", "city": "北京市", "valid_from": "2022-04-01",
            "referring_hospital": "淄博市中心医院", "hospital": "北京大学人民医院", "referral_number": "ZB-0401",
            **overrides}


# -- Filing at the station -------------------------------------------------------------------

def test_a_clerk_files_a_referral_through_the_form(clerk_client, wang, today, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    page = clerk_client.get(reverse("treatment:filing_create"))
    assert page.status_code == 200 and "转诊转院" in text_of(page) and "转诊单编号" in text_of(page)
    response = clerk_client.post(reverse("treatment:filing_create"),
                                 form_data(attachment=SimpleUploadedFile("转诊单.pdf", PDF)))
    filing = Filing.objects.get(resident=wang)
    assert response.status_code == 302 and response["Location"] == reverse("treatment:filing", args=[filing.pk])
    assert filing.valid_until == date(2022, 9, 30) and filing.attachments.count() == 1
    detail = clerk_client.get(response["Location"])
    assert "北京市" in text_of(detail) and "2022年4月1日至2022年9月30日" in text_of(detail)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"kind": ""}, "请选择备案类型。"),
    ({"province": ""}, "请选择就医省份。"),
    ({"city": ""}, "请填写就医城市。"),
    ({"valid_from": "2022-13-01"}, "开始日期的格式不对"),
    ({"id_number": "370303195203151224"}, "校验"),
    ({"referral_number": ""}, "转诊转院须填写转诊单编号"),
    ({"province": "山东省", "city": "淄博"}, "不需要异地就医备案"),
    ({"valid_from": "2022-03-01"}, "开始日期最早为 2022年3月2日：外出就医后 30 天内可以补办备案"),
])
def test_bad_input_changes_nothing_and_says_what_to_fix(clerk_client, wang, today, overrides, message):
    response = clerk_client.post(reverse("treatment:filing_create"), form_data(**overrides))
    assert response.status_code == 200 and message in text_of(response)
    assert not Filing.objects.exists()
    assert WANG not in response.content.decode()  # typed again, never written back into the page


def test_a_resident_outside_the_scope_is_not_filed_for(client, clerk_other, wang, today):
    otp_login(client, clerk_other)
    response = client.post(reverse("treatment:filing_create"), form_data())
    assert response.status_code == 200 and "管辖范围" in text_of(response) and "王秀兰" not in text_of(response)
    assert not Filing.objects.exists()


def test_a_second_long_term_filing_is_refused_on_the_form(clerk_client, li, clerk_chezhan, today):
    first = long_term(li, clerk_chezhan)
    response = clerk_client.post(reverse("treatment:filing_create"), form_data(
        id_number=li.id_number, kind="working_away", province="上海市", city="上海市"))
    assert f"编号 {first.number}" in text_of(response) and Filing.objects.count() == 1


# -- Scope -----------------------------------------------------------------------------------

def test_a_clerk_of_another_township_gets_404_for_every_page_of_the_filing(client, clerk_other, filing):
    otp_login(client, clerk_other)
    for name in ("filing", "filing_print", "filing_change"):
        assert client.get(reverse(f"treatment:{name}", args=[filing.pk])).status_code == 404
    for name in ("filing_cancel", "filing_change", "filing_attachment_upload"):
        assert client.post(reverse(f"treatment:{name}", args=[filing.pk]), {"reason": "越权"}).status_code == 404
    assert reverse("treatment:filing", args=[filing.pk]) not in client.get(reverse("treatment:filings")).content.decode()
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE


def test_an_officer_reads_the_filings_of_the_city_and_changes_nothing(officer_client, filing):
    listed = officer_client.get(reverse("treatment:filings"))
    assert listed.status_code == 200 and filing.number in text_of(listed) and "办理异地就医备案" not in text_of(listed)
    detail = officer_client.get(reverse("treatment:filing", args=[filing.pk]))
    assert detail.status_code == 200 and "撤销备案" not in text_of(detail) and "变更备案" not in text_of(detail)
    assert officer_client.post(reverse("treatment:filing_cancel", args=[filing.pk]), {"reason": "x"}).status_code == 403
    assert officer_client.get(reverse("treatment:filing_create")).status_code == 403
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE


def test_anonymous_visitors_are_sent_to_sign_in(client, filing):
    for url in (reverse("treatment:filings"), reverse("treatment:filing", args=[filing.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- The list, the record, cancelling and changing ---------------------------------------------

def test_the_list_filters_by_state_and_is_logged_once(clerk_client, filing, li, clerk_chezhan, today):
    other = long_term(li, clerk_chezhan)
    filing_cancel(filing_id=other.pk, clerk=clerk_chezhan, reason="已回本地居住", today=today)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    active = text_of(clerk_client.get(reverse("treatment:filings")))
    assert filing.number in active and other.number not in active and "王秀兰" in active
    (entry,) = AccessLogEntry.objects.exclude(pk__in=before)
    assert entry.action == "view_filings" and "共 1 人" in entry.detail
    cancelled = text_of(clerk_client.get(reverse("treatment:filings"), {"status": "cancelled"}))
    assert other.number in cancelled and filing.number not in cancelled and "已撤销" in cancelled


def test_opening_a_filing_is_logged_against_the_resident(clerk_client, filing):
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    clerk_client.get(reverse("treatment:filing", args=[filing.pk]))
    (entry,) = AccessLogEntry.objects.exclude(pk__in=before)
    assert entry.action == "view_filing" and entry.subject_digest == filing.resident.id_digest


def test_cancelling_at_the_station_needs_a_reason(clerk_client, filing):
    url = reverse("treatment:filing_cancel", args=[filing.pk])
    page = clerk_client.post(url, {"reason": ""}, follow=True)
    assert "请填写撤销原因" in text_of(page)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE
    page = clerk_client.post(url, {"reason": "已回本地就医"}, follow=True)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.CANCELLED and "已撤销" in text_of(page)


def test_changing_at_the_station_keeps_the_old_filing_in_the_history(clerk_client, filing):
    url = reverse("treatment:filing_change", args=[filing.pk])
    form = clerk_client.get(url)
    assert 'value="北京大学人民医院"' in form.content.decode()
    bad = clerk_client.post(url, {**form_data(province="上海市", city="上海市"), "hospital": ""})
    assert bad.status_code == 200 and "转诊转院须填写转入医院" in text_of(bad) and Filing.objects.count() == 1
    response = clerk_client.post(url, form_data(province="上海市", city="上海市", hospital="复旦大学附属中山医院"))
    new = Filing.objects.exclude(pk=filing.pk).get()
    assert response["Location"] == reverse("treatment:filing", args=[new.pk])
    page = text_of(clerk_client.get(response["Location"]))
    assert "上海市" in page and filing.number in page and "变更" in page


def test_documents_are_uploaded_and_downloaded_with_a_log_entry(clerk_client, filing, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    clerk_client.post(reverse("treatment:filing_attachment_upload", args=[filing.pk]),
                      {"file": SimpleUploadedFile("转诊单.pdf", PDF)})
    attachment = filing.attachments.get()
    before = AccessLogEntry.objects.count()
    response = clerk_client.get(reverse("treatment:filing_attachment", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AccessLogEntry.objects.count() == before + 1


# -- The printed proof and its public check -----------------------------------------------------

def test_the_print_has_the_qr_code_and_no_full_id_number_or_name(clerk_client, filing):
    response = clerk_client.get(reverse("treatment:filing_print", args=[filing.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "<svg" in body and "异地就医备案凭证" in body
    assert "王*兰" in body and "370303********1223" in body and filing.number in body
    assert "王秀兰" not in body and not FULL_ID.findall(body)
    assert reverse("filing_verify", args=[filing.verification_code]) in body
    assert "2022年3月1日至2022年8月31日" in text_of(response) and "车站街道医保工作站" in body


def test_the_public_check_shows_only_the_masked_facts(client, filing, today):
    response = client.get(reverse("filing_verify", args=[filing.verification_code]))
    page = text_of(response)
    assert response.status_code == 200 and "王*兰" in page and "转诊转院" in page and "北京市" in page
    assert "备案有效" in page and "王秀兰" not in page and "1223" not in page and "北京大学人民医院" not in page
    filing_cancel(filing_id=filing.pk, clerk=filing.recorded_by, reason="误办", today=today)
    assert "已撤销" in text_of(client.get(reverse("filing_verify", args=[filing.verification_code])))


@pytest.mark.parametrize("code", ["no-such-code", "x" * 300, "%00abc"])
def test_an_unknown_code_is_a_404_in_chinese(client, demo, code):
    response = client.get(f"/verify/filing/{code}/")
    assert response.status_code in (400, 404)
    if response.status_code == 404:
        assert "没有找到这份备案" in text_of(response)


def test_the_public_lookup_shows_the_persons_filings_without_names(client, filing, li, clerk_chezhan, today):
    long_term(li, clerk_chezhan, kind=FilingKind.RETIRED_RESETTLED)
    response = client.post(reverse("lookup"), {"name": "王秀兰", "id_number": WANG})
    page = text_of(response)
    assert "异地就医备案" in page
    assert "转诊转院：北京市，2022年3月1日至2022年8月31日，有效" in page
    assert "苏州市" not in page and "北京大学人民医院" not in page and "王秀兰" not in page
