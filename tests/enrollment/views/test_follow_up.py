"""The follow-up list (追缴名单): its pages found by the row before them, and its village choice."""

import re

import pytest

from enrollment import selectors
from enrollment.models import Enrollment, Resident
from portal.network.models import Region
from portal.web.pagination import keyset_page
from tests.enrollment.views.test_station_query_counts import add_crowd, queries_of
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

TOWNSHIP = "370303001000"  # 车站街道, clerk_chezhan's
HUAGUANG = "370303001001"  # 华光路社区, a village of it
ROW_LINK = re.compile(r'<td><a href="/station/residents/(\d+)/">')


def listed(html: str) -> list[int]:
    return [int(pk) for pk in ROW_LINK.findall(html)]


def link(html: str, text: str) -> str | None:
    found = re.search(rf'<a class="page-link" href="(\?[^"]+)">{text}</a>', html)
    return found.group(1).replace("&amp;", "&") if found else None


def whole_list(region_code: str = TOWNSHIP) -> list[int]:
    rows = selectors.follow_up(Region.objects.get(code=region_code), year=2022)
    return list(rows.values_list("pk", flat=True))


def walk(rows, keys, *, per_page: int) -> tuple[list[list[int]], list[list[int]]]:
    """Every page forward from the first, then every page back from the last."""
    forward, params = [], {}
    while True:
        page = keyset_page(rows, ordering=selectors.FOLLOW_UP_ORDER, keys=keys, params=params, per_page=per_page)
        forward.append([r.pk for r in page.object_list])
        assert page.number == len(forward) and page.has_previous == (len(forward) > 1)
        if not page.has_next:
            break
        params = {"after": str(page.last_key)}
    backward = [forward[-1]]
    while page.has_previous:
        params = {"before": str(page.first_key)}
        page = keyset_page(rows, ordering=selectors.FOLLOW_UP_ORDER, keys=keys, params=params, per_page=per_page)
        backward.insert(0, [r.pk for r in page.object_list])
    return forward, backward


def test_pages_forward_and_back_hold_everyone_once_in_the_list_order(demo, clerk_chezhan):
    add_crowd(clerk_chezhan)
    # Same names in one village and across villages: the id keeps each place unique.
    crowd = Resident.objects.filter(name__startswith="测").order_by("pk")
    crowd.filter(pk__in=[r.pk for r in crowd[:9]]).update(name="王芳")
    other_village = Region.objects.get(code="370303001002")
    Resident.objects.filter(pk__in=[r.pk for r in crowd[9:12]]).update(name="王芳", region=other_village)
    township = Region.objects.get(code=TOWNSHIP)
    rows = selectors.follow_up(township, year=2022)
    expected = whole_list()
    assert len(expected) == 63
    for per_page in (7, 9, 50, 63, 100):
        forward, backward = walk(rows, Resident.objects.within(township), per_page=per_page)
        assert [pk for page in forward for pk in page] == expected
        assert backward == forward
        assert all(len(page) == per_page for page in forward[:-1])


def test_the_next_page_starts_after_a_person_who_has_paid_since_the_link_was_made(demo, clerk_chezhan):
    add_crowd(clerk_chezhan)
    township = Region.objects.get(code=TOWNSHIP)
    expected = whole_list()
    first = keyset_page(selectors.follow_up(township, year=2022), ordering=selectors.FOLLOW_UP_ORDER,
                        keys=Resident.objects.within(township), params={}, per_page=10)
    paid = first.last_key
    Enrollment.objects.filter(resident_id=paid, year=2021).update(year=2020)  # no longer on the list
    assert paid not in whole_list()
    second = keyset_page(selectors.follow_up(township, year=2022), ordering=selectors.FOLLOW_UP_ORDER,
                         keys=Resident.objects.within(township), params={"after": str(paid)}, per_page=10)
    assert [r.pk for r in second.object_list] == expected[10:20]
    assert second.number == 2 and second.count == 62 and second.num_pages == 7


def test_the_clerk_pages_through_the_list_by_its_links(clerk_client, clerk_chezhan):
    add_crowd(clerk_chezhan)
    expected = whole_list()
    first = clerk_client.get("/station/follow-up/", {"year": 2022}).content.decode()
    assert listed(first) == expected[:50]
    assert "第 1 / 2 页，共 63 人" in first and link(first, "上一页") is None
    second = clerk_client.get("/station/follow-up/" + link(first, "下一页")).content.decode()
    assert listed(second) == expected[50:]
    assert "第 2 / 2 页，共 63 人" in second and link(second, "下一页") is None
    again = clerk_client.get("/station/follow-up/" + link(second, "上一页")).content.decode()
    assert listed(again) == expected[:50] and "第 1 / 2 页" in again
    assert listed(clerk_client.get("/station/follow-up/" + link(second, "第一页")).content.decode()) == expected[:50]


