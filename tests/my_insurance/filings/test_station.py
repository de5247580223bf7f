"""Filings residents made online reach the clerks of their region: the station's list (marked,
and with a filter of its own), the filing's page and its print, the officers' admin; nobody else's
clerks see them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.logins import otp_login
from tests.my_insurance.filings.conftest import TODAY, at_station, online
from treatment.filings.models import Filing

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_residents_township_clerk_sees_the_online_filing_marked_in_the_list(clerk_client, wang, today):
    filing = online(wang)
    text = text_of(clerk_client.get(reverse("treatment:filings")))
    assert filing.number in text and "王秀兰" in text and "网上 居民本人网上办理" in text


def test_the_list_filters_online_filings_from_the_stations(clerk_client, wang, li, clerk_chezhan, today):
    mine, station = online(wang), at_station(li, clerk_chezhan)
    only_online = text_of(clerk_client.get(reverse("treatment:filings"), {"how": "online"}))
    assert mine.number in only_online and station.number not in only_online
    only_station = text_of(clerk_client.get(reverse("treatment:filings"), {"how": "station"}))
    assert station.number in only_station and mine.number not in only_station and "车站街道医保工作站" in only_station
    everything = text_of(clerk_client.get(reverse("treatment:filings"), {"how": "nonsense"}))
    assert mine.number in everything and station.number in everything


def test_a_clerk_of_another_township_does_not_see_it(demo, clerk_other, wang, today):
    filing = online(wang)
    client = otp_login(Client(), clerk_other)
    assert filing.number not in text_of(client.get(reverse("treatment:filings"), {"how": "online"}))
    assert client.get(reverse("treatment:filing", args=[filing.pk])).status_code == 404


def test_the_filings_page_and_print_name_the_resident_where_the_clerk_would_be(clerk_client, wang, today):
    filing = online(wang)
    detail = text_of(clerk_client.get(reverse("treatment:filing", args=[filing.pk])))
    assert "居民本人网上办理（我的医保）" in detail
    printed = text_of(clerk_client.get(reverse("treatment:filing_print", args=[filing.pk])))
    assert "办理方式 居民本人网上办理（我的医保）" in printed and "经办人" not in printed


def test_a_filing_cancelled_online_says_so_on_the_stations_page(clerk_client, wang, today):
    from treatment.filings.services import filing_cancel_online

    filing = online(wang)
    filing_cancel_online(filing_id=filing.pk, resident=wang, today=TODAY)
    detail = text_of(clerk_client.get(reverse("treatment:filing", args=[filing.pk])))
    assert "已撤销" in detail and "居民本人网上撤销" in detail


def test_the_officers_admin_lists_and_filters_online_filings(officer_client, wang, li, clerk_chezhan, today):
    mine, station = online(wang), at_station(li, clerk_chezhan)
    url = reverse("admin:treatment_filing_changelist")
    listed = text_of(officer_client.get(url, {"filed_online__exact": "1"}))
    assert mine.number in listed and station.number not in listed and "居民本人网上办理" in listed
    page = officer_client.get(reverse("admin:treatment_filing_change", args=[mine.pk]))
    assert page.status_code == 200 and "居民本人网上办理" in text_of(page)
    assert Filing.objects.filter(filed_online=True).count() == 1


def test_the_public_lookup_shows_an_online_filing_too(client, wang, today):
    online(wang)
    page = text_of(client.post(reverse("lookup"), {"name": "王秀兰", "id_number": "370303195203151223"}))
    assert "急诊抢救：北京市，2022年4月1日至2022年9月30日，有效" in page
