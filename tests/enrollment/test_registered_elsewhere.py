"""A clerk learns nothing of a person registered outside their scope but where to send them
(enrollment/elsewhere.py): every station form and upload that takes an ID number answers a
number of another township with the same message, naming the township's station and never the
person, their community or its code; each such check is logged and counted, up to a daily limit.

The forms are found on the station's pages, not listed by hand: a page with a field for an ID
number or an upload of a list that is not in ID_NUMBER_FORMS fails
`test_every_station_form_that_takes_an_id_number_is_checked`, naming it.
"""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse

from enrollment.elsewhere import CHECK_ACTION, LIMIT_ACTION
from enrollment.models import Resident
from portal.network.models import Region
from portal.privacy.id_vault import id_digest
from portal.privacy.models import AccessLogEntry
from tests.logins import otp_login
from tests.test_no_full_id_numbers import url_patterns

pytestmark = pytest.mark.django_db

WANG = "370303195203151223"  # 王秀兰 of 华光路社区 (370303001001), in 车站街道
WANG_SHOWN = ("王秀兰", "王*兰", "秀兰", "华光路", "370303001001")
STATION = "车站街道医保工作站"  # the station of her township, where she is sent
ELSEWHERE = "此身份证号的居民登记在您的管辖范围以外，这里不能办理"
JINJING = "370303002001"  # a community of 公园街道, clerk_other's township


def roll(*rows) -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["身份证号", "姓名", "联系电话", "村社区代码", "参保类别"])
    writer.writerows(rows)
    return SimpleUploadedFile("名单.csv", text.getvalue().encode("utf-8-sig"), content_type="text/csv")


# Each station form that takes an ID number: how to send WANG's number to it.
ID_NUMBER_FORMS = {
    "station:resident_create": lambda client: client.post(reverse("station:resident_create"), {
        "id_number": WANG, "name": "张三", "phone": "", "region": Region.objects.get(code=JINJING).pk,
        "household_number": "", "household_address": "公园路 1 号",
    }),
    "station:resident_search": lambda client: client.post(reverse("station:resident_search"), {"query": WANG}),
    "assistance:application_create": lambda client: client.post(reverse("assistance:application_create"), {
        "id_number": WANG, "category_claimed": "minimum_living", "household_income": "1", "medical_costs": "1",
        "reason": "x",
    }),
    # The parent of a newborn, found by ID number and name (a wrong name answers "not found").
    "station:newborn_create": lambda client: client.post(reverse("station:newborn_create"), {
        "parent_id_number": WANG, "parent_name": "王秀兰", "certificate": "R370012345", "name": "王小满",
        "gender": "male", "birth_date": "2021-10-01",
    }),
    "station:roll_import, wrong name": lambda client: client.post(reverse("station:roll_import"), {
        "year": 2022, "roll": roll([WANG, "张三", "", JINJING, "成年居民"]),
    }),
    "station:roll_import, right name": lambda client: client.post(reverse("station:roll_import"), {
        "year": 2022, "roll": roll([WANG, "王秀兰", "", JINJING, "成年居民"]),
    }),
}
# Forms whose purpose is to find someone registered in another township: they answer only to the
# ID number with the registered name, and alike for a wrong name, an unknown number and another
# city's person; their own tests hold them to it.
FINDS_ACROSS_TOWNSHIPS = {
    # 转移接续: the new township takes a person of the city in
    # (tests/enrollment/life_events/test_moves.py, the same answer for every miss).
    "station:move_take_in",
}
TAKES_AN_ID_NUMBER = re.compile(r'name="(\w*id_number|query)"|type="file"[^>]*accept="[^"]*\.csv')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ACTION = re.compile(r'action="([^"]*)"')


def forms_taking_an_id_number(page_url: str, html: str) -> set[str]:
    """The names of the addresses that the page's forms with an ID number field post to."""
    targets = set()
    for attributes, body in FORM.findall(html):
        if TAKES_AN_ID_NUMBER.search(body):
            action = ACTION.search(attributes)
            match = resolve(action[1] if action and action[1] else page_url)
            targets.add(f"{match.namespace}:{match.url_name}")
    return targets