def test_page_numbers_stay_true_while_people_pay(clerk_client, clerk_chezhan):
    add_crowd(clerk_chezhan)
    first = clerk_client.get("/station/follow-up/", {"year": 2022}).content.decode()
    on_first = listed(first)
    # 14 people of the first page leave the list while the clerk reads it.
    Enrollment.objects.filter(resident_id__in=on_first[:14], year=2021).update(year=2020)
    second = clerk_client.get("/station/follow-up/" + link(first, "下一页")).content.decode()
    assert listed(second) == whole_list()[36:] and "第 2 / 2 页，共 49 人" in second
    back = clerk_client.get("/station/follow-up/" + link(second, "上一页")).content.decode()
    assert listed(back) == on_first[14:] and "第 1 / 1 页，共 49 人" in back
    assert link(back, "上一页") is None and link(back, "下一页") is not None


@pytest.mark.parametrize("params", [
    {"after": "abc"}, {"after": "-5"}, {"before": "1e3"}, {"after": "9" * 30}, {"after": "999999999"},
    {"after": "１２"}, {"page": "7"}, {"page": "x", "after": "also-x"}, {"before": "0"},
])
def test_a_broken_or_old_page_link_shows_the_first_page(clerk_client, clerk_chezhan, params):
    add_crowd(clerk_chezhan)
    response = clerk_client.get("/station/follow-up/", {"year": 2022, **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert listed(html) == whole_list()[:50] and "第 1 / 2 页" in html


def test_a_page_link_cannot_continue_from_a_person_outside_the_clerks_area(clerk_client, clerk_chezhan):
    add_crowd(clerk_chezhan)
    # Someone of 淄川区's 般阳社区, whose village code sorts before every one of the clerk's.
    elsewhere = Resident.objects.get(name="孙丽")
    Resident.objects.filter(pk=elsewhere.pk).update(region=Region.objects.get(code="370302001001"))
    html = clerk_client.get("/station/follow-up/", {"year": 2022, "after": elsewhere.pk}).content.decode()
    assert listed(html) == whole_list()[:50] and "第 1 / 2 页" in html and link(html, "上一页") is None


def test_a_later_page_makes_as_many_queries_with_a_crowd(clerk_client, clerk_chezhan):
    first_listed = whole_list()[0]
    params = {"year": 2022, "after": first_listed}
    before = queries_of(clerk_client, "get", "/station/follow-up/", params)
    add_crowd(clerk_chezhan)
    assert queries_of(clerk_client, "get", "/station/follow-up/", params) == before


def test_the_clerk_narrows_the_list_to_one_village_and_exports_it(clerk_client, clerk_chezhan):
    add_crowd(clerk_chezhan)
    page = clerk_client.get("/station/follow-up/", {"year": 2022}).content.decode()
    for code in ("370303001001", "370303001002", "370303001003"):
        assert f'<option value="{code}"' in page
    assert 'value="370303002001"' not in page  # 公园街道's villages are not the clerk's
    huaguang = whole_list(HUAGUANG)
    assert 0 < len(huaguang) < len(whole_list())
    html = clerk_client.get("/station/follow-up/", {"year": 2022, "village": HUAGUANG}).content.decode()
    assert listed(html) == huaguang[:50] and f"共 {len(huaguang)} 人" in html
    assert f'<option value="{HUAGUANG}" selected>' in html
    second = clerk_client.get("/station/follow-up/" + link(html, "下一页")).content.decode()
    assert listed(second) == huaguang[50:]
    export = clerk_client.get("/station/follow-up/", {"year": 2022, "village": HUAGUANG, "format": "csv"})
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + len(huaguang) and all("华光路社区" in line for line in lines[1:])


@pytest.mark.parametrize("village", ["370303002001", "not-a-code", "370303001000"])
def test_a_village_outside_the_list_gets_a_message_and_the_whole_list(clerk_client, clerk_chezhan, village):
    add_crowd(clerk_chezhan)
    html = clerk_client.get("/station/follow-up/", {"year": 2022, "village": village}).content.decode()
    assert "请从列表中选择本辖区的村(社区)。" in html
    assert listed(html) == whole_list()[:50] and "共 63 人" in html


def test_a_village_clerk_has_no_village_to_choose(client, demo):
    client.force_login(staff_user(role="clerk", scope=Region.objects.get(code=HUAGUANG), username="clerk_village"))
    html = client.get("/station/follow-up/", {"year": 2022}).content.decode()
    assert 'name="village"' not in html
    assert listed(html) == whole_list(HUAGUANG)[:50]
