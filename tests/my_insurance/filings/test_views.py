"""The resident's filing pages in 我的医保: the list, filing online, the printed proof and
cancelling; their refusals in Chinese, their 404s for anyone else's filing, and the access log."""

import re
from datetime import date

import pytest
from django.urls import reverse

from portal.privacy.models import AccessLogEntry
from tests.my_insurance.filings.conftest import TODAY, at_station, online
from tests.my_insurance.signing_in import resident_client
from treatment.filings.models import Filing, FilingKind
from treatment.filings.services import filing_cancel

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")
MISSING = 987654321


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def form_data(**overrides) -> dict:
    return {"kind": "emergency", "province": "北京市", "city": "北京市", "valid_from": "2022-04-01", "hospital": "",
            **overrides}


def entries_written(request) -> tuple[list[AccessLogEntry], object]:
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    response = request()
    return list(AccessLogEntry.objects.exclude(pk__in=before)), response


# -- Filing online ---------------------------------------------------------------------------

def test_the_form_explains_the_two_kinds_the_station_kinds_and_the_cost_of_not_filing(wang_client, today,
                                                                                      demo_policies):
    page = wang_client.get(reverse("my_insurance:filing_new"))
    text = text_of(page)
    assert page.status_code == 200
    assert "急诊抢救" in text and "其他临时外出就医" in text and "6 个月内有效" in text
    assert "转诊转院" in text and "医保工作站办理" in text
    assert f'href="{reverse("guide", args=["cross_region_filing"])}"' in page.content.decode()
    assert "报销比例会降低：20 个百分点（备案后降低 5 个百分点）" in text
    # Only the two kinds can be chosen, and the start date is today unless changed.
    assert set(re.findall(r'name="kind" value="(\w+)"', page.content.decode())) == {"emergency", "other_temporary"}
    assert 'value="2022-04-01"' in page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()


@pytest.mark.parametrize(("kind", "label"), [("emergency", "急诊抢救"), ("other_temporary", "其他临时外出就医")])
def test_a_resident_files_each_kind_and_finds_it_in_the_list(wang_client, wang, today, kind, label):
    entries, response = entries_written(lambda: wang_client.post(
        reverse("my_insurance:filing_new"), form_data(kind=kind, province="广东省", city="广州市", hospital="中山大学附属第一医院")))
    filing = Filing.objects.get(resident=wang)
    assert response.status_code == 302 and response["Location"] == reverse("my_insurance:filings")
    assert filing.kind == kind and filing.filed_online and filing.recorded_by is None
    ((entry,),) = [entries]
    assert entry.action == "my_create_filing" and entry.subject_digest == wang.id_digest and entry.username == "（居民本人）"
    listed = text_of(wang_client.get(response["Location"]))
    assert f"已办好异地就医备案（编号 {filing.number}）" in listed
    assert f"{label} · 广东省广州市 有效" in listed and "2022年4月1日至2022年9月30日" in listed
    assert "本人网上办理" in listed and "中山大学附属第一医院" in listed


@pytest.mark.parametrize("kind", ["referral", "long_term_residence", "retired_resettled", "working_away"])
def test_a_station_kind_forged_into_the_form_is_refused(wang_client, wang, today, kind):
    response = wang_client.post(reverse("my_insurance:filing_new"), form_data(
        kind=kind, referring_hospital="淄博市中心医院", referral_number="ZB-1", hospital="北京大学人民医院"))
    assert response.status_code == 200 and "网上只能办理急诊抢救和其他临时外出就医" in text_of(response)
    assert not Filing.objects.filter(resident=wang).exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"kind": ""}, "请选择备案类型：急诊抢救或其他临时外出就医。"),
    ({"province": ""}, "请选择就医省份。"),
    ({"province": "火星"}, "请从列表中选择就医省份。"),
    ({"city": ""}, "请填写就医城市。"),
    ({"valid_from": "2022-13-01"}, "开始日期的格式不对"),
    ({"valid_from": "2022-03-01"}, "开始日期最早为 2022年3月2日：外出就医后 30 天内可以补办备案"),
    ({"valid_from": "2023-05-01"}, "开始日期不能晚于一年以后"),
    ({"province": "山东省", "city": "淄博"}, "山东省淄博市是您参保的统筹区"),
    ({"hospital": "医" * 101}, "医院名称最多 100 个字。"),
])
def test_bad_input_is_answered_beside_its_field_and_files_nothing(wang_client, wang, today, overrides, message):
    response = wang_client.post(reverse("my_insurance:filing_new"), form_data(**overrides))
    assert response.status_code == 200 and message in text_of(response)
    assert not Filing.objects.filter(resident=wang).exists()