@pytest.fixture
def other_client(client, demo, clerk_other, on_2022_window, settings, tmp_path):
    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"
    client.force_login(clerk_other)
    return client


def test_every_station_form_that_takes_an_id_number_is_checked(other_client):
    names = [name for name, params in url_patterns().items()
             if name.startswith(("station:", "assistance:")) and not params]
    found = set()
    for name in names:
        response = other_client.get(reverse(name))
        if "attachment" in response.get("Content-Disposition", ""):
            continue  # a download (the roll template), not a page with forms
        found |= forms_taking_an_id_number(reverse(name), response.content.decode())
    checked = {key.split(",")[0] for key in ID_NUMBER_FORMS} | FINDS_ACROSS_TOWNSHIPS
    assert found == checked, f"forms taking an ID number: {sorted(found)}; checked here: {sorted(checked)}"


@pytest.mark.parametrize("form", ID_NUMBER_FORMS)
def test_a_number_of_another_township_gets_where_to_go_and_nothing_of_the_person(other_client, clerk_other, form):
    residents = Resident.objects.count()
    response = ID_NUMBER_FORMS[form](other_client)
    page = response.content.decode()
    assert response.status_code == 200
    assert ELSEWHERE in page and STATION in page
    assert not [shown for shown in WANG_SHOWN if shown in page]
    assert Resident.objects.count() == residents
    entry = AccessLogEntry.objects.get(action=CHECK_ACTION)
    assert (entry.user, entry.subject_digest) == (clerk_other, id_digest(WANG))


def test_inside_the_scope_the_clerk_is_shown_who_it_is(clerk_client, demo):
    response = clerk_client.post(reverse("station:resident_create"), {
        "id_number": WANG, "name": "张三", "phone": "", "region": Region.objects.get(code="370303001002").pk,
        "household_number": "", "household_address": "共青团路 1 号",
    })
    assert "此身份证号已登记（王秀兰，华光路社区）" in response.content.decode()
    assert not AccessLogEntry.objects.filter(action=CHECK_ACTION).exists()


def test_past_the_daily_limit_further_checks_are_refused_and_logged(other_client, clerk_other, settings):
    settings.OUT_OF_SCOPE_CHECKS_PER_DAY = 2
    search = ID_NUMBER_FORMS["station:resident_search"]
    assert ELSEWHERE in search(other_client).content.decode()
    assert ELSEWHERE in ID_NUMBER_FORMS["station:resident_create"](other_client).content.decode()
    refused = search(other_client).content.decode()
    assert "已达每日上限" in refused and ELSEWHERE not in refused and STATION not in refused
    assert AccessLogEntry.objects.filter(action=CHECK_ACTION, user=clerk_other).count() == 2
    limit = AccessLogEntry.objects.get(action=LIMIT_ACTION)
    assert limit.user == clerk_other and "查找居民" in limit.detail


def test_a_roll_is_answered_up_to_the_limit_row_by_row(other_client, clerk_other, settings):
    settings.OUT_OF_SCOPE_CHECKS_PER_DAY = 1
    chezhan = list(Resident.objects.filter(region__code__startswith="370303001").order_by("pk")[:2])
    assert len(chezhan) == 2
    rows = [[resident.id_number, resident.name, "", JINJING, "成年居民"] for resident in chezhan]
    page = other_client.post(reverse("station:roll_import"), {"year": 2022, "roll": roll(*rows)}).content.decode()
    assert page.count(ELSEWHERE) == 1 and page.count("已达每日上限") == 1
    assert not [resident.name for resident in chezhan if resident.name in page]
    assert AccessLogEntry.objects.filter(action=CHECK_ACTION).count() == 1
    assert AccessLogEntry.objects.filter(action=LIMIT_ACTION).count() == 1


def test_officers_find_who_reached_the_limit_in_the_access_log(other_client, officer, settings):
    settings.OUT_OF_SCOPE_CHECKS_PER_DAY = 0
    ID_NUMBER_FORMS["station:resident_search"](other_client)
    page = otp_login(Client(), officer).get(reverse("admin:portal_accesslogentry_changelist"), {"action": LIMIT_ACTION})
    text = page.content.decode()
    assert page.status_code == 200 and "clerk_other" in text and "辖区外查询达每日上限被拒绝" in text