def test_a_dead_resident_is_told_and_nothing_is_filed(wang_client, wang, today):
    type(wang).objects.filter(pk=wang.pk).update(date_of_death=date(2022, 3, 30))
    response = wang_client.post(reverse("my_insurance:filing_new"), form_data())
    assert response.status_code == 200 and "您已登记死亡" in text_of(response)
    assert not Filing.objects.filter(resident=wang).exists()


def test_a_double_submitted_form_makes_one_filing_and_says_it_is_done(wang_client, wang, today):
    first = wang_client.post(reverse("my_insurance:filing_new"), form_data())
    second = wang_client.post(reverse("my_insurance:filing_new"), form_data(), follow=True)
    filing = Filing.objects.get(resident=wang)
    assert first.status_code == 302 and second.redirect_chain[-1][0] == reverse("my_insurance:filings")
    assert f"这份备案已经办好了（编号 {filing.number}），不用重复提交。" in text_of(second)


# -- The list --------------------------------------------------------------------------------

def test_the_list_shows_own_filings_newest_first_with_how_each_was_filed(wang_client, wang, li, clerk_chezhan,
                                                                         today):
    station = at_station(wang, clerk_chezhan)
    mine = online(wang, kind=FilingKind.OTHER_TEMPORARY, province="四川省", city="成都市")
    theirs = online(li, province="重庆市", city="重庆市")
    entries, response = entries_written(lambda: wang_client.get(reverse("my_insurance:filings")))
    text, html = text_of(response), response.content.decode()
    assert text.index(mine.number) < text.index(station.number)
    assert "车站街道医保工作站办理" in text and "本人网上办理" in text
    assert theirs.number not in text and "重庆市" not in text
    # Only the online filing can be cancelled here; each has its printable proof.
    assert reverse("my_insurance:filing_cancel", args=[mine.pk]) in html
    assert reverse("my_insurance:filing_cancel", args=[station.pk]) not in html
    assert reverse("my_insurance:filing_print", args=[station.pk]) in html
    assert not FULL_ID.findall(html) and "王秀兰" not in text
    ((entry,),) = [entries]
    assert entry.action == "my_view_filings" and entry.subject_digest == wang.id_digest and "共 2 份" in entry.detail


def test_a_cancelled_or_expired_filing_offers_no_cancelling(wang_client, wang, today):
    cancelled = online(wang)
    wang_client.post(reverse("my_insurance:filing_cancel", args=[cancelled.pk]))
    expired = online(wang, province="天津市", city="天津市", valid_from=date(2021, 9, 1), today=date(2021, 9, 1))
    response = wang_client.get(reverse("my_insurance:filings"))
    html, text = response.content.decode(), text_of(response)
    for filing in (cancelled, expired):
        assert reverse("my_insurance:filing_cancel", args=[filing.pk]) not in html
    assert "急诊抢救 · 北京市 已撤销" in text and "本人网上撤销" in text and "急诊抢救 · 天津市 已到期" in text


# -- Cancelling ------------------------------------------------------------------------------

def test_a_resident_confirms_and_cancels_their_online_filing(wang_client, wang, today):
    filing = online(wang)
    url = reverse("my_insurance:filing_cancel", args=[filing.pk])
    confirm = wang_client.get(url)
    assert confirm.status_code == 200 and "确认撤销备案" in text_of(confirm) and filing.number in text_of(confirm)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE  # asking is not cancelling
    entries, response = entries_written(lambda: wang_client.post(url, follow=True))
    filing.refresh_from_db()
    assert filing.status == Filing.Status.CANCELLED and filing.cancelled_online
    assert f"备案 {filing.number} 已撤销" in text_of(response)
    assert sorted(entry.action for entry in entries) == ["my_cancel_filing", "my_view_filings"]


def test_a_clerks_filing_is_not_cancelled_online_and_the_resident_is_told_where(wang_client, wang, clerk_chezhan,
                                                                                today):
    filing = at_station(wang, clerk_chezhan)
    url = reverse("my_insurance:filing_cancel", args=[filing.pk])
    confirm = text_of(wang_client.get(url))
    assert "网上不能撤销" in confirm and "确认撤销备案" not in confirm
    response = wang_client.post(url, follow=True)
    assert "是在车站街道医保工作站办理的，网上不能撤销" in text_of(response)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE


def test_an_already_cancelled_filing_is_not_cancelled_again(wang_client, wang, clerk_chezhan, today):
    filing = online(wang)
    filing_cancel(filing_id=filing.pk, clerk=clerk_chezhan, reason="居民到站要求", today=TODAY)
    response = wang_client.post(reverse("my_insurance:filing_cancel", args=[filing.pk]), follow=True)
    assert "不用再撤销" in text_of(response)
    filing.refresh_from_db()
    assert filing.cancel_reason == "居民到站要求" and not filing.cancelled_online


def test_another_residents_filing_is_a_404_exactly_as_a_missing_one(wang_client, li, today):
    theirs = online(li)
    for pk in (theirs.pk, MISSING):
        for name in ("my_insurance:filing_cancel", "my_insurance:filing_print"):
            assert wang_client.get(reverse(name, args=[pk])).status_code == 404
        assert wang_client.post(reverse("my_insurance:filing_cancel", args=[pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Filing.Status.ACTIVE


def test_cancelling_needs_the_forms_csrf_token(wang, today):
    filing = online(wang)
    client = resident_client(wang, client=None)
    client.handler.enforce_csrf_checks = True
    assert client.post(reverse("my_insurance:filing_cancel", args=[filing.pk])).status_code == 403
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACTIVE


def test_staff_and_anonymous_visitors_never_reach_a_residents_filings(client, clerk_chezhan, wang, today):
    filing = online(wang)
    client.force_login(clerk_chezhan)
    for url in (reverse("my_insurance:filings"), reverse("my_insurance:filing_print", args=[filing.pk])):
        response = client.get(url)
        assert response.status_code == 302 and filing.number not in response.content.decode()


# -- The printed proof -----------------------------------------------------------------------

def test_the_proof_has_the_qr_code_and_only_masked_facts(wang_client, wang, today):
    filing = online(wang, hospital="北京协和医院")
    entries, response = entries_written(lambda: wang_client.get(reverse("my_insurance:filing_print", args=[filing.pk])))
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and "异地就医备案凭证" in html
    assert reverse("filing_verify", args=[filing.verification_code]) in html
    assert "王*兰" in html and "370303********1223" in html and "居民本人网上办理（我的医保）" in text_of(response)
    assert "王秀兰" not in html and not FULL_ID.findall(html)
    ((entry,),) = [entries]
    assert entry.action == "my_print_filing" and filing.number in entry.detail


# -- The access log --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "with_filing", "action"), [
    ("my_insurance:filings", False, "my_view_filings"), ("my_insurance:filing_new", False, "my_view_filing_form"),
    ("my_insurance:filing_cancel", True, "my_view_filing"), ("my_insurance:filing_print", True, "my_print_filing"),
])
def test_each_page_writes_one_entry_naming_the_resident_with_a_label(wang_client, wang, today, name, with_filing,
                                                                      action):
    from portal.privacy.admin import ACTION_LABELS

    args = [online(wang).pk] if with_filing else []
    (entry,), response = entries_written(lambda: wang_client.get(reverse(name, args=args)))
    assert response.status_code == 200 and (entry.action, entry.subject_digest) == (action, wang.id_digest)
    assert action in ACTION_LABELS and "王秀兰" not in entry.detail and "370303195203151223" not in entry.detail
